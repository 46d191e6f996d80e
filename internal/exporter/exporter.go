package exporter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/wxr"
)

// Store is what an export reads.
type Store interface {
	ListArticles(ctx context.Context, q store.ArticleQuery) ([]*article.Article, int, error)
	ListComments(ctx context.Context, q store.CommentQuery) ([]*comment.Comment, int, error)
	Authors(ctx context.Context) ([]article.Author, error)
	Sections(ctx context.Context) ([]article.Section, error)
	Tags(ctx context.Context) ([]article.Tag, error)
	Redirects(ctx context.Context) ([]store.Redirect, error)
	ListMedia(ctx context.Context, q store.MediaQuery) ([]*media.Item, int, error)
}

// Options describe the site an export comes from.
type Options struct {
	// BaseURL is the site's public address, without a trailing slash: links are made from it.
	BaseURL     string
	Title       string
	Description string
	Language    string
	// Location is the newsroom's time zone, in which permalinks are dated (default UTC).
	Location *time.Location
	// Now is the clock, for the export's date (default time.Now).
	Now func() time.Time
	// Private includes commenters' email and IP addresses. Only an administrator's export may
	// set it: the file then holds personal data.
	Private bool
}

// Counts is what an export wrote.
type Counts struct {
	Articles, Comments int
}

// AttachmentIDBase is added to an article's ID to make the post ID of the attachment that holds
// its featured image in a WXR export; WordPress's importer gives both new IDs.
const AttachmentIDBase = 1_000_000_000_000

// pageSize is how many articles an export reads at a time.
const pageSize = 500

func (o *Options) defaults() {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
}

// eachArticle calls fn with every article, whatever its status, a page at a time, newest first.
// An article that moves in the listing while the export runs (one published meanwhile) is
// written once.
func eachArticle(ctx context.Context, st Store, fn func(a *article.Article, comments []*comment.Comment) error) error {
	seen := map[int64]bool{}
	for offset := 0; ; offset += pageSize {
		list, _, err := st.ListArticles(ctx, store.ArticleQuery{Limit: pageSize, Offset: offset})
		if err != nil {
			return err
		}
		for _, a := range list {
			if seen[a.ID] {
				continue
			}
			seen[a.ID] = true
			comments, _, err := st.ListComments(ctx, store.CommentQuery{ArticleID: a.ID, Oldest: true})
			if err != nil {
				return err
			}
			if err := fn(a, comments); err != nil {
				return err
			}
		}
		if len(list) < pageSize {
			return nil
		}
	}
}

// WriteWXR writes every story and page with its comments as a WordPress export (WXR 1.2).
// Stories' content is their rendered HTML in a Custom HTML block, which WordPress shows as it is
// (without automatic paragraphs); the Markdown source, every byline and the notes travel in
// post meta (MetaMarkdown, MetaAuthors, MetaNotes) for Broadsheet's importer. Sections become
// categories. Every picture of the library becomes an attachment (MediaIDBase) whose address
// WordPress's importer downloads, with its words, under the story that uses it; a story's
// featured image is one of them (_thumbnail_id), or, when it lives outside the library, an
// attachment of its own (AttachmentIDBase).
func WriteWXR(ctx context.Context, st Store, dst io.Writer, opt Options) (Counts, error) {
	opt.defaults()
	var n Counts
	w, err := wxr.NewWriter(dst, wxr.Site{Title: opt.Title, Link: opt.BaseURL, Description: opt.Description,
		PubDate: opt.Now().UTC().Format(time.RFC1123Z), Language: opt.Language,
		BaseSiteURL: opt.BaseURL, BaseBlogURL: opt.BaseURL})
	if err != nil {
		return n, err
	}
	authors, err := st.Authors(ctx)
	if err != nil {
		return n, err
	}
	for _, au := range authors {
		if err := w.WriteAuthor(&wxr.Author{ID: au.ID, Login: au.Slug, DisplayName: au.Name}); err != nil {
			return n, err
		}
	}
	sections, err := st.Sections(ctx)
	if err != nil {
		return n, err
	}
	for _, s := range sections {
		if err := w.WriteCategory(&wxr.Category{TermID: s.ID, Nicename: s.Slug, Name: s.Name, Description: s.Description}); err != nil {
			return n, err
		}
	}
	tags, err := st.Tags(ctx)
	if err != nil {
		return n, err
	}
	for _, t := range tags {
		if err := w.WriteTag(&wxr.Tag{TermID: t.ID, Slug: t.Slug, Name: t.Name}); err != nil {
			return n, err
		}
	}
	kept, err := keptURLs(ctx, st, opt)
	if err != nil {
		return n, fmt.Errorf("exporter: %w", err)
	}
	err = w.WriteTerm(&wxr.Term{Taxonomy: RedirectTaxonomy, Slug: "old-urls", Name: "Old URLs",
		Meta: []wxr.Meta{{Key: MetaRedirects, Value: jsonText(nonNil(kept.elsewhere))}}})
	if err != nil {
		return n, err
	}
	lib, err := readLibrary(ctx, st)
	if err != nil {
		return n, fmt.Errorf("exporter: %w", err)
	}
	// The pictures before the stories, so that a reader meets an attachment before its use.
	for _, m := range lib.items {
		if err := w.WriteItem(mediaAttachment(m, lib.parent[m.Hash], opt)); err != nil {
			return n, fmt.Errorf("exporter: %w", err)
		}
	}
	err = eachArticle(ctx, st, func(a *article.Article, comments []*comment.Comment) error {
		featured := lib.item(a.ImageURL)
		if a.ImageURL != "" && featured == nil {
			if err := w.WriteItem(attachment(a, opt)); err != nil {
				return err
			}
		}
		it := item(a, featured, opt)
		it.Postmeta = append(it.Postmeta, wxr.Meta{Key: MetaRedirects, Value: jsonText(nonNil(kept.byPath[a.Path(opt.Location)]))})
		for _, c := range comments {
			it.Comments = append(it.Comments, wxrComment(c, opt))
		}
		n.Articles++
		n.Comments += len(comments)
		return w.WriteItem(it)
	})
	if err != nil {
		return n, fmt.Errorf("exporter: %w", err)
	}
	if err := w.Close(); err != nil {
		return n, fmt.Errorf("exporter: %w", err)
	}
	return n, nil
}

// wpStatus maps Broadsheet's statuses onto WordPress's.
func wpStatus(s article.Status) string {
	switch s {
	case article.Published:
		return "publish"
	case article.Scheduled:
		return "future"
	case article.Pending:
		return "pending"
	case article.Unpublished:
		return "private"
	}
	return "draft"
}

// item is an article as a WXR item; featured is the library item of its featured image, if any.
func item(a *article.Article, featured *media.Item, opt Options) *wxr.Item {
	link := opt.BaseURL + a.Path(opt.Location)
	it := &wxr.Item{
		Title:           titleText(a.Title),
		Link:            link,
		GUID:            opt.BaseURL + "/?p=" + strconv.FormatInt(a.ID, 10),
		Content:         "<!-- wp:html -->\n" + strings.TrimRight(absoluteMedia(a.BodyHTML, opt.BaseURL), "\n") + "\n<!-- /wp:html -->",
		Excerpt:         escapeText(a.Standfirst),
		PostID:          a.ID,
		PostModified:    a.UpdatedAt.In(opt.Location),
		PostModifiedGMT: a.UpdatedAt.UTC(),
		CommentStatus:   "closed",
		PingStatus:      "closed",
		PostName:        a.Slug,
		Status:          wpStatus(a.Status),
		PostType:        "post",
	}
	if a.CommentsOpen {
		it.CommentStatus = "open"
	}
	if a.Kind == article.Page {
		it.PostType = "page"
	}
	if a.PublishedAt.IsZero() {
		it.PostDate = a.UpdatedAt.In(opt.Location) // WordPress dates drafts by their last save
	} else {
		it.PostDate, it.PostDateGMT = a.PublishedAt.In(opt.Location), a.PublishedAt.UTC()
		it.PubDate = a.PublishedAt.UTC().Format(time.RFC1123Z)
	}
	if len(a.Authors) > 0 {
		it.Creator = a.Authors[0].Slug
		terms := make([]Term, len(a.Authors))
		for i, au := range a.Authors {
			terms[i] = Term{Name: au.Name, Slug: au.Slug}
		}
		it.Postmeta = append(it.Postmeta, wxr.Meta{Key: MetaAuthors, Value: jsonText(terms)})
	}
	if a.Section.Slug != "" {
		it.Categories = append(it.Categories, wxr.ItemTerm{Domain: "category", Nicename: a.Section.Slug, Name: a.Section.Name})
	}
	for _, t := range a.Tags {
		it.Categories = append(it.Categories, wxr.ItemTerm{Domain: "post_tag", Nicename: t.Slug, Name: t.Name})
	}
	it.Postmeta = append(it.Postmeta, wxr.Meta{Key: MetaMarkdown, Value: a.Body})
	if len(a.Notes) > 0 {
		notes := make([]Note, len(a.Notes))
		for i, n := range a.Notes {
			notes[i] = Note{Kind: string(n.Kind), Text: n.Text, At: timeText(n.At)}
		}
		it.Postmeta = append(it.Postmeta, wxr.Meta{Key: MetaNotes, Value: jsonText(notes)})
	}
	if a.ImageURL != "" {
		thumb := AttachmentIDBase + a.ID
		if featured != nil {
			thumb = MediaIDBase + featured.ID
		}
		it.Postmeta = append(it.Postmeta, wxr.Meta{Key: "_thumbnail_id", Value: strconv.FormatInt(thumb, 10)})
		it.Postmeta = append(it.Postmeta, wxr.Meta{Key: MetaImage, Value: a.ImageURL})
		if featured != nil {
			it.Postmeta = append(it.Postmeta, wxr.Meta{Key: MetaImageAlt, Value: a.ImageAlt})
		}
	}
	return it
}

// attachment is the attachment item that holds an article's featured image.
func attachment(a *article.Article, opt Options) *wxr.Item {
	url := a.ImageURL
	if strings.HasPrefix(url, "/") {
		url = opt.BaseURL + url
	}
	return &wxr.Item{
		Title:         titleText(a.ImageAlt),
		Link:          url,
		GUID:          url,
		PostID:        AttachmentIDBase + a.ID,
		PostDate:      a.UpdatedAt.In(opt.Location),
		PostDateGMT:   a.UpdatedAt.UTC(),
		CommentStatus: "closed",
		PingStatus:    "closed",
		PostName:      a.Slug + "-image",
		Status:        "inherit",
		PostParent:    a.ID,
		PostType:      "attachment",
		AttachmentURL: url,
		Postmeta:      []wxr.Meta{{Key: "_wp_attachment_image_alt", Value: a.ImageAlt}},
	}
}

// wpCommentStatus maps a comment status onto WordPress's comment_approved.
func wpCommentStatus(s comment.Status) string {
	switch s {
	case comment.Approved:
		return "1"
	case comment.Spam:
		return "spam"
	case comment.Trash:
		return "trash"
	}
	return "0"
}

// wxrComment is a comment as WXR has it: its text escaped, since WordPress reads comments as HTML.
func wxrComment(c *comment.Comment, opt Options) wxr.Comment {
	wc := wxr.Comment{ID: c.ID, Author: c.AuthorName, AuthorURL: c.AuthorURL, Date: c.CreatedAt.In(opt.Location),
		DateGMT: c.CreatedAt.UTC(), Content: escapeText(c.Content), Approved: wpCommentStatus(c.Status),
		Parent: c.ParentID}
	if c.Type != comment.Regular {
		wc.Type = string(c.Type)
	}
	if opt.Private {
		wc.AuthorEmail, wc.AuthorIP = c.AuthorEmail, c.AuthorIP
	}
	return wc
}

// WriteJSONL writes every story and page with its comments as Broadsheet JSON Lines: one Record
// per line, then one record of KindPicture per picture of the library.
func WriteJSONL(ctx context.Context, st Store, dst io.Writer, opt Options) (Counts, error) {
	opt.defaults()
	var n Counts
	enc := json.NewEncoder(dst)
	enc.SetEscapeHTML(false)
	source := opt.BaseURL
	if source == "" {
		source = opt.Title
	}
	kept, err := keptURLs(ctx, st, opt)
	if err != nil {
		return n, fmt.Errorf("exporter: %w", err)
	}
	err = eachArticle(ctx, st, func(a *article.Article, comments []*comment.Comment) error {
		rec := NewRecord(a, comments, source, opt)
		rec.Redirects = kept.byPath[a.Path(opt.Location)]
		n.Articles++
		n.Comments += len(comments)
		return enc.Encode(rec)
	})
	if err == nil {
		var lib *library
		if lib, err = readLibrary(ctx, st); err == nil {
			for _, it := range lib.items {
				if err = enc.Encode(pictureRecord(it, source, opt)); err != nil {
					break
				}
			}
		}
	}
	if err == nil && len(kept.elsewhere) > 0 {
		err = enc.Encode(&Record{ID: KindRedirects, Kind: KindRedirects, Source: source, Redirects: kept.elsewhere})
	}
	if err != nil {
		return n, fmt.Errorf("exporter: %w", err)
	}
	return n, nil
}

// kept is a site's redirect table split for an export: by the path of the article an old URL
// leads to (To relative to it), and the old URLs that lead elsewhere.
type kept struct {
	byPath    map[string][]Redirect
	elsewhere []Redirect
}

// keptURLs reads the redirect table and the articles' paths.
func keptURLs(ctx context.Context, st Store, opt Options) (kept, error) {
	k := kept{byPath: map[string][]Redirect{}}
	for offset := 0; ; offset += pageSize {
		list, _, err := st.ListArticles(ctx, store.ArticleQuery{Limit: pageSize, Offset: offset})
		if err != nil {
			return k, err
		}
		for _, a := range list {
			k.byPath[a.Path(opt.Location)] = nil
		}
		if len(list) < pageSize {
			break
		}
	}
	all, err := st.Redirects(ctx)
	if err != nil {
		return k, err
	}
	for _, r := range all {
		path, rel := r.To, ""
		if p, ok := strings.CutSuffix(r.To, "feed/"); ok {
			if _, isArticle := k.byPath[path]; !isArticle {
				path, rel = p, "feed/"
			}
		}
		if _, isArticle := k.byPath[path]; isArticle {
			k.byPath[path] = append(k.byPath[path], Redirect{From: r.From, To: rel})
		} else {
			k.elsewhere = append(k.elsewhere, Redirect{From: r.From, To: r.To})
		}
	}
	return k, nil
}

// nonNil is list, or an empty list, so that it is written [] rather than null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// NewRecord is an article with its comments as one line of JSON Lines from source.
func NewRecord(a *article.Article, comments []*comment.Comment, source string, opt Options) *Record {
	opt.defaults()
	open := a.CommentsOpen
	rec := &Record{ID: strconv.FormatInt(a.ID, 10), Title: a.Title, Body: paragraphs(a.BodyHTML), Source: source,
		Kind: string(a.Kind), Slug: a.Slug, Status: string(a.Status), URL: opt.BaseURL + a.Path(opt.Location),
		Standfirst: a.Standfirst, Markdown: a.Body, Updated: timeText(a.UpdatedAt),
		ImageURL: a.ImageURL, ImageAlt: a.ImageAlt, CommentsOpen: &open}
	if a.Section.Slug != "" {
		name := a.Section.Name
		rec.Category = &name
		rec.Section = &Term{Name: a.Section.Name, Slug: a.Section.Slug, Description: a.Section.Description}
	}
	if !a.PublishedAt.IsZero() {
		p := timeText(a.PublishedAt)
		rec.Published = &p
	}
	for _, t := range a.Tags {
		rec.Tags = append(rec.Tags, Term{Name: t.Name, Slug: t.Slug})
	}
	for _, au := range a.Authors {
		rec.Authors = append(rec.Authors, Term{Name: au.Name, Slug: au.Slug, Description: au.Bio})
	}
	for _, note := range a.Notes {
		rec.Notes = append(rec.Notes, Note{Kind: string(note.Kind), Text: note.Text, At: timeText(note.At)})
	}
	for _, c := range comments {
		jc := Comment{ID: c.ID, Parent: c.ParentID, Type: string(c.Type), Status: string(c.Status), Author: c.AuthorName,
			URL: c.AuthorURL, Content: c.Content, Created: timeText(c.CreatedAt)}
		if opt.Private {
			jc.Email, jc.IP = c.AuthorEmail, c.AuthorIP
		}
		rec.Comments = append(rec.Comments, jc)
	}
	return rec
}

// paragraphs is the plain text of rendered HTML with its paragraphs (and other blocks)
// separated by blank lines and its line breaks kept, as the corpus format has it.
func paragraphs(h string) string {
	z := html.NewTokenizer(strings.NewReader(h))
	var paras []string
	var cur strings.Builder
	flush := func() {
		if t := strings.Join(strings.Fields(cur.String()), " "); t != "" {
			paras = append(paras, t)
		}
		cur.Reset()
	}
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			flush()
			return strings.Join(paras, "\n\n")
		case html.TextToken:
			if skip == 0 {
				cur.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "template":
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken {
					skip = max(skip-1, 0)
				}
			case "br":
				cur.WriteString(" ")
			case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr",
				"figure", "figcaption", "table", "ul", "ol", "dl", "dt", "dd", "hr", "section", "aside":
				flush()
			}
		}
	}
}

// timeText is a time in RFC 3339 (UTC, to the microsecond a store keeps), or "" for the zero time.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// jsonText is v as JSON text.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs of strings are marshalled
	}
	return string(b)
}

// escapeText escapes the characters that would make text markup: WordPress reads titles,
// excerpts and comments as HTML.
// titleText is a plain-text title as WordPress keeps a post title: as typed, with only what
// would read as markup escaped ("<" and ">", and "&" where it would start an entity), so that
// WordPress shows "Q&A" rather than "Q&amp;A".
func titleText(s string) string {
	s = entityStart.ReplaceAllString(s, "&amp;$1")
	return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s)
}

// entityStart matches an ampersand that starts something an HTML reader takes for an entity.
var entityStart = regexp.MustCompile(`&(#?[0-9A-Za-z]+;)`)

func escapeText(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
