package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

// MediaSummary tells what moving a site's pictures in did.
type MediaSummary struct {
	// Added counts pictures new to the library; Stories, the stories whose pictures now come
	// from it.
	Added, Stories int
	// Missing lists, by old address, the pictures that were not in the folder, with the
	// headlines of the stories that use them.
	Missing map[string][]string
}

// WriteTo prints the summary for a person.
func (s MediaSummary) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Pictures: %d added to the library, %d stories now show them from it.\n", s.Added, s.Stories)
	if len(s.Missing) > 0 {
		fmt.Fprintf(&b, "%d pictures were not in the uploads folder; their stories keep the old addresses:\n", len(s.Missing))
		urls := make([]string, 0, len(s.Missing))
		for u := range s.Missing {
			urls = append(urls, u)
		}
		sort.Strings(urls)
		for _, u := range urls {
			fmt.Fprintf(&b, "  %s (in %s)\n", u, strings.Join(s.Missing[u], "; "))
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

// ImportMedia moves the pictures stories take from a WordPress site into the library: every
// address under wp-content/uploads in a story's body or featured image that names a file in dir
// (a copy of the old wp-content/uploads) is added (a resized copy by its original), the story
// is rewritten to the library's address, and the old path answers with a redirect. Running it
// again adds nothing twice. Pictures not found are listed, never dropped: their stories keep
// the old addresses. The old pages of attachments (from the import's summaries) lead to their
// pictures once moved in, else to where the picture's old address leads, else answer 410 Gone.
func ImportMedia(ctx context.Context, st store.Store, lib *media.Library, dir string, attachments []Attachment) (MediaSummary, error) {
	sum := MediaSummary{Missing: map[string][]string{}}
	found := map[string]*media.Item{} // original's path under uploads → item; nil: missing
	resolve := func(rel string) (*media.Item, int, error) {
		width := 0
		orig := rel
		if m := sizedCopy.FindStringSubmatch(rel); m != nil {
			orig = m[1] + m[4]
			width, _ = strconv.Atoi(m[2])
		}
		for _, p := range []string{orig, rel} {
			if it, ok := found[p]; ok {
				if it != nil {
					return it, width, nil
				}
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path.Clean("/"+p))))
			if err != nil {
				found[p] = nil
				continue
			}
			it, created, err := lib.Add(ctx, st, media.Upload{Name: path.Base(p), Data: data})
			if err != nil {
				return nil, 0, fmt.Errorf("picture %s: %w", p, err)
			}
			if created {
				sum.Added++
			}
			found[p] = it
			if p == rel {
				width = 0 // the copy itself was found: it is the original
			}
			return it, width, nil
		}
		return nil, 0, nil
	}

	const page = 200
	for offset := 0; ; offset += page {
		list, _, err := st.ListArticles(ctx, store.ArticleQuery{Limit: page, Offset: offset})
		if err != nil {
			return sum, err
		}
		for _, a := range list {
			changed, err := movePictures(ctx, st, a, resolve, sum.Missing)
			if err != nil {
				return sum, err
			}
			if changed {
				if err := st.UpdateArticle(ctx, a); err != nil {
					return sum, fmt.Errorf("story %q: %w", a.Title, err)
				}
				sum.Stories++
			}
		}
		if len(list) < page {
			break
		}
	}
	if err := attachmentPictures(ctx, st, attachments, resolve); err != nil {
		return sum, err
	}
	return sum, nil
}

// uploadsPath is the old address of a picture under wp-content/uploads, kept at the root.
func uploadsPath(rel string) string { return "/wp-content/uploads/" + rel }

// attachmentPictures leads the old pages of attachments to their pictures: the library's
// original when the picture is in the folder (its old address then leads there too), else
// where its old address leads, else nowhere (410 Gone).
func attachmentPictures(ctx context.Context, st store.Store, attachments []Attachment,
	resolve func(rel string) (*media.Item, int, error)) error {
	for _, at := range attachments {
		if at.Upload == "" {
			continue
		}
		it, _, err := resolve(at.Upload)
		if err != nil {
			return err
		}
		to := ""
		if it != nil {
			to = it.URL()
			if _, err := st.Redirect(ctx, uploadsPath(at.Upload)); errors.Is(err, store.ErrNotFound) {
				if err := st.AddRedirect(ctx, uploadsPath(at.Upload), to); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
		} else if to, err = st.Redirect(ctx, uploadsPath(at.Upload)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
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

// movePictures rewrites a's upload addresses to the library's, adding redirects from the old
// paths; it reports whether a changed.
func movePictures(ctx context.Context, st store.Store, a *article.Article,
	resolve func(rel string) (*media.Item, int, error), missing map[string][]string) (bool, error) {
	changed := false
	var failed error
	replace := func(s string, featured bool) string {
		return uploadsURL.ReplaceAllStringFunc(s, func(old string) string {
			if failed != nil {
				return old
			}
			rel := uploadsURL.FindStringSubmatch(old)[1]
			if u, err := url.PathUnescape(rel); err == nil {
				rel = u
			}
			it, width, err := resolve(rel)
			if err != nil {
				failed = err
				return old
			}
			if it == nil {
				if !strings.Contains(strings.Join(missing[old], "\x00"), a.Title) {
					missing[old] = append(missing[old], a.Title)
				}
				return old
			}
			fit := it.Fit(960)
			if width > 0 {
				fit = it.Fit(width)
			}
			to := media.URL(fit.File)
			if featured {
				to = it.URL() // pages choose the rendition
			}
			if err := st.AddRedirect(ctx, uploadsPath(rel), to); err != nil {
				failed = err
				return old
			}
			changed = true
			return to
		})
	}
	a.Body = replace(a.Body, false)
	a.BodyHTML = replace(a.BodyHTML, false)
	a.ImageURL = replace(a.ImageURL, true)
	return changed, failed
}
