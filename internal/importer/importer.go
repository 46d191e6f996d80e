// Package importer moves a site into Broadsheet: WordPress exports (WXR 1.0 to 1.2), Disqus
// comment exports, RSS and Atom feeds, and Broadsheet JSON Lines, each recognised by its content.
//
// Files are read as streams, so memory does not grow with their size, and written in one
// transaction: an import lands whole or not at all, and a file broken at some byte leaves the
// database as it was, with an error naming the line and column. Every record is keyed by its
// identifier at its source (store.ImportKey), so importing a file again updates what it created
// instead of duplicating it, and importing another site's file adds to what is there.
//
// How WordPress maps onto Broadsheet:
//   - Statuses: publish → published, future → scheduled, draft → draft, pending → pending,
//     private → unpublished. A password-protected post is imported unpublished, so that its
//     text stays private. Auto-drafts, revisions and trashed posts are skipped.
//   - Posts become stories and pages stay pages (at /slug/). Attachments give featured images
//     (_thumbnail_id: the attachment's URL, and its _wp_attachment_image_alt as the alt text);
//     menus, blocks and other post types are skipped and counted.
//   - Authors become bylines (slug from the login); staff accounts only with Options.Users.
//   - Categories: a story's section is the top-level ancestor of its first category; every
//     other category it has (the first one too, when it is a child) becomes a tag of the same
//     name. WordPress tags become tags.
//   - Comments keep their threads, status (1 → approved, 0 → pending, spam, trash), author name,
//     email, website, IP address and date. Pingbacks and trackbacks are kept with their type.
//     Comment HTML becomes the plain text Broadsheet stores.
//   - Content: shortcodes ([caption], [embed]) become HTML, then block-editor comments are
//     removed, or classic content gets WordPress's automatic paragraphs. The HTML is stored as
//     the story's Markdown source in a form CommonMark passes through unchanged, and rendered
//     and sanitised like any story.
//   - Old URLs: /?p=ID, /?page_id=ID, the post's old permalink, /YYYY/MM/DD/slug/, /slug/ and
//     their /feed/ forms, /category/…/, /tag/…/, /?cat=ID, /?tag=slug and /author/login/ lead
//     with a 301 to the new address, through the store's redirects. Only published and
//     scheduled stories get them: drafts had no public address.
//
// A source is told apart by its address (a WordPress site's base URL, a Disqus forum, a feed's
// link): two different sites exported from the same address (http://localhost) are taken for
// one, and the second import updates the first's stories.
//
// Disqus threads are matched to stories by their link (the permalink, or an old URL an import
// kept) or by their identifier; feed items become published stories whose link is kept in the
// import key as their canonical source.
package importer

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Format is a kind of file the importer reads.
type Format string

// The formats, recognised by Detect.
const (
	WXR       Format = "WordPress export"
	Disqus    Format = "Disqus export"
	RSS       Format = "RSS feed"
	Atom      Format = "Atom feed"
	JSONLines Format = "JSON Lines"
)

// Options configure an import. Renderer is required; the other fields have working zero values.
type Options struct {
	// Renderer renders and sanitises the imported bodies.
	Renderer *article.Renderer
	// Location is the newsroom's time zone, in which permalinks are dated (default UTC).
	Location *time.Location
	// Now is the clock, for records that carry no date (default time.Now).
	Now func() time.Time
	// DryRun reads and checks everything, then rolls back: the summaries say what an import
	// would do and the database is left as it was.
	DryRun bool
	// Users creates a staff account with the Author role and no password for every WordPress
	// author with an email address that has none yet; an administrator then sets passwords.
	Users bool
	// OldBaseURL is the address the old site answered at (https://example.org/blog/), whose
	// path its old URLs are kept under; by default a WordPress export's own (its home address).
	OldBaseURL string
	// Progress, when set, is called after each record with the state of the current file.
	Progress func(Progress)
}

// Progress is how far the import of one file has come.
type Progress struct {
	File   string
	Format Format
	// Done and Total are bytes of the file as stored (compressed, if it is); Total is 0 when
	// the size is unknown.
	Done, Total int64
	// Items counts the records handled so far: articles, comments, skipped records.
	Items   int
	Elapsed time.Duration
}

// File is one input of an import.
type File struct {
	// Name is how messages name the file.
	Name string
	R    io.Reader
	// Size is the file's size in bytes, or 0 when unknown, for progress.
	Size int64
}

// errDryRun rolls a dry run back.
var errDryRun = errors.New("importer: dry run")

// Import reads files in order and writes what they hold to st in one transaction, returning one
// summary per file. Any error (a malformed file, a failing store, ctx cancelled) rolls the whole
// import back; a record the store cannot take (a story without a title, a comment on nothing) is
// skipped and reported in its file's summary instead.
func Import(ctx context.Context, st store.Store, files []File, opt Options) ([]*Summary, error) {
	if opt.Renderer == nil {
		return nil, errors.New("importer: no renderer")
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	var sums []*Summary
	err := st.InTx(ctx, func(tx store.Store) error {
		r := &run{ctx: ctx, tx: tx, opt: opt,
			sections: map[string]int64{}, tags: map[string]int64{}, authors: map[string]int64{}}
		for _, f := range files {
			sum, err := r.file(f)
			if err != nil {
				return fmt.Errorf("importer: %s: %w", f.Name, err)
			}
			sums = append(sums, sum)
		}
		if opt.DryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, err
	}
	return sums, nil
}

// run is the state of one import: the transaction and what it learnt of the taxonomy.
type run struct {
	ctx context.Context
	tx  store.Store
	opt Options

	// IDs of the sections, tags and bylines met so far, by slug; 0 for one the import creates.
	sections, tags, authors map[string]int64

	// The current file.
	sum   *Summary
	name  string
	size  int64
	count *countingReader
	start time.Time
	items int
}

// file imports one file.
func (r *run) file(f File) (*Summary, error) {
	r.name, r.size, r.items, r.start = f.Name, f.Size, 0, time.Now()
	r.count = &countingReader{r: f.R}
	br := bufio.NewReaderSize(r.count, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer gz.Close()
		br = bufio.NewReaderSize(gz, 64<<10)
	}
	head, err := br.Peek(32 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	format, err := Detect(head)
	if err != nil {
		return nil, err
	}
	r.sum = newSummary(f.Name, format)
	switch format {
	case WXR:
		err = r.wxr(br)
	case Disqus:
		err = r.disqus(br)
	case RSS, Atom:
		err = r.feed(br)
	case JSONLines:
		err = r.jsonl(br)
	}
	if err != nil {
		return nil, err
	}
	r.sum.Bytes, r.sum.Duration = r.count.n, time.Since(r.start)
	r.progress()
	return r.sum, nil
}

// step counts a record, reports progress and checks for cancellation.
func (r *run) step() error {
	r.items++
	if r.opt.Progress != nil {
		r.progress()
	}
	return r.ctx.Err()
}

func (r *run) progress() {
	if r.opt.Progress != nil {
		r.opt.Progress(Progress{File: r.name, Format: r.sum.Format, Done: r.count.n, Total: r.size,
			Items: r.items, Elapsed: time.Since(r.start)})
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// SyntaxError reports a malformed feed or JSON Lines file and where the problem was found;
// WordPress and Disqus exports answer the wxr and disqus packages' own SyntaxError.
type SyntaxError struct {
	Format       Format
	Line, Column int
	Err          error
}

// Error returns "FORMAT: line L, column C: message".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s: line %d, column %d: %v", e.Format, e.Line, e.Column, e.Err)
}

// Unwrap returns the underlying error.
func (e *SyntaxError) Unwrap() error { return e.Err }
