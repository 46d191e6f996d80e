package exporter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/wxr"
)

// MediaIDBase is added to a library item's ID to make the post ID of its attachment in a WXR
// export, apart from the articles' IDs and from AttachmentIDBase.
const MediaIDBase = 2_000_000_000_000

// MetaMedia holds, on a library item's attachment, what WordPress keeps no field for: a JSON
// MediaWords.
const MetaMedia = "_broadsheet_media"

// MetaImageAlt holds a story's featured image's alt text as the story has it, which may differ
// from its library item's.
const MetaImageAlt = "_broadsheet_image_alt"

// MediaWords are a library item's words that WordPress has no field for.
type MediaWords struct {
	// Name is the file's name as uploaded.
	Name   string  `json:"name,omitempty"`
	Credit string  `json:"credit,omitempty"`
	FocusX float64 `json:"focus_x,omitempty"`
	FocusY float64 `json:"focus_y,omitempty"`
}

// libraryRef finds the item hash in a library address.
var libraryRef = regexp.MustCompile(`/media/([0-9a-f]{32})/`)

// mediaAttr finds a src or href attribute that holds a library address relative to the site.
var mediaAttr = regexp.MustCompile(`(\s(?:src|href)=")/media/`)

// absoluteMedia makes the library addresses of rendered HTML absolute, so that they name the
// site's pictures wherever the HTML goes (WordPress's importer then also finds them).
func absoluteMedia(h, base string) string {
	if base == "" {
		return h
	}
	return mediaAttr.ReplaceAllString(h, "${1}"+strings.ReplaceAll(base, "$", "$$")+"/media/")
}

// library is a site's picture library as an export writes it.
type library struct {
	items  []*media.Item
	byHash map[string]*media.Item
	// parent is, by hash, the article an item belongs to: the first (by ID) that has it as its
	// featured image, else the first that shows it in its body.
	parent map[string]int64
}

// readLibrary reads every library item, oldest first, and the articles that show them.
func readLibrary(ctx context.Context, st Store) (*library, error) {
	lib := &library{byHash: map[string]*media.Item{}, parent: map[string]int64{}}
	for offset := 0; ; offset += pageSize {
		list, _, err := st.ListMedia(ctx, store.MediaQuery{Limit: pageSize, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, it := range list {
			if lib.byHash[it.Hash] == nil {
				lib.byHash[it.Hash] = it
				lib.items = append(lib.items, it)
			}
		}
		if len(list) < pageSize {
			break
		}
	}
	slices.SortFunc(lib.items, func(a, b *media.Item) int { return cmp.Compare(a.ID, b.ID) })
	if len(lib.items) == 0 {
		return lib, nil
	}
	featured := map[string]int64{}
	for offset := 0; ; offset += pageSize {
		list, _, err := st.ListArticles(ctx, store.ArticleQuery{Limit: pageSize, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			if h := media.HashFromURL(a.ImageURL); lib.byHash[h] != nil && (featured[h] == 0 || a.ID < featured[h]) {
				featured[h] = a.ID
			}
			for _, m := range libraryRef.FindAllStringSubmatch(a.Body, -1) {
				if h := m[1]; lib.byHash[h] != nil && (lib.parent[h] == 0 || a.ID < lib.parent[h]) {
					lib.parent[h] = a.ID
				}
			}
		}
		if len(list) < pageSize {
			break
		}
	}
	for h, id := range featured {
		lib.parent[h] = id
	}
	return lib, nil
}

// item is the library item a story's address shows, or nil.
func (l *library) item(u string) *media.Item {
	return l.byHash[media.HashFromURL(u)]
}

// mediaAttachment is a library item as a WordPress attachment: its original's absolute address
// (which WordPress's importer downloads), its place under wp-content/uploads by the month it
// was uploaded, alt text, caption (excerpt) and description (content), and the article it
// belongs to.
func mediaAttachment(it *media.Item, parent int64, opt Options) *wxr.Item {
	url := opt.BaseURL + it.URL()
	title := strings.TrimSuffix(it.Name, path.Ext(it.Name))
	if title == "" {
		title = strings.TrimSuffix(path.Base(it.File), path.Ext(it.File))
	}
	words := MediaWords{Name: it.Name, Credit: it.Credit, FocusX: it.FocusX, FocusY: it.FocusY}
	return &wxr.Item{
		Title:         titleText(title),
		Link:          url,
		GUID:          url,
		Content:       escapeText(it.Description),
		Excerpt:       escapeText(it.Caption),
		PostID:        MediaIDBase + it.ID,
		PostDate:      it.CreatedAt.In(opt.Location),
		PostDateGMT:   it.CreatedAt.UTC(),
		CommentStatus: "closed",
		PingStatus:    "closed",
		PostName:      media.BaseName(title),
		Status:        "inherit",
		PostParent:    parent,
		PostType:      "attachment",
		AttachmentURL: url,
		Postmeta: []wxr.Meta{
			{Key: "_wp_attached_file", Value: it.CreatedAt.UTC().Format("2006/01/") + path.Base(it.File)},
			{Key: "_wp_attachment_image_alt", Value: it.Alt},
			{Key: MetaMedia, Value: jsonText(words)},
		},
	}
}

// pictureRecord is a library item as a line of JSON Lines.
func pictureRecord(it *media.Item, source string, opt Options) *Record {
	return &Record{ID: "picture:" + strconv.FormatInt(it.ID, 10), Kind: KindPicture, Title: it.Name, Source: source,
		Picture: &Picture{URL: opt.BaseURL + it.URL(), File: it.File, Name: it.Name, Alt: it.Alt, Caption: it.Caption,
			Credit: it.Credit, Description: it.Description, FocusX: it.FocusX, FocusY: it.FocusY,
			Width: it.Width, Height: it.Height, Created: timeText(it.CreatedAt)}}
}

// MediaCounts is what WriteMedia wrote.
type MediaCounts struct {
	// Written counts the originals copied; Kept, those the folder already had (an earlier
	// export's); Missing lists the items whose original the media store lacks.
	Written, Kept int
	Missing       []string
}

// WriteMedia copies the original of every library item from files into the folder dir, at the
// path its address has under /media/ (HASH/name.jpg), and nothing derived: the folder is then
// to a Broadsheet site's pictures what a copy of wp-content/uploads is to a WordPress site's,
// and `broadsheet import --media-dir` reads it. Files are written whole or not at all (a
// temporary file, then a link); a file already there is kept, so an interrupted export resumes.
// An original the store lacks is listed, not fatal.
func WriteMedia(ctx context.Context, st Store, files media.Store, dir string) (MediaCounts, error) {
	var n MediaCounts
	lib, err := readLibrary(ctx, st)
	if err != nil {
		return n, fmt.Errorf("exporter: %w", err)
	}
	out, err := media.NewDir(dir)
	if err != nil {
		return n, fmt.Errorf("exporter: %w", err)
	}
	// NewDir's folder for temporary files is left empty: removed, so the folder holds only
	// the pictures.
	defer os.Remove(filepath.Join(dir, ".tmp"))
	for _, it := range lib.items {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		f, err := files.Open(ctx, it.File)
		if errors.Is(err, media.ErrNotFound) {
			n.Missing = append(n.Missing, it.File)
			continue
		}
		if err != nil {
			return n, fmt.Errorf("exporter: picture %s: %w", it.File, err)
		}
		err = out.Put(ctx, it.File, f)
		f.Close()
		switch {
		case errors.Is(err, media.ErrExist):
			n.Kept++
		case err != nil:
			return n, fmt.Errorf("exporter: picture %s: %w", it.File, err)
		default:
			n.Written++
		}
	}
	return n, nil
}
