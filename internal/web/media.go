package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

// uploadError turns what the library refused into a message for the person uploading, or
// answers false for faults of ours.
func uploadError(err error, limit int64) (status int, msg string, ok bool) {
	switch {
	case errors.Is(err, media.ErrTooBig):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is over the %d MB upload limit.", limit>>20), true
	case errors.Is(err, media.ErrUnsupported):
		return http.StatusUnprocessableEntity, "That file is not a JPEG, PNG, GIF or WebP image. (SVG files are not accepted.)", true
	case errors.Is(err, media.ErrTooManyPixels):
		return http.StatusUnprocessableEntity, "That image has too many pixels to process safely: " + err.Error() + ".", true
	case errors.Is(err, media.ErrCorrupt):
		return http.StatusUnprocessableEntity, "That image is damaged or cut short and could not be read.", true
	}
	return 0, "", false
}

// mediaView is a library item as the API answers it.
type mediaView struct {
	ID      int64        `json:"id"`
	URL     string       `json:"url"`
	Name    string       `json:"name"`
	Type    string       `json:"type"`
	Width   int          `json:"width"`
	Height  int          `json:"height"`
	Size    int64        `json:"size"`
	SrcSet  string       `json:"srcset"`
	Sizes   []media.Size `json:"sizes"`
	Social  string       `json:"social_url"`
	Alt     string       `json:"alt"`
	Caption string       `json:"caption"`
	Credit  string       `json:"credit"`
	// Description is the newsroom's longer words about the picture.
	Description string `json:"description"`
	// FocusX and FocusY are the focal point, 0 to 1 from the left and the top: the centre, 0.5,
	// until someone moves it.
	FocusX  float64 `json:"focus_x"`
	FocusY  float64 `json:"focus_y"`
	Created string  `json:"created_at"`
}

func (s *Server) mediaView(it *media.Item) mediaView {
	v := mediaView{ID: it.ID, URL: s.abs(it.URL()), Name: it.Name, Type: it.Type, Width: it.Width,
		Height: it.Height, Size: it.Size, SrcSet: it.SrcSet(), Sizes: it.Sizes, Social: s.abs(it.SocialURL()),
		Alt: it.Alt, Caption: it.Caption, Credit: it.Credit, Description: it.Description,
		Created: it.CreatedAt.Format("2006-01-02T15:04:05Z07:00")}
	v.FocusX, v.FocusY = focusOf(it)
	return v
}

// filePart is a file read from a multipart form: its bytes, or TooBig when it passed the limit
// (the rest of it was read and thrown away, so the form's other fields still arrive).
type filePart struct {
	Name   string
	Data   []byte
	TooBig bool
}

// readMultipart reads a multipart form whose text fields total at most maxFormBytes and whose
// files are each at most the upload limit. Text fields go to r.PostForm, so a writer's story
// survives an oversized picture. It answers the files by field.
func (s *Server) readMultipart(r *http.Request) (map[string]filePart, error) {
	files := map[string]filePart{}
	err := s.eachPart(r, func(field string, f filePart) { files[field] = f })
	return files, err
}

// eachPart reads a multipart form into r.PostForm, calling fn with each file that is not empty.
func (s *Server) eachPart(r *http.Request, fn func(field string, f filePart)) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return badRequest("The form could not be read.")
	}
	r.PostForm = url.Values{}
	text := int64(0)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return badRequest("The form could not be read.")
		}
		field := p.FormName()
		if p.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(p, maxFormBytes-text+1))
			text += int64(len(b))
			if err != nil || text > maxFormBytes {
				return &http.MaxBytesError{Limit: maxFormBytes}
			}
			r.PostForm.Add(field, string(b))
			continue
		}
		data, err := s.media().ReadAll(p)
		f := filePart{Name: p.FileName(), Data: data}
		if errors.Is(err, media.ErrTooBig) {
			f.TooBig = true
			io.CopyN(io.Discard, p, drainLimit)
		} else if err != nil {
			return badRequest("The upload was cut short.")
		}
		if len(f.Data) > 0 || f.TooBig {
			fn(field, f)
		}
	}
}

// parseEditorForm reads the story editor's form: multipart when it carries a picture, plain
// otherwise.
func (s *Server) parseEditorForm(w http.ResponseWriter, r *http.Request) (map[string]filePart, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return nil, s.parseForm(w, r)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes+s.media().Limit()+drainLimit)
	return s.readMultipart(r)
}

// media returns the site's library; a site configured without one keeps files nowhere and
// refuses uploads.
func (s *Server) media() *media.Library {
	if s.cfg.Media == nil {
		return &media.Library{Files: noMedia{}}
	}
	return s.cfg.Media
}

// noMedia is the store of a site without media: it refuses every write and finds nothing.
type noMedia struct{}

var errNoMedia = errors.New("web: this site has no media store")

func (noMedia) Put(context.Context, string, io.Reader) error { return errNoMedia }
func (noMedia) Open(context.Context, string) (media.File, error) {
	return nil, media.ErrNotFound
}
func (noMedia) Stat(context.Context, string) (media.Info, error) {
	return media.Info{}, media.ErrNotFound
}
func (noMedia) Delete(context.Context, string) error { return media.ErrNotFound }
func (noMedia) List(context.Context, string) ([]media.Info, error) {
	return nil, nil
}

// upload adds f to the library with the words of up (alt text, caption, credit, description),
// answering the item.
func (s *Server) upload(ctx context.Context, u *account.User, f filePart, up media.Upload) (*media.Item, bool, error) {
	if f.TooBig {
		return nil, false, media.ErrTooBig
	}
	up.Name, up.Data, up.UploaderID = f.Name, f.Data, u.ID
	return s.media().Add(ctx, s.store, up)
}

// uploadFields are the words an upload form or the API may send with a picture.
var uploadFields = []string{"alt", "caption", "credit", "description"}

// uploadWords reads an upload's words (uploadFields) from a form or query.
func uploadWords(v url.Values) media.Upload {
	return media.Upload{Alt: v.Get("alt"), Caption: v.Get("caption"), Credit: v.Get("credit"), Description: v.Get("description")}
}

// handleAPIUploadMedia serves POST /api/v1/media: a multipart form with a "file" field (and
// alt, caption, credit, description), or the raw bytes with the name in ?name= or
// Content-Disposition and the words in the query.
func (s *Server) handleAPIUploadMedia(w http.ResponseWriter, r *http.Request, u *account.User) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var f filePart
	words := r.URL.Query()
	if ct == "multipart/form-data" {
		files, err := s.readMultipart(r)
		if err != nil {
			return err
		}
		var ok bool
		if f, ok = files["file"]; !ok {
			return apiErr{status: http.StatusUnprocessableEntity, msg: "Send the image in a form field named file.", field: "file"}
		}
		for _, k := range uploadFields {
			if v := r.PostForm.Get(k); v != "" {
				words.Set(k, v)
			}
		}
	} else {
		data, err := s.media().ReadAll(r.Body)
		f = filePart{Name: words.Get("name"), Data: data, TooBig: errors.Is(err, media.ErrTooBig)}
		if err != nil && !f.TooBig {
			return badRequest("The upload was cut short.")
		}
		if _, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil && f.Name == "" {
			f.Name = params["filename"]
		}
	}
	it, created, err := s.upload(r.Context(), u, f, uploadWords(words))
	if status, msg, ok := uploadError(err, s.media().Limit()); ok {
		return apiErr{status: status, msg: msg, field: "file"}
	}
	if err != nil {
		return err
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
	}
	writeJSON(w, code, s.mediaView(it))
	return nil
}

// handleAPIMedia serves GET /api/v1/media: the library, newest first; filters q, month
// (2026-03), unused; page, per_page.
func (s *Server) handleAPIMedia(w http.ResponseWriter, r *http.Request, u *account.User) error {
	return s.writeMediaList(w, r, 50)
}

// writeMediaList answers the library page the request's filters select as JSON, per items a
// page unless the request says otherwise.
func (s *Server) writeMediaList(w http.ResponseWriter, r *http.Request, per int) error {
	q, page, per := mediaQuery(r.URL.Query(), per)
	list, total, err := s.store.ListMedia(r.Context(), q)
	if err != nil {
		return err
	}
	out := struct {
		Items   []mediaView `json:"items"`
		Total   int         `json:"total"`
		Page    int         `json:"page"`
		PerPage int         `json:"per_page"`
	}{Items: []mediaView{}, Total: total, Page: page, PerPage: per}
	for _, it := range list {
		out.Items = append(out.Items, s.mediaView(it))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// mediaQuery reads the library's filters from a query string.
func mediaQuery(v url.Values, per int) (store.MediaQuery, int, int) {
	page, _ := strconv.Atoi(v.Get("page"))
	page = max(page, 1)
	if n, err := strconv.Atoi(v.Get("per_page")); err == nil && n > 0 && n <= 200 {
		per = n
	}
	q := store.MediaQuery{Text: strings.TrimSpace(v.Get("q")), Unused: v.Get("unused") != "", Limit: per, Offset: (page - 1) * per}
	if m := v.Get("month"); len(m) == 7 {
		if _, err := time.Parse("2006-01", m); err == nil {
			q.Month = m
		}
	}
	return q, page, per
}

// handleMedia serves GET /media/{hash}/{file}: the library's files, or a 301 for the address
// of a picture an import moved in. Every file lives under its item's content hash and never
// changes, so it is cached for good. The type comes from the
// bytes, never the name; anything not an image is a download. With MediaPublicURL the bucket
// serves them instead, but an old address still answers its 301.
func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("hash") + "/" + r.PathValue("file")
	if s.cfg.MediaPublicURL != "" && media.ValidName(name) {
		if s.oldMediaAddress(w, r) {
			return
		}
		// Not 301: a browser would keep it even after the bucket moves.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		http.Redirect(w, r, s.cfg.MediaPublicURL+"/"+name, http.StatusFound)
		return
	}
	f, err := s.media().Files.Open(r.Context(), name)
	if err != nil {
		if !s.oldMediaAddress(w, r) {
			s.fail(w, r, store.ErrNotFound)
		}
		return
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	typ, err := media.Sniff(head[:n])
	if err != nil {
		typ = "application/octet-stream"
		h.Set("Content-Disposition", "attachment")
	}
	h.Set("Content-Type", typ)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+strings.ReplaceAll(name, "/", ":")+`"`)
	http.ServeContent(w, r, "", f.Info().ModTime, f)
}

// oldMediaAddress answers a 301 and true when the request's path is the address a picture had
// on another Broadsheet site before an import moved it in under a new hash. Without an answer
// from the database it answers false, so that pictures still show.
func (s *Server) oldMediaAddress(w http.ResponseWriter, r *http.Request) bool {
	to, err := s.store.Redirect(r.Context(), r.URL.Path)
	if err != nil || to == "" || to == r.URL.Path {
		return false
	}
	redirectTo(to).write(w, r)
	return true
}

// The sizes attributes of pictures: how wide the layout shows each kind (see style.css).
const (
	storySizes = "(max-width: 42rem) 100vw, 42rem"
	leadSizes  = "(max-width: 68rem) 100vw, 68rem"
	cardSizes  = "(max-width: 40rem) 100vw, 20rem"
)

// picture is an image as a page shows it: from the library with its renditions, dimensions,
// caption and credit, or an outside address as it is.
type picture struct {
	Src, SrcSet, Sizes string
	Width, Height      int
	Alt                string
	Caption, Credit    string
	// Social is the library's 1200×630 card, for og:image; empty for outside images.
	Social string
	// Lead pictures load at once with high priority; the rest wait until they near the screen.
	Lead bool
	// Focus names the classes that keep the library item's focal point in view where a layout
	// crops the picture (focusClass).
	Focus string
}

// focusClass names the style sheet's classes for a focal point (fx, fy), in steps of 5 %:
// "fx-25 fy-70" sets object-position where listings crop (a style attribute would break the
// Content-Security-Policy). It answers "" for no focal point: the centre.
func focusClass(fx, fy float64) string {
	if fx == 0 && fy == 0 {
		return ""
	}
	step := func(f float64) string { return strconv.Itoa(int(math.Round(min(max(f, 0), 1)*20)) * 5) }
	return "fx-" + step(fx) + " fy-" + step(fy)
}

// picture resolves an image address for a page; src is the rendition at least want pixels
// wide. It answers nil for no address.
func (s *Server) picture(ctx context.Context, u, alt string, want int, sizes string) *picture {
	if u == "" {
		return nil
	}
	p := &picture{Src: u, Alt: alt}
	if name, ok := strings.CutPrefix(u, "/static/"); ok {
		// A picture shipped with the program (the demo's): its versioned address, so the
		// browser fetches it without a redirect, and its size, so the page does not shift.
		if v, ok := s.assets.byName[name]; ok {
			p.Src = v
			p.Width, p.Height = s.assets.sizes[name][0], s.assets.sizes[name][1]
		}
		return p
	}
	h := media.HashFromURL(u)
	if h == "" {
		return p
	}
	it, err := s.store.MediaByHash(ctx, h)
	if err != nil {
		return p // a deleted item: the address as it was, which answers 404 like any broken link
	}
	fit := it.Fit(want)
	p.Src, p.SrcSet, p.Sizes = media.URL(fit.File), it.SrcSet(), sizes
	p.Width, p.Height = fit.Width, fit.Height
	p.Caption, p.Credit, p.Social, p.Focus = it.Caption, it.Credit, it.SocialURL(), focusClass(it.FocusX, it.FocusY)
	if p.Alt == "" {
		p.Alt = it.Alt
	}
	return p
}
