package importer

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/exporter"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/wxr"
)

// image is a featured image: an attachment's address and alt text.
type image struct{ url, alt, caption, title string }

// wxrRun is the state of one WordPress import.
type wxrRun struct {
	*run
	source  string
	authors map[string]*wxr.Author   // by login
	cats    map[string]*wxr.Category // by nicename
	// usedCats and usedTags are the categories and tags stories use, with where they now live.
	usedCats map[string]string
	usedTags map[string]string
	images   map[int64]image
	// waiting are the stories whose featured image comes later in the file.
	waiting []waitingImage
	// children are the attachments of each post, in the file's order, which a [gallery]
	// without ids shows.
	children map[int64][]int64
	// galleries are the stories with a [gallery] or [playlist], converted again once every
	// attachment is known, with their WordPress content.
	galleries []waitingGallery
	users     map[int64]int64 // WordPress user ID → staff account
	site      *wxr.Site
	// srcBase is the path the export says the site lived under ("/blog", or "" at the root);
	// base is the one its old URLs are kept under: srcBase, or Options.OldBaseURL's path.
	srcBase, base string
	// carried is set by a Broadsheet export, whose redirect table travels with it: its own
	// post and term IDs were never public addresses.
	carried bool
	// unusedCats and unusedTags are the terms of the file no story uses.
	unusedCats []*wxr.Category
	unusedTags []*wxr.Tag
	// loginSlugs and slugLogins pair the file's WordPress logins with their byline slugs.
	loginSlugs, slugLogins map[string]string
	// offsets counts the items by the difference between their local and UTC dates: the
	// site's time zone.
	offsets map[time.Duration]int
}

type waitingImage struct{ article, attachment int64 }

type waitingGallery struct {
	article, post int64
	content       string
}

// wxr imports a WordPress export.
func (r *run) wxr(src io.Reader) error {
	w := &wxrRun{run: r, authors: map[string]*wxr.Author{}, cats: map[string]*wxr.Category{},
		usedCats: map[string]string{}, usedTags: map[string]string{}, images: map[int64]image{}, children: map[int64][]int64{},
		users: map[int64]int64{}, offsets: map[time.Duration]int{}, loginSlugs: map[string]string{},
		slugLogins: map[string]string{}}
	w.base = basePath(r.opt.OldBaseURL)
	rd := wxr.NewReader(src)
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch rec := rec.(type) {
		case *wxr.Site:
			w.site = rec
			w.source = "wxr:" + siteKey(rec, r.name)
			r.sum.Source = w.source
			for _, u := range []string{rec.BaseSiteURL, rec.BaseBlogURL, rec.Link} {
				if r.sum.Site == "" {
					r.sum.Site = strings.TrimSpace(u)
				}
			}
			w.srcBase = siteBase(rec)
			if r.opt.OldBaseURL == "" {
				w.base = w.srcBase
			}
		case *wxr.Author:
			w.authors[rec.Login] = rec
			w.authorSlug(rec.Login, plainTitle(rec.DisplayName)) // slugs in the file's order
			if r.opt.Users {
				if err := w.user(rec); err != nil {
					return err
				}
			}
		case *wxr.Category:
			w.cats[rec.Nicename] = rec
			w.unusedCats = append(w.unusedCats, rec)
		case *wxr.Tag:
			w.unusedTags = append(w.unusedTags, rec)
		case *wxr.Term:
			if rec.Taxonomy == exporter.RedirectTaxonomy {
				w.carried = true
				if err := w.carriedRedirects(rec.Meta); err != nil {
					return err
				}
			}
		case *wxr.Item:
			if err := w.item(rec); err != nil {
				return err
			}
		}
		if err := r.step(); err != nil {
			return err
		}
	}
	return w.finish()
}

// siteKey names a WordPress site for import keys: its address without the scheme's noise, or
// the file's name for a partial export without one.
func siteKey(s *wxr.Site, file string) string {
	for _, u := range []string{s.BaseBlogURL, s.Link, s.BaseSiteURL} {
		if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
			return u
		}
	}
	return file
}

// siteBase is the path a WordPress site lived under: that of its home address (base_blog_url),
// else of its WordPress address or its link, without the trailing slash.
func siteBase(s *wxr.Site) string {
	for _, u := range []string{s.BaseBlogURL, s.BaseSiteURL, s.Link} {
		if strings.TrimSpace(u) != "" {
			return basePath(u)
		}
	}
	return ""
}

// basePath is the path of a site address without its trailing slash: "/blog" for
// https://example.org/blog/, "" for a site at the root.
func basePath(site string) string {
	u, err := url.Parse(strings.TrimSpace(site))
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

// old is the old URL of a path of the site: p under the site's base path.
func (w *wxrRun) old(p string) string {
	if w.base == "" || p == "" {
		return p
	}
	return w.base + p
}

// oldLink is the kept path of an item's link: its path (or plain-link query) taken from
// under the export's base path and put under the one the old URLs are kept under.
func (w *wxrRun) oldLink(link string) string {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || (u.Path == "" && u.RawQuery == "") {
		return ""
	}
	rel, ok := strings.CutPrefix(u.Path, w.srcBase)
	if !ok || (rel != "" && !strings.HasPrefix(rel, "/")) {
		return oldPath(link) // a link outside the site's folder: kept as it is
	}
	u.Path = rel
	p := oldPath(u.String())
	if p == "" {
		return ""
	}
	return w.old(p)
}

// item imports one post, page or attachment.
func (w *wxrRun) item(it *wxr.Item) error {
	switch it.PostType {
	case "post", "page":
		return w.post(it)
	case "attachment":
		if n := len(it.Comments); n > 0 {
			// Broadsheet has no attachment pages to hang them on: reported, not dropped unseen.
			for range n {
				w.sum.skip("comment on an attachment (Broadsheet has no attachment pages)", plainTitle(it.Title))
			}
		}
		img := image{url: strings.TrimSpace(it.AttachmentURL), alt: plainTitle(meta(it.Postmeta, "_wp_attachment_image_alt")),
			caption: plainTitle(it.Excerpt), title: plainTitle(it.Title)}
		if img.alt == "" {
			img.alt = plainTitle(it.Title)
		}
		if img.url == "" {
			img.url = strings.TrimSpace(it.GUID)
		}
		w.images[it.PostID] = img
		if it.PostParent != 0 {
			w.children[it.PostParent] = append(w.children[it.PostParent], it.PostID)
		}
		w.attachmentPage(it, img.url)
		return nil
	}
	reason := "post type " + it.PostType
	if it.PostType == "" {
		reason = "item without a post type"
	}
	w.sum.skip(reason, plainTitle(it.Title))
	return nil
}

// attachmentPage notes an attachment's picture with its words, and the old URLs of its page,
// which WordPress answered with a page showing the picture: /?attachment_id=N, /?p=N,
// /?page_id=N, its permalink (under its post's, /2014/05/06/post/photo/, or /photo/) and the
// REST API's /wp-json/wp/v2/media/N. A Broadsheet export's attachments had no pages.
func (w *wxrRun) attachmentPage(it *wxr.Item, file string) {
	if it.Status == "trash" {
		return
	}
	at := Attachment{URL: file, Alt: plainTitle(meta(it.Postmeta, "_wp_attachment_image_alt")),
		Caption: plainTitle(it.Excerpt), Description: plainParagraphs(it.Content), Date: it.PostDateGMT}
	if m := uploadsURL.FindStringSubmatch(file); m != nil && m[0] == file {
		at.Upload = decode(m[1])
	} else if m := libraryURL.FindStringSubmatch(file); m != nil && m[0] == file {
		at.Upload = m[1]
	}
	if v, ok := metaOK(it.Postmeta, exporter.MetaMedia); ok {
		var words exporter.MediaWords
		if err := json.Unmarshal([]byte(v), &words); err != nil {
			w.sum.skip("unreadable "+exporter.MetaMedia+" meta: "+err.Error(), plainTitle(it.Title))
		}
		at.Name, at.Credit = plainTitle(words.Name), plainTitle(words.Credit)
		at.FocusX, at.FocusY = min(max(words.FocusX, 0), 1), min(max(words.FocusY, 0), 1)
	}
	if w.carried {
		w.sum.Attachments = append(w.sum.Attachments, at)
		return
	}
	var from []string
	if it.PostID != 0 {
		id := strconv.FormatInt(it.PostID, 10)
		from = append(from, w.old("/?attachment_id="+id), w.old("/?p="+id), w.old("/?page_id="+id),
			w.old("/wp-json/wp/v2/media/"+id))
	}
	if link := w.oldLink(it.Link); link != "" && !slices.Contains(from, link) {
		from = append(from, link)
	}
	if slug := decode(strings.TrimSpace(it.PostName)); slug != "" && !strings.Contains(slug, "/") && !slices.Contains(from, w.old("/"+slug+"/")) {
		from = append(from, w.old("/"+slug+"/"))
	}
	at.From = from
	w.sum.Attachments = append(w.sum.Attachments, at)
}

// attachmentRedirects keeps the old URLs of the attachments' pages: they lead to the picture's
// old address where that is kept (a picture an earlier import moved into the library), else
// answer 410 Gone until ImportMedia moves the picture in. A story's or page's old URL is never
// taken over: WordPress gave an attachment's page a slug no post had, but a site may not have.
func (w *wxrRun) attachmentRedirects() error {
	for _, at := range w.sum.Attachments {
		to := ""
		if at.Upload != "" {
			t, err := w.tx.Redirect(w.ctx, pictureAddress(at.Upload))
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			to = t
		}
		for _, f := range at.From {
			if t, err := w.tx.Redirect(w.ctx, f); err == nil && t != "" && !strings.HasPrefix(t, media.Prefix) {
				continue
			} else if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err := w.redirect(f, to); err != nil {
				return err
			}
		}
	}
	return nil
}

// wpStatus maps a WordPress post status onto Broadsheet's.
func wpStatus(s string) (article.Status, bool) {
	switch s {
	case "publish":
		return article.Published, true
	case "future":
		return article.Scheduled, true
	case "draft":
		return article.Draft, true
	case "pending":
		return article.Pending, true
	case "private":
		return article.Unpublished, true
	}
	return "", false
}

// post imports a post or page with its comments and old URLs.
func (w *wxrRun) post(it *wxr.Item) error {
	title := plainTitle(it.Title)
	if title == "" {
		title = plainTitle(it.PostName)
	}
	example := title
	if example == "" {
		example = "post " + strconv.FormatInt(it.PostID, 10)
	}
	status, ok := wpStatus(it.Status)
	if it.Status == "trash" {
		// Kept, so that nothing is lost, but not shown: an editor decides. Its slug keeps
		// WordPress's mark (slug__trashed, here slug-trashed), which freed the slug for a live post.
		status, ok = article.Unpublished, true
		w.sum.hold("trashed on the old site: imported unpublished, so nothing is lost", example)
	}
	if !ok {
		w.sum.skip("status "+strconv.Quote(it.Status), example)
		return nil
	}
	if it.PostPassword != "" && status != article.Draft && status != article.Pending {
		status = article.Unpublished
		w.sum.hold("password protection: imported unpublished, to keep the text private", example)
	}
	a := &article.Article{Kind: article.Story, Title: title, Slug: it.PostName, Status: status,
		CommentsOpen: it.CommentStatus != "closed"}
	if it.PostType == "page" {
		a.Kind = article.Page
	}
	var left map[string]int
	if src, ok := metaOK(it.Postmeta, exporter.MetaMarkdown); ok {
		a.Body = src
	} else {
		converted := wordpressHTML(w.converter(it.PostID), it.Content)
		a.Body = markdownSafe(converted)
		if !hasGallery(it.Content) { // counted once every attachment is known (convertGalleries)
			left = leftShortcodes(converted)
		}
	}
	if ex := strings.TrimSpace(it.Excerpt); ex != "" {
		a.Standfirst = w.opt.Renderer.PlainText(ex)
	}
	if !it.PostDate.IsZero() && !it.PostDateGMT.IsZero() {
		site := it.PostDate.Sub(it.PostDateGMT).Round(15 * time.Minute)
		if _, ours := it.PostDateGMT.In(w.opt.Location).Zone(); time.Duration(ours)*time.Second != site {
			w.offsets[site]++
		} else {
			w.offsets[sameZone]++
		}
	}
	pub := it.PostDateGMT
	if pub.IsZero() && (status == article.Published || status == article.Unpublished) {
		pub = it.PostDate // no GMT date: the site's wall clock is the best there is
	}
	if status != article.Draft && status != article.Pending {
		a.PublishedAt = pub
	}
	a.UpdatedAt = it.PostModifiedGMT
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = it.PostModified
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = pub
	}
	a.CreatedAt = pub
	if a.CreatedAt.IsZero() {
		a.CreatedAt = a.UpdatedAt
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = it.PostDate // a draft keeps its date: the site's wall clock is what there is
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.CreatedAt
	}
	w.bylines(it, a)
	w.terms(it, a)
	var thumb int64
	if v := meta(it.Postmeta, "_thumbnail_id"); v != "" {
		thumb, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if img, ok := w.images[thumb]; ok {
			a.ImageURL, a.ImageAlt = img.url, img.alt
			thumb = 0
		}
	}
	if v, ok := metaOK(it.Postmeta, exporter.MetaImage); ok && a.ImageURL != "" {
		a.ImageURL = v
	}
	if v, ok := metaOK(it.Postmeta, exporter.MetaImageAlt); ok && a.ImageURL != "" && strings.TrimSpace(v) != "" {
		a.ImageAlt = plainTitle(v)
	}
	if v, ok := metaOK(it.Postmeta, exporter.MetaNotes); ok {
		var notes []exporter.Note
		if json.Unmarshal([]byte(v), &notes) == nil {
			for _, n := range notes {
				at, _ := parseTime(n.At)
				a.Notes = append(a.Notes, article.Note{Kind: article.NoteKind(n.Kind), Text: n.Text, At: at})
			}
		}
	}
	if status == article.Scheduled && a.PublishedAt.IsZero() {
		a.PublishedAt = it.PostDate
	}
	key := postKey(it)
	created, ok, err := w.saveArticle(w.source, key, strings.TrimSpace(it.Link), a)
	if err != nil || !ok {
		return err
	}
	w.sum.shortcodes(left, a)
	if thumb != 0 {
		w.waiting = append(w.waiting, waitingImage{a.ID, thumb})
	}
	if _, ok := metaOK(it.Postmeta, exporter.MetaMarkdown); !ok && hasGallery(it.Content) {
		w.galleries = append(w.galleries, waitingGallery{a.ID, it.PostID, it.Content})
	}
	if live(a.Status) {
		if err := w.postRedirects(it, a); err != nil {
			return err
		}
	}
	return w.comments(it, a, key, created)
}

// postKey is a post's import key: its ID or, in a file without IDs, its GUID, link or title.
func postKey(it *wxr.Item) string {
	switch {
	case it.PostID != 0:
		return "post:" + strconv.FormatInt(it.PostID, 10)
	case strings.TrimSpace(it.GUID) != "":
		return "guid:" + strings.TrimSpace(it.GUID)
	case strings.TrimSpace(it.Link) != "":
		return "link:" + strings.TrimSpace(it.Link)
	}
	return "title:" + it.Title + " " + it.PostDateGMT.Format(time.DateTime)
}

// bylines sets the article's bylines: those a Broadsheet export listed, or the post's author.
func (w *wxrRun) bylines(it *wxr.Item, a *article.Article) {
	if v, ok := metaOK(it.Postmeta, exporter.MetaAuthors); ok {
		var list []exporter.Term
		if json.Unmarshal([]byte(v), &list) == nil {
			for _, t := range list {
				if s := termSlug(t.Slug, t.Name); s != "" {
					a.Authors = append(a.Authors, article.Author{Name: t.Name, Slug: s})
				}
			}
			return
		}
	}
	login := strings.TrimSpace(it.Creator)
	if login == "" {
		return
	}
	name := plainTitle(login)
	if au := w.authors[login]; au != nil && plainTitle(au.DisplayName) != "" {
		name = plainTitle(au.DisplayName) // display names may carry markup: the byline is text
	}
	if s := w.authorSlug(login, name); s != "" {
		a.Authors = []article.Author{{Name: name, Slug: s}}
	}
}

// authorSlug is the byline slug of a WordPress login: made from the login, and kept apart from
// another login of the file that would make the same slug ("jane" and "jane." or "<b>jane</b>"
// are two people to WordPress, not one byline).
func (w *wxrRun) authorSlug(login, name string) string {
	if s, ok := w.loginSlugs[login]; ok {
		return s
	}
	base := termSlug(plainTitle(login), name)
	if base == "" {
		return ""
	}
	s := base
	for i := 2; w.slugLogins[s] != "" && w.slugLogins[s] != login; i++ {
		s = base + "-" + strconv.Itoa(i)
	}
	w.loginSlugs[login], w.slugLogins[s] = s, login
	return s
}

// terms sets the article's section and tags by the hierarchy rule (see the package comment).
// A category that is a section for one story and a tag for another keeps its old URLs for the
// section.
func (w *wxrRun) terms(it *wxr.Item, a *article.Article) {
	sectionTop := ""
	for _, t := range it.Categories {
		switch t.Domain {
		case "category":
			top := w.topCategory(t.Nicename)
			if sectionTop == "" {
				name, desc := plainTitle(t.Name), ""
				if c := w.cats[top]; c != nil {
					name, desc = plainTitle(c.Name), strings.TrimSpace(c.Description)
				}
				if slug := termSlug(top, name); slug != "" {
					sectionTop = top
					a.Section = article.Section{Name: name, Slug: slug, Description: desc}
					w.usedCats[top] = "/section/" + slug + "/"
				}
			}
			if t.Nicename == sectionTop {
				continue
			}
			tag := article.Tag{Name: plainTitle(t.Name), Slug: termSlug(t.Nicename, t.Name)}
			if tag.Slug != "" {
				a.Tags = append(a.Tags, tag)
				if _, ok := w.usedCats[t.Nicename]; !ok {
					w.usedCats[t.Nicename] = "/tag/" + tag.Slug + "/"
				}
			}
		case "post_tag":
			tag := article.Tag{Name: plainTitle(t.Name), Slug: termSlug(t.Nicename, t.Name)}
			if tag.Slug != "" {
				a.Tags = append(a.Tags, tag)
				w.usedTags[t.Nicename] = "/tag/" + tag.Slug + "/"
			}
		}
	}
	a.Tags = dedupeTags(a.Tags)
}

// topCategory returns the nicename of the top-level ancestor of a category.
func (w *wxrRun) topCategory(nicename string) string {
	for range 100 { // a loop of parents in a broken file ends here
		c := w.cats[nicename]
		if c == nil || c.Parent == "" || c.Parent == nicename {
			return nicename
		}
		nicename = c.Parent
	}
	return nicename
}

// categoryPath is a category's WordPress path: its ancestors' nicenames and its own, decoded.
func (w *wxrRun) categoryPath(nicename string) string {
	parts := []string{decode(nicename)}
	for n, i := nicename, 0; i < 100; i++ {
		c := w.cats[n]
		if c == nil || c.Parent == "" || c.Parent == n {
			break
		}
		n = c.Parent
		parts = append([]string{decode(n)}, parts...)
	}
	return strings.Join(parts, "/")
}

// decode undoes WordPress's percent-encoding of a slug.
func decode(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// postRedirects keeps a live post's old URLs: its permalink, plain link and the other forms
// WordPress answered (/slug/, /YYYY/MM/DD/slug/, the REST API's), with their feeds, all under
// the site's base path. A Broadsheet export carries its old URLs instead (MetaRedirects).
func (w *wxrRun) postRedirects(it *wxr.Item, a *article.Article) error {
	to := a.Path(w.opt.Location)
	if v, ok := metaOK(it.Postmeta, exporter.MetaRedirects); ok {
		var list []exporter.Redirect
		if err := json.Unmarshal([]byte(v), &list); err != nil {
			w.sum.skip("unreadable "+exporter.MetaRedirects+" meta: "+err.Error(), a.Title)
			return nil
		}
		for _, r := range list {
			if err := w.redirect(r.From, to+r.To); err != nil {
				return err
			}
		}
		return nil
	}
	from := []string{w.oldLink(it.Link)}
	if it.PostID != 0 && !w.carried {
		id := strconv.FormatInt(it.PostID, 10)
		from = append(from, w.old("/?p="+id))
		rest := "/wp-json/wp/v2/posts/"
		if a.Kind == article.Page {
			from = append(from, w.old("/?page_id="+id))
			rest = "/wp-json/wp/v2/pages/"
		}
		if err := w.redirect(w.old(rest+id), to); err != nil {
			return err
		}
	}
	if slug := decode(strings.TrimSpace(it.PostName)); slug != "" && !strings.Contains(slug, "/") && !w.carried {
		from = append(from, w.old("/"+slug+"/"))
		if a.Kind == article.Story && !it.PostDate.IsZero() {
			from = append(from, w.old(it.PostDate.Format("/2006/01/02/")+slug+"/"))
		}
	}
	feed := to + "feed/"
	if a.Kind == article.Page {
		feed = to // a page has no comment feed: its old one leads to the page
	}
	for _, f := range from {
		if err := w.redirect(f, to); err != nil {
			return err
		}
		// The post's comment feed.
		if strings.HasSuffix(f, "/") && (f != to || a.Kind == article.Page) && !strings.Contains(f, "?") {
			if err := w.redirect(f+"feed/", feed); err != nil {
				return err
			}
		}
	}
	return nil
}

// wpCommentStatus maps WordPress's comment_approved onto Broadsheet's statuses.
func wpCommentStatus(s string) (comment.Status, bool) {
	switch s {
	case "1", "approve", "approved":
		return comment.Approved, true
	case "0", "hold":
		return comment.Pending, true
	case "spam":
		return comment.Spam, true
	case "trash", "post-trashed":
		return comment.Trash, true
	}
	return "", false
}

// comments imports a post's comments with their threads.
func (w *wxrRun) comments(it *wxr.Item, a *article.Article, postKey string, fresh bool) error {
	list := make([]importedComment, 0, len(it.Comments))
	for i := range it.Comments {
		wc := &it.Comments[i]
		id := strconv.FormatInt(wc.ID, 10)
		key := "comment:" + id
		if wc.ID == 0 { // a file without comment IDs: the comment's place in its post
			id = "#" + strconv.Itoa(i)
			key = "comment:" + postKey + id
		}
		example := "comment " + id + " on " + a.Title
		status, ok := wpCommentStatus(wc.Approved)
		if !ok {
			w.sum.skip("comment status "+strconv.Quote(wc.Approved), example)
			continue
		}
		var typ comment.Type
		switch wc.Type {
		case "", "comment":
			typ = comment.Regular
		case "pingback":
			typ = comment.Pingback
		case "trackback":
			typ = comment.Trackback
		default:
			w.sum.skip("comment type "+strconv.Quote(wc.Type), example)
			continue
		}
		text := commentText(wc.Content)
		if text == "" {
			w.sum.skip("empty comment", example)
			continue
		}
		created := wc.DateGMT
		if created.IsZero() {
			created = wc.Date
		}
		if created.IsZero() {
			created = a.PublishedAt
		}
		c := &comment.Comment{ArticleID: a.ID, Type: typ, Status: status, AuthorName: plainTitle(wc.Author),
			AuthorEmail: strings.TrimSpace(wc.AuthorEmail), AuthorURL: strings.TrimSpace(wc.AuthorURL),
			AuthorIP: strings.TrimSpace(wc.AuthorIP), Content: text, CreatedAt: created,
			StaffID: w.users[wc.UserID], SpamScore: spamScore(status)}
		ic := importedComment{key: key, id: id, c: c}
		if wc.Parent != 0 {
			ic.parent = strconv.FormatInt(wc.Parent, 10)
		}
		list = append(list, ic)
	}
	return w.saveThread(w.source, list, nil, fresh)
}

// spamScore is the score an imported comment starts with: what its moderation said.
func spamScore(s comment.Status) float64 {
	switch s {
	case comment.Approved:
		return 0
	case comment.Spam:
		return 1
	}
	return 0.5
}

// user creates a staff account for a WordPress author (Options.Users).
func (w *wxrRun) user(au *wxr.Author) error {
	email := account.NormalizeEmail(au.Email)
	name := plainTitle(au.DisplayName)
	if name == "" {
		name = plainTitle(au.Login)
	}
	if email == "" {
		w.sum.skip("staff account without an email address", name)
		return nil
	}
	if u, err := w.tx.UserByEmail(w.ctx, email); err == nil {
		w.users[au.ID] = u.ID
		w.sum.skip("staff account exists already", name)
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	slug := w.authorSlug(au.Login, name)
	if slug == "" {
		w.sum.skip("staff account without a usable login", name)
		return nil
	}
	byline, err := w.tx.AuthorBySlug(w.ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		byline = article.Author{Name: name, Slug: slug}
		if err = w.tx.SaveAuthor(w.ctx, &byline); err == nil {
			w.sum.Created[KindAuthor]++
		}
	}
	if err != nil {
		return err
	}
	w.authors[au.Login] = au
	w.run.authors[slug] = byline.ID
	u := &account.User{Email: email, Name: name, Role: account.Author, AuthorID: byline.ID, CreatedAt: w.opt.Now()}
	if err := w.tx.CreateUser(w.ctx, u); err != nil {
		return err
	}
	w.users[au.ID] = u.ID
	w.sum.Created[KindUser]++
	return nil
}

// converter converts the shortcodes of the post with ID post, knowing the attachments seen so far.
func (w *wxrRun) converter(post int64) wxr.Converter {
	return wxr.Converter{Children: w.children[post], Attachment: func(id int64) (wxr.Attachment, bool) {
		img, ok := w.images[id]
		return wxr.Attachment{URL: img.url, Alt: img.alt, Caption: img.caption, Title: img.title}, ok
	}}
}

// hasGallery reports whether WordPress content has a [gallery] or [playlist].
func hasGallery(content string) bool {
	return strings.Contains(content, "[gallery") || strings.Contains(content, "[playlist")
}

// convertGalleries converts the galleries and playlists of stories again now that every
// attachment is known (an attachment may come after the post that shows it), and counts the
// shortcodes left.
func (w *wxrRun) convertGalleries() error {
	for _, g := range w.galleries {
		converted := wordpressHTML(w.converter(g.post), g.content)
		body := markdownSafe(converted)
		a, err := w.tx.Article(w.ctx, g.article)
		if err != nil {
			return err
		}
		w.sum.shortcodes(leftShortcodes(converted), a)
		if a.Body == body {
			continue
		}
		a.Body = body
		if err := w.opt.Renderer.Prepare(a); err != nil {
			return fmt.Errorf("story %q: %w", a.Title, err)
		}
		if err := w.tx.UpdateArticle(w.ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// finish gives stories the featured images and galleries that came after them, and keeps the
// old URLs of the categories, tags and bylines the stories use.
func (w *wxrRun) finish() error {
	if err := w.convertGalleries(); err != nil {
		return err
	}
	for _, wi := range w.waiting {
		img, ok := w.images[wi.attachment]
		if !ok {
			w.sum.skip("featured image not in the file", "attachment "+strconv.FormatInt(wi.attachment, 10))
			continue
		}
		a, err := w.tx.Article(w.ctx, wi.article)
		if err != nil {
			return err
		}
		a.ImageURL, a.ImageAlt = img.url, img.alt
		if a.ImageAlt == "" {
			a.ImageAlt = a.Title
		}
		if err := a.Validate(); err != nil {
			w.sum.skip("featured image: "+err.Error(), a.Title)
			continue
		}
		if err := w.tx.UpdateArticle(w.ctx, a); err != nil {
			return err
		}
	}
	if w.carried {
		return nil // a Broadsheet export's terms and feeds came with its redirect table
	}
	if err := w.attachmentRedirects(); err != nil {
		return err
	}
	for nicename, to := range sorted(w.usedCats) {
		if err := w.categoryRedirects(w.cats[nicename], nicename, to); err != nil {
			return err
		}
	}
	for nicename, to := range sorted(w.usedTags) {
		if err := w.tagRedirects(nicename, to); err != nil {
			return err
		}
	}
	// The terms no story uses answer 410 Gone: the old site listed nothing there either.
	for _, c := range w.unusedCats {
		if _, used := w.usedCats[c.Nicename]; !used {
			if err := w.categoryRedirects(c, c.Nicename, ""); err != nil {
				return err
			}
		}
	}
	for _, t := range w.unusedTags {
		if _, used := w.usedTags[t.Slug]; !used {
			if err := w.tagRedirects(t.Slug, ""); err != nil {
				return err
			}
		}
	}
	for login, au := range sorted(w.authors) {
		slug := w.authorSlug(login, plainTitle(au.DisplayName))
		if slug == "" {
			continue
		}
		to := "/author/" + slug + "/"
		if w.run.authors[slug] == 0 {
			to = "" // an author without stories: 410 Gone, as for unused terms
		}
		if err := w.redirectBoth(w.old("/author/"+login+"/"), to); err != nil {
			return err
		}
		if au.ID != 0 {
			if err := w.redirect(w.old("/?author="+strconv.FormatInt(au.ID, 10)), to); err != nil {
				return err
			}
		}
	}
	if w.base != "" {
		// The site's front page and feeds, under its folder.
		for _, f := range []string{"", "/", "/feed/", "/feed/atom/", "/comments/feed/"} {
			to := f
			if to == "" {
				to = "/"
			}
			if err := w.redirect(w.base+f, to); err != nil {
				return err
			}
		}
	}
	// The site's feeds under WordPress's other names.
	for _, f := range [][2]string{{"/feed/rss2/", "/feed/"}, {"/feed/rss/", "/feed/"}, {"/feed/rdf/", "/feed/"},
		{"/comments/feed/rss2/", "/comments/feed/"}, {"/?feed=rss2", "/feed/"}, {"/?feed=rss", "/feed/"},
		{"/?feed=atom", "/feed/atom/"}, {"/?feed=comments-rss2", "/comments/feed/"}} {
		if err := w.redirect(w.old(f[0]), f[1]); err != nil {
			return err
		}
	}
	w.timeZone()
	return nil
}

// categoryRedirects keeps a category's old URLs (its full path, its own nicename, their
// feeds, ?cat=ID) leading to to, or answering 410 Gone when to is "".
func (w *wxrRun) categoryRedirects(c *wxr.Category, nicename, to string) error {
	// WordPress answers a child category at its full path and at its own nicename.
	paths := []string{w.categoryPath(nicename)}
	if own := decode(nicename); own != paths[0] {
		paths = append(paths, own)
	}
	for _, p := range paths {
		if err := w.redirectBoth(w.old("/category/"+p+"/"), to); err != nil {
			return err
		}
	}
	if c != nil && c.TermID != 0 {
		return w.redirect(w.old("/?cat="+strconv.FormatInt(c.TermID, 10)), to)
	}
	return nil
}

// tagRedirects keeps a tag's old URLs (/tag/slug/, its feed, ?tag=slug) leading to to, or
// answering 410 Gone when to is "".
func (w *wxrRun) tagRedirects(nicename, to string) error {
	if err := w.redirectBoth(w.old("/tag/"+decode(nicename)+"/"), to); err != nil {
		return err
	}
	return w.redirect(w.old("/?tag="+url.QueryEscape(decode(nicename))), to)
}

// carriedRedirects keeps the old URLs a Broadsheet export carries for no story: those of its
// sections, tags, bylines and feeds.
func (w *wxrRun) carriedRedirects(meta []wxr.Meta) error {
	v, ok := metaOK(meta, exporter.MetaRedirects)
	if !ok {
		return nil
	}
	var list []exporter.Redirect
	if err := json.Unmarshal([]byte(v), &list); err != nil {
		w.sum.skip("unreadable "+exporter.MetaRedirects+" term meta: "+err.Error(), "")
		return nil
	}
	for _, r := range list {
		if err := w.redirect(r.From, r.To); err != nil {
			return err
		}
	}
	return nil
}

// sameZone counts, in wxrRun.offsets, the items dated in the newsroom's time zone.
const sameZone = time.Duration(math.MinInt64)

// timeZone warns when the export's dates say the site kept another time zone than the
// newsroom's: new permalinks are dated in the newsroom's zone, so an evening story may move to
// the next day (its old URL still leads to it).
func (w *wxrRun) timeZone() {
	var site time.Duration
	other, best := 0, 0
	for d, n := range sorted(w.offsets) {
		if d == sameZone {
			continue
		}
		other += n
		if n > best {
			site, best = d, n
		}
	}
	if other == 0 || other < w.offsets[sameZone] {
		return
	}
	w.sum.warn(fmt.Sprintf("%d stories are dated UTC%s, not in the newsroom's time zone (%s): their new permalinks may show another day; their old ones lead to them (import with --timezone set to the site's zone to keep the dates)",
		other, offsetText(site), w.opt.Location))
}

// offsetText is a UTC offset as "+05:30" or "−05:00".
func offsetText(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "−", -d
	}
	return fmt.Sprintf("%s%02d:%02d", sign, int(d.Hours()), int(d.Minutes())%60)
}

// redirectBoth keeps an archive's old URL and that of its feed.
func (w *wxrRun) redirectBoth(from, to string) error {
	if from == to {
		return nil
	}
	if err := w.redirect(from, to); err != nil {
		return err
	}
	feed := to
	if to != "" {
		feed = to + "feed/"
	}
	return w.redirect(from+"feed/", feed)
}

// sorted iterates over a map in key order, so that imports are deterministic.
func sorted[K cmp.Ordered, V any](m map[K]V) func(yield func(K, V) bool) {
	return func(yield func(K, V) bool) {
		keys := make([]K, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

// meta returns the value of a post meta key, or "".
func meta(list []wxr.Meta, key string) string {
	v, _ := metaOK(list, key)
	return v
}

func metaOK(list []wxr.Meta, key string) (string, bool) {
	for _, m := range list {
		if m.Key == key {
			return m.Value, true
		}
	}
	return "", false
}
