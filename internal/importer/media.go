package importer

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"maps"
	"math"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

// MediaSummary tells what moving a site's pictures in did.
type MediaSummary struct {
	// Fetched counts the files read from the source (the folder, or the old site); Skipped, the
	// pictures an earlier run had moved in, found in the library without reading them again.
	Fetched, Skipped int
	// Added counts pictures new to the library; Stories, the stories whose pictures now come
	// from it.
	Added, Stories int
	// Missing lists, by old address, the pictures that could not be moved in, with the
	// headlines of the stories that use them (none for an attachment no story shows).
	Missing map[string][]string
	// Reasons tells, by old address, why each missing picture could not be moved in.
	Reasons map[string]string
}

// WriteTo prints the summary for a person.
func (s MediaSummary) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Pictures: %d read, %d already in the library, %d not found; %d added to the library, %d stories now show them from it.\n",
		s.Fetched, s.Skipped, len(s.Missing), s.Added, s.Stories)
	if len(s.Missing) > 0 {
		fmt.Fprintf(&b, "%d pictures could not be moved in; their stories keep the old addresses:\n", len(s.Missing))
		urls := make([]string, 0, len(s.Missing))
		for u := range s.Missing {
			urls = append(urls, u)
		}
		sort.Strings(urls)
		for _, u := range urls {
			in := "no story shows it"
			if len(s.Missing[u]) > 0 {
				in = "in " + strings.Join(s.Missing[u], "; ")
			}
			fmt.Fprintf(&b, "  %s: %s (%s)\n", u, s.Reasons[u], in)
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// uploadsURL finds WordPress upload addresses, absolute or not; group 1 is the path under
// wp-content/uploads/.
var uploadsURL = regexp.MustCompile(`(?:https?:)?(?://[^\s"'()<>/]+)?(?:/[^\s"'()<>]*?)?/wp-content/uploads/([^\s"'()<>?#]+)`)

// sizedCopy matches WordPress's resized copies: photo-300x200.jpg, whose original is photo.jpg.
var sizedCopy = regexp.MustCompile(`^(.*)-(\d+)x(\d+)(\.[A-Za-z0-9]+)$`)

// libraryURL finds the library addresses of a Broadsheet site (another's, from its export),
// absolute or not; group 1 is the path under /media/: the item's hash and a file's name. Such
// a path is handled as a path under wp-content/uploads is, the export's --media-dir folder
// standing for the uploads folder.
var libraryURL = regexp.MustCompile(`(?:https?:)?(?://[^\s"'()<>/]+)?/media/([0-9a-f]{32}/[^\s"'()<>?#/]+)`)

// libraryRel returns the item hash of a path under /media/, or "" for a path under
// wp-content/uploads.
func libraryRel(rel string) string {
	if len(rel) > 33 && rel[32] == '/' && media.HashFromURL(media.Prefix+rel) != "" {
		return rel[:32]
	}
	return ""
}

// pictureAddress is the old address of a picture: under /wp-content/uploads/ or under /media/
// (another Broadsheet site's), kept at the root.
func pictureAddress(rel string) string {
	if libraryRel(rel) != "" {
		return media.Prefix + rel
	}
	return "/wp-content/uploads/" + rel
}

// Widths of a rendition that say which file of a library item an address named.
const (
	theOriginal = -1
	theCard     = -2
)

// renditionWidth matches the width in a library rendition's name: photo-960.jpg.
var renditionWidth = regexp.MustCompile(`-(\d+)\.[A-Za-z0-9]+$`)

// originals are the originals of library pictures by hash, as their attachments give them.
type originals map[string]string

// of returns the path of the original of a picture and, for a resized copy, the copy's width
// (0 for an original of WordPress, theOriginal or theCard for a library's).
func (o originals) of(rel string) (string, int) {
	h := libraryRel(rel)
	if h == "" {
		return original(rel)
	}
	orig := o[h]
	switch {
	case orig == "" || orig == rel:
		return rel, theOriginal
	case strings.HasSuffix(rel, "-social.jpg"):
		return orig, theCard
	}
	if m := renditionWidth.FindStringSubmatch(rel); m != nil {
		w, _ := strconv.Atoi(m[1])
		return orig, w
	}
	return orig, 0
}

// guess takes, for each library hash no attachment gives the original of, the file of it an
// address names that is most likely its original (one without a width in its name, else the
// widest) as its original: the file a source is asked for.
func (o originals) guess(rels []string) {
	rank := func(rel string) int {
		switch m := renditionWidth.FindStringSubmatch(rel); {
		case strings.HasSuffix(rel, "-social.jpg"):
			return -1
		case m == nil:
			return math.MaxInt // no width in its name: the original
		default:
			w, _ := strconv.Atoi(m[1])
			return w
		}
	}
	known := map[string]bool{}
	for h := range o {
		known[h] = true
	}
	slices.Sort(rels)
	for _, rel := range rels {
		h := libraryRel(rel)
		if h == "" || known[h] {
			continue
		}
		if cur := o[h]; cur == "" || rank(rel) > rank(cur) {
			o[h] = rel
		}
	}
}

// original returns the path of the original of a WordPress upload and, for a resized copy,
// the copy's width (0 for an original).
func original(rel string) (string, int) {
	if m := sizedCopy.FindStringSubmatch(rel); m != nil {
		w, _ := strconv.Atoi(m[2])
		return m[1] + m[4], w
	}
	return rel, 0
}

// A Source gives the files of a WordPress site's wp-content/uploads by their path under it.
type Source interface {
	// Read returns the bytes of the file at rel (2019/05/photo.jpg). folder is the address of
	// the uploads folder as the site wrote it ("https://example.org/wp-content/uploads/",
	// "/wp-content/uploads/"), for a source that downloads. An error wrapping fs.ErrNotExist
	// means the source has no such file; any other error says why it could not be read. Read
	// is called from Workers goroutines at once.
	Read(ctx context.Context, rel, folder string) ([]byte, error)
	// Workers is how many Reads may run at once.
	Workers() int
}

// Folder is a copy of a WordPress site's wp-content/uploads on disk.
type Folder struct {
	Dir string
	// MaxBytes refuses larger files; 0 means media.DefaultMaxBytes.
	MaxBytes int64
}

// Read reads the file at rel, never outside the folder. For another Broadsheet site's picture
// (HASH/photo-960.jpg) whose file is not there, the one file of the folder HASH is its original.
func (f Folder) Read(ctx context.Context, rel, _ string) ([]byte, error) {
	name := filepath.Join(f.Dir, filepath.FromSlash(path.Clean("/"+rel)))
	file, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		if h := libraryRel(rel); h != "" {
			if list, lerr := os.ReadDir(filepath.Join(f.Dir, h)); lerr == nil {
				list = slices.DeleteFunc(list, func(e fs.DirEntry) bool { return !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") })
				if len(list) == 1 {
					file, err = os.Open(filepath.Join(f.Dir, h, list[0].Name()))
				}
			}
		}
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("not in the uploads folder: %w", err)
		}
		return nil, err
	}
	defer file.Close()
	limit := f.MaxBytes
	if limit <= 0 {
		limit = media.DefaultMaxBytes
	}
	return readLimited(file, limit)
}

// Workers is 1: reading a disk is not sped up by asking twice.
func (Folder) Workers() int { return 1 }

// MediaOptions configure ImportMedia; the zero value works.
type MediaOptions struct {
	// Attachments are the WordPress attachment pages of the import, from its summaries.
	Attachments []Attachment
	// Progress, when set, is called after each picture, from one goroutine at a time.
	Progress func(MediaProgress)
}

// MediaProgress is how far moving pictures in has come.
type MediaProgress struct {
	// Done of Total files were looked at: Fetched read, Skipped already in the library,
	// Failed neither.
	Done, Total, Fetched, Skipped, Failed int
}

// picture is what became of one file under wp-content/uploads.
type picture struct {
	item   *media.Item
	reason string // why it could not be moved in
}

// ImportMedia moves the pictures stories take from a WordPress site into the library: every
// address under wp-content/uploads in a story's body or featured image, and every attachment's
// picture, that src has is added (a resized copy by its original), the story is rewritten to
// the library's address, and the old path answers with a redirect. Another Broadsheet site's
// library addresses (/media/HASH/…, from its export) move in the same way, src then holding
// its pictures under HASH/ (export --media-dir); those of this site's own library stay as they
// are. Running it again adds and reads nothing twice: a picture whose old path already leads
// into the library is taken from there. A picture that cannot be read or is not an image is
// listed with the reason, never dropped: its stories keep the old addresses. Only the store's and the library's own failures
// (a full disk, an object store that fails) stop it. The old pages of attachments lead to
// their pictures once moved in, else to where the picture's old address leads, else answer
// 410 Gone.
func ImportMedia(ctx context.Context, st store.Store, lib *media.Library, src Source, opt MediaOptions) (MediaSummary, error) {
	sum := MediaSummary{Missing: map[string][]string{}, Reasons: map[string]string{}}
	// The uploads every story and attachment uses, with the folder each was seen under.
	folders := map[string]string{}
	note := func(s string) {
		for _, re := range []*regexp.Regexp{uploadsURL, libraryURL} {
			for _, m := range re.FindAllStringSubmatch(s, -1) {
				rel := unescape(m[1])
				if _, ok := folders[rel]; !ok {
					folders[rel] = m[0][:len(m[0])-len(m[1])]
				}
			}
		}
	}
	if err := eachArticle(ctx, st, func(a *article.Article) error {
		note(a.Body)
		note(a.BodyHTML)
		note(a.ImageURL)
		return nil
	}); err != nil {
		return sum, err
	}
	o := originals{}
	for _, at := range opt.Attachments {
		if at.Upload != "" {
			if _, ok := folders[at.Upload]; !ok {
				folders[at.Upload] = folderOf(at.URL)
			}
			if h := libraryRel(at.Upload); h != "" {
				o[h] = at.Upload
			}
		}
	}
	// This site's own pictures are where they belong.
	ours := map[string]bool{}
	for rel := range folders {
		h := libraryRel(rel)
		if h == "" {
			continue
		}
		if _, seen := ours[h]; !seen {
			_, err := st.MediaByHash(ctx, h)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return sum, err
			}
			ours[h] = err == nil
		}
		if ours[h] {
			delete(folders, rel)
		}
	}
	o.guess(slices.Collect(maps.Keys(folders)))

	// Originals first; the resized copies whose original could not be had, after.
	got := map[string]*picture{}
	origs := map[string]string{} // an original's path → its folder, as a copy was seen under
	for rel, folder := range folders {
		if orig, _ := o.of(rel); origs[orig] == "" {
			origs[orig] = folder
		}
	}
	var first, second []string
	for orig, folder := range origs {
		if _, ok := folders[orig]; !ok {
			folders[orig] = folder
		}
		first = append(first, orig)
	}
	sort.Strings(first)
	if p, ok := src.(preparer); ok {
		wanted := slices.Clone(first)
		for rel := range folders {
			wanted = append(wanted, rel)
		}
		if err := p.Prepare(ctx, wanted); err != nil {
			return sum, err
		}
	}
	words := map[string]Attachment{}
	for _, at := range opt.Attachments {
		words[at.Upload] = at
	}
	l := &loader{st: st, lib: lib, src: src, words: words, sum: &sum, got: got, progress: opt.Progress, total: len(first)}
	if err := l.load(ctx, first, folders); err != nil {
		return sum, err
	}
	for rel := range folders {
		if orig, _ := o.of(rel); orig != rel && got[orig].item == nil && got[rel] == nil {
			second = append(second, rel)
		}
	}
	sort.Strings(second)
	l.total += len(second)
	if err := l.load(ctx, second, folders); err != nil {
		return sum, err
	}

	resolve := func(rel string) (*media.Item, int, string) {
		orig, width := o.of(rel)
		if p := got[orig]; p != nil && p.item != nil {
			return p.item, width, ""
		}
		if p := got[rel]; p != nil && p.item != nil {
			return p.item, 0, ""
		}
		if p := got[rel]; p != nil {
			return nil, 0, p.reason
		}
		if p := got[orig]; p != nil {
			return nil, 0, p.reason
		}
		return nil, 0, "not looked for"
	}
	err := eachArticle(ctx, st, func(a *article.Article) error {
		changed, err := movePictures(ctx, st, a, ours, resolve, &sum)
		if err != nil {
			return err
		}
		if changed {
			if err := st.UpdateArticle(ctx, a); err != nil {
				return fmt.Errorf("story %q: %w", a.Title, err)
			}
			sum.Stories++
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	return sum, attachmentPictures(ctx, st, opt.Attachments, ours, resolve, &sum)
}

// eachArticle calls fn with every article, a page at a time.
func eachArticle(ctx context.Context, st store.Store, fn func(a *article.Article) error) error {
	const page = 200
	for offset := 0; ; offset += page {
		list, _, err := st.ListArticles(ctx, store.ArticleQuery{Limit: page, Offset: offset})
		if err != nil {
			return err
		}
		for _, a := range list {
			if err := fn(a); err != nil {
				return err
			}
		}
		if len(list) < page {
			return nil
		}
	}
}

// unescape decodes a path's %-escapes, leaving it as it is when they are broken.
func unescape(rel string) string {
	if u, err := url.PathUnescape(rel); err == nil {
		return u
	}
	return rel
}

// folderOf is the uploads (or library) folder's address in a file's address, or "".
func folderOf(file string) string {
	for _, re := range []*regexp.Regexp{uploadsURL, libraryURL} {
		if m := re.FindStringSubmatch(file); m != nil {
			return m[0][:len(m[0])-len(m[1])]
		}
	}
	return ""
}

// loader reads pictures from a source, several at once, and adds them to the library.
type loader struct {
	st       store.Store
	lib      *media.Library
	src      Source
	words    map[string]Attachment // by Upload: the words pictures come with
	progress func(MediaProgress)

	mu    sync.Mutex // guards what follows
	sum   *MediaSummary
	got   map[string]*picture
	done  int
	total int
	fails int
}

// load moves in the pictures at paths (under wp-content/uploads), Workers at a time; it stops
// at the first failure of the store or the library.
func (l *loader) load(ctx context.Context, paths []string, folders map[string]string) error {
	if len(paths) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(l.src.Workers(), 1)
	// Decoding and resizing take a core and tens of megabytes each: no more at once than cores.
	processing := make(chan struct{}, min(workers, runtime.GOMAXPROCS(0)))
	next := make(chan string)
	var (
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
	)
	for range min(workers, len(paths)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rel := range next {
				p, fetched, skipped, err := l.one(ctx, rel, folders[rel], processing)
				if err != nil {
					errMu.Lock()
					if first == nil {
						first = err
					}
					errMu.Unlock()
					cancel()
					continue
				}
				l.record(rel, p, fetched, skipped)
			}
		}()
	}
	for _, rel := range paths {
		select {
		case next <- rel:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return context.Cause(ctx)
}

// record keeps what became of one picture and reports progress.
func (l *loader) record(rel string, p *picture, fetched, skipped bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got[rel] = p
	l.done++
	switch {
	case skipped:
		l.sum.Skipped++
	case fetched:
		l.sum.Fetched++
	}
	if p.item == nil {
		l.fails++
	}
	if l.progress != nil {
		l.progress(MediaProgress{Done: l.done, Total: l.total, Fetched: l.sum.Fetched, Skipped: l.sum.Skipped, Failed: l.fails})
	}
}

// one moves in the picture at rel: from the library when an earlier run moved it in (its old
// address leads there), else read from the source and added. A picture that cannot be had is
// a reason, not an error; errors are the store's and the library's.
func (l *loader) one(ctx context.Context, rel, folder string, processing chan struct{}) (p *picture, fetched, skipped bool, err error) {
	if to, err := l.st.Redirect(ctx, pictureAddress(rel)); err == nil {
		if h := media.HashFromURL(to); h != "" {
			if it, err := l.st.MediaByHash(ctx, h); err == nil {
				return &picture{item: it}, false, true, nil
			}
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, false, false, err
	}
	data, err := l.src.Read(ctx, rel, folder)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, false, ctx.Err()
		}
		return &picture{reason: err.Error()}, false, false, nil
	}
	select {
	case processing <- struct{}{}:
	case <-ctx.Done():
		return nil, false, false, ctx.Err()
	}
	at := l.words[rel]
	name := at.Name
	if name == "" {
		name = path.Base(rel)
	}
	it, created, err := l.lib.Add(ctx, l.st, media.Upload{Name: name, Data: data, Alt: at.Alt, Caption: at.Caption,
		Credit: at.Credit, Description: at.Description, FocusX: at.FocusX, FocusY: at.FocusY, CreatedAt: at.Date})
	<-processing
	switch {
	case errors.Is(err, media.ErrUnsupported) || errors.Is(err, media.ErrCorrupt) ||
		errors.Is(err, media.ErrTooManyPixels) || errors.Is(err, media.ErrTooBig):
		return &picture{reason: err.Error()}, true, false, nil
	case err != nil:
		return nil, false, false, fmt.Errorf("picture %s: %w", rel, err)
	}
	if created {
		l.mu.Lock()
		l.sum.Added++
		l.mu.Unlock()
	}
	// The record a run interrupted from here on resumes by: the old path leads into the library.
	if err := addRedirect(ctx, l.st, pictureAddress(rel), it.URL()); err != nil {
		return nil, false, false, err
	}
	return &picture{item: it}, true, false, nil
}

// addRedirect keeps an old picture address leading to a new one, unless they are one (a
// picture of another Broadsheet site whose library address is the same here).
func addRedirect(ctx context.Context, st store.Store, from, to string) error {
	if from == to {
		return nil
	}
	return st.AddRedirect(ctx, from, to)
}

// attachmentPictures leads the old pages of attachments to their pictures: the library's
// original when the picture was moved in (its old address then leads there too), else where
// its old address leads, else nowhere (410 Gone). A picture no story shows that could not be
// moved in is listed as missing.
func attachmentPictures(ctx context.Context, st store.Store, attachments []Attachment, ours map[string]bool,
	resolve func(rel string) (*media.Item, int, string), sum *MediaSummary) error {
	for _, at := range attachments {
		if at.Upload == "" || ours[libraryRel(at.Upload)] {
			continue
		}
		it, _, reason := resolve(at.Upload)
		to := ""
		var err error
		if it != nil {
			to = it.URL()
			if _, err := st.Redirect(ctx, pictureAddress(at.Upload)); errors.Is(err, store.ErrNotFound) {
				if err := addRedirect(ctx, st, pictureAddress(at.Upload), to); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
		} else {
			if _, ok := sum.Missing[at.URL]; !ok && at.URL != "" {
				sum.Missing[at.URL] = nil
				sum.Reasons[at.URL] = reason
			}
			if to, err = st.Redirect(ctx, pictureAddress(at.Upload)); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		for _, f := range at.From {
			old, err := st.Redirect(ctx, f)
			if errors.Is(err, store.ErrNotFound) || err == nil && old == "" || err == nil && strings.HasPrefix(old, media.Prefix) {
				if err := st.AddRedirect(ctx, f, to); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
		}
	}
	return nil
}

// pictureURL finds an upload address (group 1 its path) or a library address (group 2).
var pictureURL = regexp.MustCompile(uploadsURL.String() + "|" + libraryURL.String())

// movePictures rewrites a's upload addresses (and another Broadsheet site's library addresses;
// not those of ours, the hashes of this site's library) to the library's, adding redirects from
// the old paths, and lists in sum the pictures it could not; it reports whether a changed.
func movePictures(ctx context.Context, st store.Store, a *article.Article, ours map[string]bool,
	resolve func(rel string) (*media.Item, int, string), sum *MediaSummary) (bool, error) {
	changed := false
	var failed error
	items := map[string]*media.Item{} // by hash: the pictures moved in
	replace := func(s string, featured bool) string {
		return pictureURL.ReplaceAllStringFunc(s, func(old string) string {
			if failed != nil {
				return old
			}
			m := pictureURL.FindStringSubmatch(old)
			rel := unescape(m[1] + m[2])
			if ours[libraryRel(rel)] {
				return old
			}
			it, width, reason := resolve(rel)
			if it == nil {
				if !slices.Contains(sum.Missing[old], a.Title) {
					sum.Missing[old] = append(sum.Missing[old], a.Title)
				}
				sum.Reasons[old] = reason
				return old
			}
			items[it.Hash] = it
			var to string
			switch {
			case featured || width == theOriginal:
				to = it.URL() // pages choose a featured image's rendition
			case width == theCard:
				to = it.SocialURL()
			case width > 0:
				to = media.URL(it.Fit(width).File)
			default:
				to = media.URL(it.Fit(960).File)
			}
			if err := addRedirect(ctx, st, pictureAddress(rel), to); err != nil {
				failed = err
				return old
			}
			changed = changed || to != old
			return to
		})
	}
	a.Body = fillAlt(replace(a.Body, false), items)
	a.BodyHTML = fillAlt(replace(a.BodyHTML, false), items)
	a.ImageURL = replace(a.ImageURL, true)
	if a.ImageURL != "" && a.ImageAlt == "" {
		if it := items[media.HashFromURL(a.ImageURL)]; it != nil && it.Alt != "" {
			a.ImageAlt = it.Alt
			changed = true
		}
	}
	return changed, failed
}

// imgTag finds an <img> tag; altAttr, its alt attribute (group 2 the value, in either quotes).
var (
	imgTag  = regexp.MustCompile(`(?i)<img\b[^>]*>`)
	srcAttr = regexp.MustCompile(`(?i)\ssrc\s*=\s*["']?([^"'\s>]+)`)
	altAttr = regexp.MustCompile(`(?i)\salt\s*=\s*("([^"]*)"|'([^']*)'|[^\s>]*)`)
)

// fillAlt gives each <img> of s that shows a library picture and has no alt text (or an empty
// one) the picture's alt text from the library, which an import took from its attachment.
func fillAlt(s string, items map[string]*media.Item) string {
	if len(items) == 0 {
		return s
	}
	return imgTag.ReplaceAllStringFunc(s, func(tag string) string {
		src := srcAttr.FindStringSubmatch(tag)
		if src == nil {
			return tag
		}
		it := items[media.HashFromURL(src[1])]
		if it == nil || it.Alt == "" {
			return tag
		}
		alt := ` alt="` + html.EscapeString(it.Alt) + `"`
		if m := altAttr.FindStringSubmatchIndex(tag); m != nil {
			if strings.TrimSpace(strings.Trim(tag[m[2]:m[3]], `"'`)) != "" {
				return tag
			}
			return tag[:m[0]] + alt + tag[m[1]:]
		}
		i := len("<img")
		return tag[:i] + alt + tag[i:]
	})
}
