package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/exporter"
)

// maxLine is the longest line of JSON Lines the importer reads: a story with tens of thousands
// of comments, and a bound on the memory one line takes.
const maxLine = 32 << 20

// jsonl imports Broadsheet JSON Lines: one story per line, in the corpus format of shared/data
// or as package exporter writes it, with its comments.
func (r *run) jsonl(src io.Reader) error {
	br := bufio.NewReaderSize(src, 64<<10)
	for n := 1; ; n++ {
		line, err := readLine(br)
		if errors.Is(err, errLongLine) {
			return &SyntaxError{Format: JSONLines, Line: n, Column: 1, Err: fmt.Errorf("line longer than %d MB", maxLine>>20)}
		}
		if len(bytes.TrimSpace(line)) > 0 {
			var rec exporter.Record
			if jerr := json.Unmarshal(line, &rec); jerr != nil {
				return &SyntaxError{Format: JSONLines, Line: n, Column: jsonColumn(line, jerr), Err: jerr}
			}
			if rec.ID == "" {
				return &SyntaxError{Format: JSONLines, Line: n, Column: 1, Err: errors.New(`record without an "id"`)}
			}
			if ierr := r.record(&rec); ierr != nil {
				return fmt.Errorf("line %d: %w", n, ierr)
			}
			if serr := r.step(); serr != nil {
				return serr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// errLongLine is readLine's answer to a line longer than maxLine.
var errLongLine = errors.New("line too long")

// readLine returns the next line without its line break, or errLongLine as soon as it is
// longer than maxLine: memory stays near maxLine whatever the line's length.
func readLine(br *bufio.Reader) ([]byte, error) {
	var parts [][]byte
	total := 0
	for {
		part, err := br.ReadSlice('\n')
		total += len(part)
		if errors.Is(err, bufio.ErrBufferFull) {
			if total > maxLine {
				return nil, errLongLine
			}
			parts = append(parts, bytes.Clone(part))
			continue
		}
		if parts != nil {
			part = bytes.Join(append(parts, part), nil)
		}
		return bytes.TrimRight(part, "\r\n"), err
	}
}

// jsonColumn is the 1-based column, in characters, at which a JSON error was found.
func jsonColumn(line []byte, err error) int {
	var off int64
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	default:
		return 1
	}
	off = min(max(off, 1), int64(len(line)))
	return utf8.RuneCount(line[:off])
}

// record imports one line.
func (r *run) record(rec *exporter.Record) error {
	source := "jsonl:" + strings.TrimSpace(rec.Source)
	if rec.Source == "" {
		source = "jsonl:" + r.name
	}
	if r.sum.Source == "" {
		r.sum.Source = source
	} else if r.sum.Source != source && !strings.HasSuffix(r.sum.Source, ", …") {
		r.sum.Source += ", …"
	}
	if rec.Kind == exporter.KindPicture {
		r.picture(rec)
		return nil
	}
	if rec.Kind == exporter.KindRedirects {
		for _, k := range rec.Redirects {
			if err := r.redirect(k.From, k.To); err != nil {
				return err
			}
		}
		return nil
	}
	a := &article.Article{Kind: article.Story, Title: strings.Join(strings.Fields(rec.Title), " "), Slug: rec.Slug,
		Status: article.Published, Standfirst: rec.Standfirst, CommentsOpen: true,
		ImageURL: rec.ImageURL, ImageAlt: rec.ImageAlt}
	if rec.Kind == string(article.Page) {
		a.Kind = article.Page
	}
	if rec.Status != "" {
		a.Status = article.Status(rec.Status)
	}
	if rec.CommentsOpen != nil {
		a.CommentsOpen = *rec.CommentsOpen
	}
	if rec.Markdown != "" {
		a.Body = rec.Markdown
	} else {
		a.Body = markdownSafe(textHTML(rec.Body))
	}
	if a.Title == "" {
		a.Title = article.Excerpt(rec.Body, 80)
	}
	switch {
	case rec.Section != nil:
		a.Section = article.Section{Name: rec.Section.Name, Slug: termSlug(rec.Section.Slug, rec.Section.Name),
			Description: rec.Section.Description}
	case rec.Category != nil && strings.TrimSpace(*rec.Category) != "":
		name := strings.TrimSpace(*rec.Category)
		a.Section = article.Section{Name: sectionName(name), Slug: termSlug("", name)}
	}
	for _, t := range rec.Tags {
		a.Tags = append(a.Tags, article.Tag{Name: t.Name, Slug: termSlug(t.Slug, t.Name)})
	}
	a.Tags = dedupeTags(a.Tags)
	for _, t := range rec.Authors {
		if s := termSlug(t.Slug, t.Name); s != "" {
			a.Authors = append(a.Authors, article.Author{Name: t.Name, Slug: s, Bio: t.Description})
		}
	}
	for _, n := range rec.Notes {
		at, _ := parseTime(n.At)
		a.Notes = append(a.Notes, article.Note{Kind: article.NoteKind(n.Kind), Text: n.Text, At: at})
	}
	var undated bool
	if rec.Published != nil {
		t, err := parseTime(*rec.Published)
		if err != nil {
			r.sum.skip("unreadable date "+strconv.Quote(*rec.Published)+" (imported as undated)", rec.ID)
		}
		a.PublishedAt = t
	}
	if a.PublishedAt.IsZero() && (a.Status == article.Published || a.Status == article.Scheduled) {
		undated = true
		a.PublishedAt = r.opt.Now().UTC().Truncate(time.Second)
	}
	a.UpdatedAt, _ = parseTime(rec.Updated)
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.PublishedAt
	}
	a.CreatedAt = a.PublishedAt
	if undated {
		// Keep the date an earlier import gave the story, so that its address stays.
		if k, err := r.tx.ImportKey(r.ctx, source, rec.ID); err == nil {
			if old, err := r.tx.Article(r.ctx, k.ArticleID); err == nil && !old.PublishedAt.IsZero() {
				a.PublishedAt, a.UpdatedAt, a.CreatedAt = old.PublishedAt, old.UpdatedAt, old.CreatedAt
			}
		}
	}
	created, ok, err := r.saveArticle(source, rec.ID, rec.URL, a)
	if err != nil || !ok {
		return err
	}
	if live(a.Status) {
		to := a.Path(r.opt.Location)
		if rec.URL != "" {
			if err := r.redirect(oldPath(rec.URL), to); err != nil {
				return err
			}
		}
		for _, k := range rec.Redirects {
			if err := r.redirect(k.From, to+k.To); err != nil {
				return err
			}
		}
	}
	list := make([]importedComment, 0, len(rec.Comments))
	for _, c := range rec.Comments {
		id := strconv.FormatInt(c.ID, 10)
		created, _ := parseTime(c.Created)
		cc := &comment.Comment{ArticleID: a.ID, Type: comment.Type(c.Type), Status: comment.Status(c.Status),
			AuthorName: c.Author, AuthorEmail: c.Email, AuthorURL: c.URL, AuthorIP: c.IP, Content: c.Content,
			CreatedAt: created}
		if cc.Type == "" {
			cc.Type = comment.Regular
		}
		if !cc.Status.Valid() {
			r.sum.skip("comment status "+strconv.Quote(c.Status), "comment "+id)
			continue
		}
		if cc.Type != comment.Regular && cc.Type != comment.Pingback && cc.Type != comment.Trackback {
			r.sum.skip("comment type "+strconv.Quote(c.Type), "comment "+id)
			continue
		}
		cc.SpamScore = spamScore(cc.Status)
		ic := importedComment{key: "comment:" + id, id: id, c: cc}
		if c.Parent != 0 {
			ic.parent = strconv.FormatInt(c.Parent, 10)
		}
		list = append(list, ic)
	}
	return r.saveThread(source, list, nil, created)
}

// sectionName is a corpus category as a section's name: "business" becomes "Business".
func sectionName(s string) string {
	if s == strings.ToLower(s) {
		r, n := utf8.DecodeRuneInString(s)
		return strings.ToUpper(string(r)) + s[n:]
	}
	return s
}

// parseTime reads an ISO 8601 time; one without a zone is UTC. An empty string is the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// picture notes a picture of the library a Broadsheet export lists, which ImportMedia moves in
// with its words.
func (r *run) picture(rec *exporter.Record) {
	p := rec.Picture
	if p == nil {
		r.sum.skip("picture record without a picture", rec.ID)
		return
	}
	u := strings.TrimSpace(p.URL)
	m := libraryURL.FindStringSubmatch(u)
	if m == nil || m[0] != u {
		r.sum.skip("picture record without a library address", rec.ID)
		return
	}
	if r.sum.Site == "" && strings.HasPrefix(u, "http") {
		r.sum.Site = strings.TrimSuffix(u, m[0][strings.Index(m[0], "/media/"):]) // the old site, for --fetch-media
	}
	created, _ := parseTime(p.Created)
	r.sum.Attachments = append(r.sum.Attachments, Attachment{Upload: m[1], URL: u, Name: plainTitle(p.Name),
		Alt: plainTitle(p.Alt), Caption: plainTitle(p.Caption), Credit: plainTitle(p.Credit),
		Description: strings.TrimSpace(p.Description), FocusX: min(max(p.FocusX, 0), 1), FocusY: min(max(p.FocusY, 0), 1),
		Date: created})
}
