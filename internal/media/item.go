package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Item is one picture in the library: its files and the words that go with it.
type Item struct {
	ID int64
	// Hash identifies the uploaded bytes (hex SHA-256, 32 digits); every file of the item lives
	// under it, so its URLs never change meaning and are cached for good.
	Hash string
	// Name is the file name as uploaded, for people; File is the stored original's name.
	Name string
	File string
	Type string
	// Width and Height are the original's, as displayed; Size is the stored original's bytes.
	Width, Height int
	Size          int64
	// Sizes are the responsive renditions, narrowest first; Social is the 1200×630 card's file.
	Sizes  []Size
	Social string
	// Alt describes the picture for readers who cannot see it; Caption and Credit go under it.
	Alt, Caption, Credit string
	// Description is longer words about the picture, for the newsroom's library (WordPress
	// keeps it as an attachment's content).
	Description string
	// FocusX and FocusY (0 to 1) are the point crops keep in view.
	FocusX, FocusY float64
	UploaderID     int64
	CreatedAt      time.Time
}

// Size is one rendition of an Item.
type Size struct {
	Width  int    `json:"w"`
	Height int    `json:"h"`
	File   string `json:"file"`
}

// Prefix is where media URLs start.
const Prefix = "/media/"

// URL returns the address of a stored file.
func URL(file string) string { return Prefix + file }

// URL returns the address of the item's original.
func (it *Item) URL() string { return URL(it.File) }

// SocialURL returns the address of the item's social card.
func (it *Item) SocialURL() string { return URL(it.Social) }

// SrcSet returns the srcset attribute value listing the renditions by width.
func (it *Item) SrcSet() string {
	var b strings.Builder
	for i, s := range it.Sizes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(URL(s.File) + " " + strconv.Itoa(s.Width) + "w")
	}
	return b.String()
}

// Fit returns the narrowest rendition at least w pixels wide, or the widest there is.
func (it *Item) Fit(w int) Size {
	for _, s := range it.Sizes {
		if s.Width >= w {
			return s
		}
	}
	if len(it.Sizes) == 0 {
		return Size{Width: it.Width, Height: it.Height, File: it.File}
	}
	return it.Sizes[len(it.Sizes)-1]
}

// HashFromURL returns the item hash a media URL or path names, or "" when u is not one.
// Hosts are ignored, so that absolute URLs from feeds and exports resolve too.
func HashFromURL(u string) string {
	i := strings.Index(u, Prefix)
	if i < 0 {
		return ""
	}
	rest := u[i+len(Prefix):]
	h, _, ok := strings.Cut(rest, "/")
	if !ok || len(h) != hashLen {
		return ""
	}
	if _, err := hex.DecodeString(h); err != nil {
		return ""
	}
	return h
}

const hashLen = 32

// Catalog records items; store.Store implements it. MediaByHash answers an error when no item
// has the hash; CreateMedia answers an error when one already does.
type Catalog interface {
	MediaByHash(ctx context.Context, hash string) (*Item, error)
	CreateMedia(ctx context.Context, it *Item) error
}

// Library takes uploads: it processes each once, writes its files and records it.
type Library struct {
	Files   Store
	Options Options
	// MaxBytes refuses larger uploads (ErrTooBig); 0 means DefaultMaxBytes.
	MaxBytes int64
	Now      func() time.Time
}

// DefaultMaxBytes is the default upload limit: 25 MB.
const DefaultMaxBytes = 25 << 20

// ErrTooBig means an upload is over Library.MaxBytes.
var ErrTooBig = errors.New("file is over the upload size limit")

// Upload is one file a person or an import hands to the library.
type Upload struct {
	// Name is the file's name where it came from; only its last element is kept, cleaned.
	Name                 string
	Data                 []byte
	Alt, Caption, Credit string
	Description          string
	FocusX, FocusY       float64
	UploaderID           int64
	// CreatedAt, when set, is when the picture first came to a library (an import's); else now.
	CreatedAt time.Time
}

// Limit returns the upload limit in bytes.
func (l *Library) Limit() int64 {
	if l.MaxBytes > 0 {
		return l.MaxBytes
	}
	return DefaultMaxBytes
}

// ReadAll reads an upload from r, answering ErrTooBig past the limit.
func (l *Library) ReadAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, l.Limit()+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > l.Limit() {
		return nil, fmt.Errorf("%w (%d MB)", ErrTooBig, l.Limit()>>20)
	}
	return data, nil
}

// Add processes up, stores its files and records it in c. The same bytes uploaded again give
// the item already there (created false). When anything fails, no file of the upload stays.
func (l *Library) Add(ctx context.Context, c Catalog, up Upload) (it *Item, created bool, err error) {
	if int64(len(up.Data)) > l.Limit() {
		return nil, false, fmt.Errorf("%w (%d MB)", ErrTooBig, l.Limit()>>20)
	}
	sum := sha256.Sum256(up.Data)
	hash := hex.EncodeToString(sum[:])[:hashLen]
	if it, err := c.MediaByHash(ctx, hash); err == nil {
		return it, false, nil
	}
	o := l.Options
	o.FocusX, o.FocusY = up.FocusX, up.FocusY
	img, err := Process(up.Data, o)
	if err != nil {
		return nil, false, err
	}
	base := BaseName(up.Name)
	ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}
	name := DisplayName(up.Name)
	if name == "" {
		name = base + ext[img.Type] // raw bytes sent without a name: one for people to read
	}
	it = &Item{
		Hash: hash, Name: name, Type: img.Type,
		File:  hash + "/" + base + ext[img.Type],
		Width: img.Width, Height: img.Height, Size: int64(len(img.Original)),
		Social: hash + "/" + base + "-social.jpg",
		Alt:    strings.TrimSpace(up.Alt), Caption: strings.TrimSpace(up.Caption), Credit: strings.TrimSpace(up.Credit),
		Description: strings.TrimSpace(up.Description),
		FocusX:      up.FocusX, FocusY: up.FocusY, UploaderID: up.UploaderID, CreatedAt: up.CreatedAt.UTC(),
	}
	if it.CreatedAt.IsZero() && l.Now != nil {
		it.CreatedAt = l.Now().UTC()
	}
	files := map[string][]byte{it.File: img.Original, it.Social: img.Social.Data}
	for _, s := range img.Sizes {
		f := hash + "/" + base + "-" + strconv.Itoa(s.Width) + ext[s.Type]
		it.Sizes = append(it.Sizes, Size{Width: s.Width, Height: s.Height, File: f})
		files[f] = s.Data
	}
	var written []string
	undo := func() {
		// The context may be what failed; removal must still happen.
		for _, f := range written {
			_ = l.Files.Delete(context.WithoutCancel(ctx), f)
		}
	}
	for name, data := range files {
		err := l.Files.Put(ctx, name, bytes.NewReader(data))
		if errors.Is(err, ErrExist) {
			continue // same bytes, same processing: the file is already right
		}
		if err != nil {
			undo()
			return nil, false, fmt.Errorf("storing %s: %w", name, err)
		}
		written = append(written, name)
	}
	if err := c.CreateMedia(ctx, it); err != nil {
		if prev, e := c.MediaByHash(ctx, hash); e == nil {
			return prev, false, nil // a concurrent upload of the same bytes won
		}
		undo()
		return nil, false, err
	}
	return it, true, nil
}

// Refocus moves the item's focal point to (fx, fy) (0 to 1, from the left and top) and cuts its
// social card again around it, from its largest rendition as the upload did. The new card gets
// a new name, since a card's address is cached for good; it and its FocusX, FocusY and Social
// change, but not its record. It returns the previous card's name, for the caller to remove
// once the record is saved (or "" when nothing changed).
func (l *Library) Refocus(ctx context.Context, it *Item, fx, fy float64) (old string, err error) {
	fx, fy = min(max(fx, 0), 1), min(max(fy, 0), 1)
	if fx == 0 && fy == 0 {
		fx = 1e-4 // the top-left corner: both zero stands for "not set", the centre
	}
	if fx == it.FocusX && fy == it.FocusY {
		return "", nil
	}
	src := it.Fit(1 << 30)
	f, err := l.Files.Open(ctx, src.File)
	if err != nil {
		return "", fmt.Errorf("media: item %d: %w", it.ID, err)
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return "", fmt.Errorf("media: item %d: reading %s: %w", it.ID, src.File, err)
	}
	card, err := SocialCard(data, fx, fy)
	if err != nil {
		return "", fmt.Errorf("media: item %d: %w", it.ID, err)
	}
	stem := strings.TrimSuffix(path.Base(it.Social), ".jpg")
	if i := strings.LastIndex(stem, "-social"); i > 0 {
		stem = stem[:i]
	} else {
		stem = BaseName(it.Name) // an item recorded without a card of the usual name
	}
	name := fmt.Sprintf("%s/%s-social-%04d-%04d.jpg", it.Hash, stem, int(fx*1e4+0.5), int(fy*1e4+0.5))
	if err := l.Files.Put(ctx, name, bytes.NewReader(card.Data)); err != nil && !errors.Is(err, ErrExist) {
		return "", fmt.Errorf("media: item %d: storing %s: %w", it.ID, name, err)
	}
	old = it.Social
	it.FocusX, it.FocusY, it.Social = fx, fy, name
	if old == name {
		old = ""
	}
	return old, nil
}

// Remove deletes the item's files (not its record). Files already gone are not an error.
func (l *Library) Remove(ctx context.Context, it *Item) error {
	files, err := l.Files.List(ctx, it.Hash+"/")
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := l.Files.Delete(ctx, f.Name); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// DisplayName returns the last element of an uploaded file's name, without control characters
// and at most 200 bytes, for people to read.
func DisplayName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name))
	if name == "." || name == "/" || name == ".." {
		name = ""
	}
	for len(name) > 200 {
		_, size := lastRune(name)
		name = name[:len(name)-size]
	}
	return name
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return rune(s[i]), len(s) - i
		}
	}
	return 0, 1
}

// BaseName returns a safe file-name stem for an upload: the name's last element without its
// extension, lowercase ASCII letters, digits and hyphens, at most 60 bytes, or "image".
func BaseName(name string) string {
	name = DisplayName(name)
	name = strings.TrimSuffix(name, path.Ext(name))
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			if b.Len() >= 60 {
				break
			}
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "image"
	}
	return b.String()
}
