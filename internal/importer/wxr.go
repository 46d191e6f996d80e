package importer

import (
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/exporter"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/wxr"
)

// image is a featured image: an attachment's address and alt text.
type image struct{ url, alt string }

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
	users   map[int64]int64 // WordPress user ID → staff account
	site    *wxr.Site
}

type waitingImage struct{ article, attachment int64 }

// wxr imports a WordPress export.
func (r *run) wxr(src io.Reader) error {
	w := &wxrRun{run: r, authors: map[string]*wxr.Author{}, cats: map[string]*wxr.Category{},
		usedCats: map[string]string{}, usedTags: map[string]string{}, images: map[int64]image{},
		users: map[int64]int64{}}
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
		case *wxr.Author:
			w.authors[rec.Login] = rec
			if r.opt.Users {
				if err := w.user(rec); err != nil {
					return err
				}
			}
		case *wxr.Category:
			w.cats[rec.Nicename] = rec
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

// item imports one post, page or attachment.
func (w *wxrRun) item(it *wxr.Item) error {
	switch it.PostType {
	case "post", "page":
		return w.post(it)
	case "attachment":
		img := image{url: strings.TrimSpace(it.AttachmentURL), alt: meta(it.Postmeta, "_wp_attachment_image_alt")}
		if img.alt == "" {
			img.alt = plainTitle(it.Title)
		}
		if img.url == "" {
			img.url = strings.TrimSpace(it.GUID)
		}
		w.images[it.PostID] = img
		return nil
	}
	reason := "post type " + it.PostType
	if it.PostType == "" {
		reason = "item without a post type"
	}
	w.sum.skip(reason, plainTitle(it.Title))
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
	if !ok {
		w.sum.skip("status "+strconv.Quote(it.Status), example)
		return nil
	}
	if it.PostPassword != "" && status != article.Draft && status != article.Pending {
		status = article.Unpublished
		w.sum.skip("password protection (imported unpublished, to keep the text private)", example)
	}
	a := &article.Article{Kind: article.Story, Title: title, Slug: it.PostName, Status: status,
		CommentsOpen: it.CommentStatus != "closed"}
	if it.PostType == "page" {
		a.Kind = article.Page
	}
	if src, ok := metaOK(it.Postmeta, exporter.MetaMarkdown); ok {
		a.Body = src
	} else {
		a.Body = markdownSafe(wordpressHTML(it.Content))
	}
	if ex := strings.TrimSpace(it.Excerpt); ex != "" {
		a.Standfirst = w.opt.Renderer.PlainText(ex)
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
	if thumb != 0 {
		w.waiting = append(w.waiting, waitingImage{a.ID, thumb})
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
	name := login
	if au := w.authors[login]; au != nil && strings.TrimSpace(au.DisplayName) != "" {
		name = strings.TrimSpace(au.DisplayName)
	}
	if s := termSlug(login, name); s != "" {
		a.Authors = []article.Author{{Name: name, Slug: s}}
	}
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

// postRedirects keeps a live post's old URLs.
func (w *wxrRun) postRedirects(it *wxr.Item, a *article.Article) error {
	to := a.Path(w.opt.Location)
	from := []string{oldPath(it.Link)}
	if it.PostID != 0 {
		id := strconv.FormatInt(it.PostID, 10)
		from = append(from, "/?p="+id)
		if a.Kind == article.Page {
			from = append(from, "/?page_id="+id)
		}
	}
	if slug := decode(strings.TrimSpace(it.PostName)); slug != "" && !strings.Contains(slug, "/") {
		from = append(from, "/"+slug+"/")
		if a.Kind == article.Story && !it.PostDate.IsZero() {
			from = append(from, it.PostDate.Format("/2006/01/02/")+slug+"/")
		}
	}
	for _, f := range from {
		if err := w.redirect(f, to); err != nil {
			return err
		}
		// The post's comment feed.
		if a.Kind == article.Story && strings.HasSuffix(f, "/") && f != to && !strings.HasPrefix(f, "/?") {
			if err := w.redirect(f+"feed/", to+"feed/"); err != nil {
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
	name := strings.TrimSpace(au.DisplayName)
	if name == "" {
		name = au.Login
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
	slug := termSlug(au.Login, name)
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

// finish gives stories the featured images that came after them, and keeps the old URLs of the
// categories, tags and bylines the stories use.
func (w *wxrRun) finish() error {
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
	for nicename, to := range sorted(w.usedCats) {
		// WordPress answers a child category at its full path and at its own nicename.
		paths := []string{w.categoryPath(nicename)}
		if own := decode(nicename); own != paths[0] {
			paths = append(paths, own)
		}
		for _, p := range paths {
			if err := w.redirectBoth("/category/"+p+"/", to); err != nil {
				return err
			}
		}
		if c := w.cats[nicename]; c != nil && c.TermID != 0 {
			if err := w.redirect("/?cat="+strconv.FormatInt(c.TermID, 10), to); err != nil {
				return err
			}
		}
	}
	for nicename, to := range sorted(w.usedTags) {
		if err := w.redirectBoth("/tag/"+decode(nicename)+"/", to); err != nil {
			return err
		}
		if err := w.redirect("/?tag="+url.QueryEscape(decode(nicename)), to); err != nil {
			return err
		}
	}
	for login := range sorted(w.authors) {
		if slug := termSlug(login, ""); slug != "" && slug != login {
			if err := w.redirectBoth("/author/"+login+"/", "/author/"+slug+"/"); err != nil {
				return err
			}
		}
	}
	if w.site != nil && w.site.WXRVersion != "" {
		// The site's feeds under WordPress's other names.
		for _, f := range [][2]string{{"/feed/rss2/", "/feed/"}, {"/feed/rss/", "/feed/"}, {"/feed/rdf/", "/feed/"},
			{"/comments/feed/rss2/", "/comments/feed/"}, {"/?feed=rss2", "/feed/"}, {"/?feed=rss", "/feed/"},
			{"/?feed=atom", "/feed/atom/"}, {"/?feed=comments-rss2", "/comments/feed/"}} {
			if err := w.redirect(f[0], f[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// redirectBoth keeps an archive's old URL and that of its feed.
func (w *wxrRun) redirectBoth(from, to string) error {
	if from == to {
		return nil
	}
	if err := w.redirect(from, to); err != nil {
		return err
	}
	return w.redirect(from+"feed/", to+"feed/")
}

// sorted iterates over a map in key order, so that imports are deterministic.
func sorted[V any](m map[string]V) func(yield func(string, V) bool) {
	return func(yield func(string, V) bool) {
		keys := make([]string, 0, len(m))
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
