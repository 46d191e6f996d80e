package importer

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html/charset"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/xmlpos"
	"github.com/broadsheet/broadsheet/internal/xmlsize"
)

// MaxFeedBytes is the largest feed the importer reads: feeds are read whole, unlike exports,
// and the feed parser takes several times a feed's size in memory.
const MaxFeedBytes = 16 << 20

// feed imports an RSS or Atom feed: every item becomes a published story. The file is first
// checked with a strict XML parser, so that a malformed feed is refused with its line and column
// rather than half read by the lenient feed parser.
func (r *run) feed(src io.Reader) error {
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	_, err := buf.ReadFrom(io.LimitReader(xmlsize.NewReader(src, xmlsize.Limit), MaxFeedBytes+1))
	if tl, ok := errors.AsType[*xmlsize.TooLargeError](err); ok {
		return &SyntaxError{Format: r.sum.Format, Line: tl.Line, Column: tl.Column, Err: errors.New(tl.Reason())}
	}
	if err != nil {
		return err
	}
	data := buf.Bytes()
	if len(data) > MaxFeedBytes {
		return fmt.Errorf("feed larger than %d MB; split it", MaxFeedBytes>>20)
	}
	if err := checkXML(data, r.sum.Format); err != nil {
		return err
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: %w", r.sum.Format, err)
	}
	site := strings.TrimSpace(f.Link)
	self := strings.TrimSpace(f.FeedLink)
	if self == "" {
		self = site
	}
	if self == "" {
		self = r.name
	}
	source := "feed:" + self
	r.sum.Source = source
	siteHost := hostOf(site)
	for _, it := range f.Items {
		if err := r.feedItem(source, siteHost, it); err != nil {
			return err
		}
		if err := r.step(); err != nil {
			return err
		}
	}
	return nil
}

// feedItem imports one feed item as a story.
func (r *run) feedItem(source, siteHost string, it *gofeed.Item) error {
	link := strings.TrimSpace(it.Link)
	key := strings.TrimSpace(it.GUID)
	if key == "" {
		key = link
	}
	title := plainTitle(it.Title)
	if key == "" {
		key = "title:" + title
		if it.PublishedParsed != nil {
			key += " " + it.PublishedParsed.UTC().Format("2006-01-02T15:04:05Z")
		}
	}
	content, summary := strings.TrimSpace(it.Content), strings.TrimSpace(it.Description)
	if content == "" {
		content, summary = summary, ""
	}
	a := &article.Article{Kind: article.Story, Title: title, Status: article.Published, CommentsOpen: true}
	if looksLikeHTML(content) {
		a.Body = markdownSafe(content)
	} else {
		a.Body = markdownSafe(textHTML(content))
	}
	if summary != "" && summary != content {
		a.Standfirst = r.opt.Renderer.PlainText(summary)
	}
	switch {
	case it.PublishedParsed != nil:
		a.PublishedAt = it.PublishedParsed.UTC()
	case it.UpdatedParsed != nil:
		a.PublishedAt = it.UpdatedParsed.UTC()
	default:
		// A date the feed parser could not read is read tolerantly; one nobody can read is not
		// invented: the story waits as a draft for an editor to date it.
		raw := strings.TrimSpace(it.Published)
		if raw == "" {
			raw = strings.TrimSpace(it.Updated)
		}
		if t, ok := parseFeedDate(raw); ok {
			a.PublishedAt = t
			break
		}
		a.Status = article.Draft
		reason := "no date: imported as a draft, to be dated by hand"
		if raw != "" {
			reason = "unreadable date: imported as a draft, to be dated by hand"
			title += " (" + raw + ")"
		}
		r.sum.hold(reason, title)
	}
	a.UpdatedAt = a.PublishedAt
	if it.UpdatedParsed != nil && it.UpdatedParsed.After(a.PublishedAt) {
		a.UpdatedAt = it.UpdatedParsed.UTC()
	}
	a.CreatedAt = a.PublishedAt
	if a.Status == article.Draft {
		a.CreatedAt = r.opt.Now().UTC()
		a.UpdatedAt = a.CreatedAt
	}
	for _, p := range it.Authors {
		if p == nil {
			continue
		}
		name := strings.TrimSpace(p.Name)
		if name == "" {
			continue
		}
		if s := slugify(name); s != "" {
			a.Authors = append(a.Authors, article.Author{Name: name, Slug: s})
		}
	}
	for _, c := range it.Categories {
		c = plainTitle(c)
		if s := slugify(c); s != "" {
			a.Tags = append(a.Tags, article.Tag{Name: c, Slug: s})
		}
	}
	a.Tags = dedupeTags(a.Tags)
	if it.Image != nil && strings.HasPrefix(it.Image.URL, "http") {
		a.ImageURL, a.ImageAlt = strings.TrimSpace(it.Image.URL), plainTitle(it.Image.Title)
	} else {
		for _, e := range it.Enclosures {
			if e != nil && strings.HasPrefix(e.Type, "image/") && strings.HasPrefix(e.URL, "http") {
				a.ImageURL = strings.TrimSpace(e.URL)
				break
			}
		}
	}
	_, ok, err := r.saveArticle(source, key, link, a)
	if err != nil || !ok {
		return err
	}
	// The item's own old address, when the feed is the site's own.
	if siteHost != "" && hostOf(link) == siteHost {
		return r.redirect(oldPath(link), a.Path(r.opt.Location))
	}
	return nil
}

// hostOf is the host of an absolute URL, without "www.", or "".
func hostOf(link string) string {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// checkXML reads data with a strict XML parser and returns a *SyntaxError naming the line and
// column of the first problem. The declared character set is converted as a feed reader would.
func checkXML(data []byte, f Format) error {
	if i := bytes.Index(data, []byte("<?xml")); i > 0 && len(bytes.TrimLeft(data[:i], " \t\r\n\xef\xbb\xbf")) == 0 &&
		len(data) > i+5 && bytes.IndexByte([]byte(" \t\r\n"), data[i+5]) >= 0 && !bytes.Equal(data[:i], []byte("\xef\xbb\xbf")) {
		line := 1 + bytes.Count(data[:i], []byte("\n"))
		col := 1 + i - (bytes.LastIndexByte(data[:i], '\n') + 1)
		return &SyntaxError{Format: f, Line: line, Column: col, Err: errors.New("XML declaration not at the start of the document")}
	}
	recent := xmlpos.NewReader(bytes.NewReader(data))
	d := xml.NewDecoder(recent)
	d.Strict = true
	d.CharsetReader = recent.CharsetReader(charset.NewReaderLabel)
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			line, col := d.InputPos()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line, col = recent.Offending(se, line, col, d.InputOffset())
				err = errors.New(se.Msg)
			}
			return &SyntaxError{Format: f, Line: line, Column: col, Err: err}
		}
	}
}
