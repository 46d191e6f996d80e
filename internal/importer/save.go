package importer

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
)

// saveArticle creates the article keyed by source and key, or updates the one an earlier import
// created from it, and keeps the key with link as the record's address at its source. It fills
// in the slug (made unique), the taxonomy's IDs and the rendered body. A record the store cannot
// take is skipped with its reason, and saveArticle returns ok false.
func (r *run) saveArticle(source, key, link string, a *article.Article) (created, ok bool, err error) {
	k, err := r.tx.ImportKey(r.ctx, source, key)
	switch {
	case err == nil:
		old, err := r.tx.Article(r.ctx, k.ArticleID)
		if err != nil {
			return false, false, err
		}
		a.ID, a.Version, a.CreatedAt = old.ID, old.Version, old.CreatedAt
	case !errors.Is(err, store.ErrNotFound):
		return false, false, err
	}
	a.Title = strings.TrimSpace(a.Title)
	if a.Title == "" {
		a.Title = r.untitled(a)
	}
	if utf8.RuneCountInString(a.Title) > article.MaxTitleLen {
		a.Title = article.Excerpt(a.Title, article.MaxTitleLen-1)
	}
	if utf8.RuneCountInString(a.Standfirst) > article.MaxStandfirstLen {
		a.Standfirst = article.Excerpt(a.Standfirst, article.MaxStandfirstLen-1)
	}
	if a.ImageURL != "" && strings.TrimSpace(a.ImageAlt) == "" {
		a.ImageAlt = a.Title
	}
	fallback := string(a.Kind)
	if fallback == "" {
		fallback = string(article.Story)
	}
	asked := slugOf(a.Slug, a.Title, fallback)
	if a.Slug, err = r.uniqueSlug(asked, a.ID); err != nil {
		return false, false, err
	}
	if a.Slug != asked {
		r.sum.rename(asked, a.Slug)
	}
	if err := r.opt.Renderer.Prepare(a); err != nil {
		if v, isV := article.AsValidation(err); isV {
			r.sum.skip(strings.TrimPrefix(v.Error(), "article: "), a.Title)
			return false, false, nil
		}
		return false, false, err
	}
	if err := r.resolveTerms(a); err != nil {
		return false, false, err
	}
	if a.ID == 0 {
		err = r.tx.CreateArticle(r.ctx, a)
	} else {
		err = r.tx.UpdateArticle(r.ctx, a)
	}
	if err != nil {
		return false, false, err
	}
	r.learnTerms(a)
	if err := r.tx.SaveImportKey(r.ctx, store.ImportKey{Source: source, Key: key, ArticleID: a.ID, URL: link}); err != nil {
		return false, false, err
	}
	kind := KindStory
	if a.Kind == article.Page {
		kind = KindPage
	}
	r.sum.count(kind, k.ArticleID == 0)
	return k.ArticleID == 0, true, nil
}

// untitled makes a headline for a story that has none: "Untitled draft" for a draft or a story
// awaiting review (which an editor will name), else the start of the words readers see, as
// WordPress lists such posts by their excerpt; never markup nor a <!--more--> mark.
func (r *run) untitled(a *article.Article) string {
	if a.Status == article.Draft || a.Status == article.Pending {
		return "Untitled draft"
	}
	if h, err := r.opt.Renderer.HTML(a.Body); err == nil {
		if t := article.Excerpt(r.opt.Renderer.PlainText(h), 60); t != "" {
			return t
		}
	}
	return "Untitled"
}

// slugOf is the slug an article asks for: its own when valid (WordPress keeps non-Latin slugs
// percent-encoded, which is decoded first), else one made from it or from the title.
func slugOf(slug, title, fallback string) string {
	if u, err := url.PathUnescape(slug); err == nil {
		slug = u
	}
	if article.ValidSlug(slug) {
		return slug
	}
	if s := slugify(slug); s != "" {
		return s
	}
	if s := slugify(title); s != "" {
		return s
	}
	return fallback
}

// slugify is article.Slugify held to article.MaxSlugLen runes, which it can pass by one when a
// hyphen falls at the limit.
func slugify(s string) string {
	s = article.Slugify(s)
	if r := []rune(s); len(r) > article.MaxSlugLen {
		s = strings.TrimRight(string(r[:article.MaxSlugLen]), "-")
	}
	return s
}

// uniqueSlug returns base, or base-2, base-3 … the first slug no article but id holds, cut so
// that the suffix keeps it within article.MaxSlugLen.
func (r *run) uniqueSlug(base string, id int64) (string, error) {
	for i := 1; ; i++ {
		s := base
		if i > 1 {
			suffix := "-" + strconv.Itoa(i)
			runes := []rune(base)
			if n := article.MaxSlugLen - len(suffix); len(runes) > n {
				runes = runes[:n]
			}
			s = strings.TrimRight(string(runes), "-") + suffix
		}
		taken, err := r.tx.SlugTaken(r.ctx, s, id)
		if err != nil {
			return "", err
		}
		if !taken {
			return s, nil
		}
	}
}

// termSlug is the slug of a section, tag or byline from its WordPress nicename, or its name.
func termSlug(nicename, name string) string {
	return slugOf(nicename, name, "")
}

// resolveTerms sets the IDs of the article's section, tags and bylines that exist already, so
// that the store does not look them up again, and counts those the store is about to create.
func (r *run) resolveTerms(a *article.Article) error {
	if s := a.Section.Slug; s != "" && a.Section.ID == 0 {
		id, seen := r.sections[s]
		if !seen {
			sec, err := r.tx.SectionBySlug(r.ctx, s)
			switch {
			case err == nil:
				id = sec.ID
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			r.sections[s] = id
		}
		a.Section.ID = id
	}
	for i := range a.Tags {
		t := &a.Tags[i]
		id, seen := r.tags[t.Slug]
		if !seen {
			tag, err := r.tx.TagBySlug(r.ctx, t.Slug)
			switch {
			case err == nil:
				id = tag.ID
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			r.tags[t.Slug] = id
		}
		t.ID = id
	}
	for i := range a.Authors {
		au := &a.Authors[i]
		if au.ID != 0 {
			continue
		}
		id, seen := r.authors[au.Slug]
		if !seen {
			x, err := r.tx.AuthorBySlug(r.ctx, au.Slug)
			switch {
			case err == nil:
				id = x.ID
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			r.authors[au.Slug] = id
		}
		au.ID = id
	}
	return nil
}

// learnTerms records the IDs the store gave to the sections, tags and bylines it created.
func (r *run) learnTerms(a *article.Article) {
	if s := a.Section.Slug; s != "" && r.sections[s] == 0 && a.Section.ID != 0 {
		r.sections[s] = a.Section.ID
		r.sum.Created[KindSection]++
	}
	for _, t := range a.Tags {
		if r.tags[t.Slug] == 0 && t.ID != 0 {
			r.tags[t.Slug] = t.ID
			r.sum.Created[KindTag]++
		}
	}
	for _, au := range a.Authors {
		if r.authors[au.Slug] == 0 && au.ID != 0 {
			r.authors[au.Slug] = au.ID
			r.sum.Created[KindAuthor]++
		}
	}
}

// dedupeTags drops tags whose slug is empty or repeated.
func dedupeTags(tags []article.Tag) []article.Tag {
	out := tags[:0]
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Slug == "" || seen[t.Slug] {
			continue
		}
		seen[t.Slug] = true
		out = append(out, t)
	}
	return out
}

// saveComment creates the comment keyed by source and key, or updates the one an earlier import
// created from it. It returns the comment's ID and whether it was created. fresh says that the
// comment's story was created by this import, so that no earlier import can have kept it: keys
// go with their comments, and comments with their stories.
func (r *run) saveComment(source, key string, c *comment.Comment, fresh bool) (int64, bool, error) {
	k, err := store.ImportKey{}, store.ErrNotFound
	if !fresh {
		k, err = r.tx.ImportKey(r.ctx, source, key)
	}
	switch {
	case err == nil:
		old, err := r.tx.Comment(r.ctx, k.CommentID)
		if err != nil {
			return 0, false, err
		}
		old.AuthorName, old.AuthorEmail, old.AuthorURL = c.AuthorName, c.AuthorEmail, c.AuthorURL
		old.Content, old.Status = c.Content, c.Status
		if err := r.tx.UpdateComment(r.ctx, old); err != nil {
			return 0, false, err
		}
		r.sum.count(commentKind(c.Type), false)
		return old.ID, false, nil
	case !errors.Is(err, store.ErrNotFound):
		return 0, false, err
	}
	if err := r.tx.CreateComment(r.ctx, c); err != nil {
		return 0, false, err
	}
	if err := r.tx.SaveImportKey(r.ctx, store.ImportKey{Source: source, Key: key, CommentID: c.ID}); err != nil {
		return 0, false, err
	}
	r.sum.count(commentKind(c.Type), true)
	return c.ID, true, nil
}

// commentKind is the Summary kind of a comment type.
func commentKind(t comment.Type) string {
	switch t {
	case comment.Pingback:
		return KindPingback
	case comment.Trackback:
		return KindTrackback
	}
	return KindComment
}

// importedComment is a comment of a file, before its parent is known.
type importedComment struct {
	key       string // its import key
	id        string // its identifier in the file
	parent    string // the identifier of the comment it replies to, or ""
	c         *comment.Comment
	createdAt string // for skip messages
}

// saveThread saves the comments of one story so that every parent is saved before its replies,
// whatever their order in the file. A reply whose parent is neither in list nor kept from an
// earlier import becomes a top-level comment.
func (r *run) saveThread(source string, list []importedComment, ids map[string]int64, fresh bool) error {
	if ids == nil {
		ids = map[string]int64{}
	}
	inFile := make(map[string]bool, len(list))
	for _, ic := range list {
		inFile[ic.id] = true
	}
	done := make([]bool, len(list))
	for left := len(list); left > 0; {
		progress := false
		for i, ic := range list {
			if done[i] {
				continue
			}
			if ic.parent != "" {
				if id, ok := ids[ic.parent]; ok {
					ic.c.ParentID = id
				} else if inFile[ic.parent] {
					continue // its parent comes first
				} else if k, err := r.tx.ImportKey(r.ctx, source, parentKey(ic.key, ic.parent)); err == nil && k.CommentID != 0 {
					ic.c.ParentID = k.CommentID
				}
			}
			id, _, err := r.saveComment(source, ic.key, ic.c, fresh)
			if err != nil {
				return fmt.Errorf("comment %s: %w", ic.id, err)
			}
			ids[ic.id], done[i] = id, true
			left--
			progress = true
			if err := r.step(); err != nil {
				return err
			}
		}
		if !progress {
			// A loop of replies: break it at the first one left.
			for i := range list {
				if !done[i] {
					inFile[list[i].parent] = false
					break
				}
			}
		}
	}
	return nil
}

// parentKey is the import key of the comment parent, in the key scheme of child ("comment:12").
func parentKey(child, parent string) string {
	if i := strings.LastIndexByte(child, ':'); i >= 0 {
		return child[:i+1] + parent
	}
	return parent
}

// redirect keeps from answering with a redirect to to. Paths that are not absolute, the front
// page and paths that lead to themselves are left alone.
func (r *run) redirect(from, to string) error {
	if from == "" || from == "/" || from == to || !strings.HasPrefix(from, "/") || strings.HasPrefix(from, "//") {
		return nil
	}
	if err := r.tx.AddRedirect(r.ctx, from, to); err != nil {
		return err
	}
	r.sum.Redirects++
	return nil
}

// oldPath is the key of a redirect from link: its path, or "/?p=ID" (and page_id) for
// WordPress's plain links. Links with another query answer "": no request path matches them.
func oldPath(link string) string {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return ""
	}
	q := u.Query()
	if u.Path == "" || u.Path == "/" || u.Path == "/index.php" {
		for _, name := range []string{"p", "page_id"} {
			if v := q.Get(name); v != "" {
				return "/?" + name + "=" + url.QueryEscape(v)
			}
		}
		return ""
	}
	if u.RawQuery != "" {
		return ""
	}
	p := u.Path
	for strings.Contains(p, "//") { // a link WordPress wrote with a doubled slash
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p
}

// live reports whether an article of status s had a public address to keep.
func live(s article.Status) bool {
	return s == article.Published || s == article.Scheduled
}
