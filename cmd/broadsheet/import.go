package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/broadsheet/broadsheet/internal/importer"
)

const importUsage = `broadsheet import [--data DIR | --db URL] [--dry-run] [--users] [--media-dir DIR | --fetch-media] [--max-upload MB] [--old-base-url URL] [--json] [--check-urls LIST] FILE…

Imports WordPress exports (WXR), Disqus exports, RSS or Atom feeds and Broadsheet JSON Lines,
recognised by their content (gzip-compressed files too, or inside a .zip or .tar.gz), in one transaction: all or nothing.
Importing a file again updates what it created. The old site's URLs are kept under the folder
it lived in (its export's home address, or --old-base-url). --check-urls asks the site, after the
import (or without files, as it is), for each old URL of LIST (one a line, from a sitemap or server
logs) and lists those that would not answer; it exits with an error if any. --fetch-media downloads
the pictures stories use from the old site (run it again to fetch only what is still missing).`

// importCmd runs "broadsheet import": files into the site, with a progress bar on a terminal and
// a summary of each file.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	cfg := DefaultConfig()
	cfg.Demo = false
	fs := newFlagSet("import", importUsage, stderr)
	cfg.flags(fs, env, "data", "db", "timezone", "media", "max-upload")
	dryRun := fs.Bool("dry-run", false, "read and check everything, report what would happen, save nothing")
	users := fs.Bool("users", false, "create staff accounts (role author, no password) for WordPress authors")
	mediaDir := fs.String("media-dir", "", "a copy of the old site's wp-content/uploads (a folder, .zip or .tar.gz): move the pictures stories use into the library")
	fetch := fs.Bool("fetch-media", false, "download the pictures stories use from the old site into the library (what is already there is not fetched again)")
	fetchWorkers := fs.Int("fetch-workers", 4, "with --fetch-media, how many pictures download at once")
	fetchTimeout := fs.Duration("fetch-timeout", time.Minute, "with --fetch-media, how long one picture may take to download (each try)")
	asJSON := fs.Bool("json", false, "write the summaries (and the URL check) as JSON")
	checkList := fs.String("check-urls", "", "a file of old URLs, one a line, to check after the import")
	oldBase := fs.String("old-base-url", "", "the old site's address (https://example.org/blog/), whose folder its old URLs are kept under; default: the export's")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 && *checkList == "" {
		return usageError{errors.New("name the files to import\nusage: " + importUsage)}
	}
	if *fetch && *mediaDir != "" {
		return usageError{errors.New("--media-dir and --fetch-media both say where pictures come from: choose one")}
	}
	if *fetchWorkers < 1 || *fetchTimeout <= 0 {
		return usageError{errors.New("--fetch-workers and --fetch-timeout must be positive")}
	}
	if *dryRun && *checkList != "" {
		return usageError{errors.New("--check-urls needs a real import: a dry run keeps nothing to check")}
	}
	loc, err := cfg.location()
	if err != nil {
		return err
	}
	var uploads importer.Source
	if *mediaDir != "" {
		src, closer, err := importer.OpenUploads(*mediaDir, int64(max(cfg.MaxUploadMB, 1))<<20)
		if err != nil {
			return fmt.Errorf("--media-dir: %w", err)
		}
		defer closer.Close()
		uploads = src
	}
	var files []importer.File
	for _, name := range fs.Args() {
		inside, closer, isArchive, err := importer.OpenExports(name)
		if err != nil {
			return err
		}
		if isArchive {
			defer closer.Close()
			if len(inside) == 0 {
				return fmt.Errorf("%s: no export the importer reads in the archive", name)
			}
			files = append(files, inside...)
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		var size int64
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		files = append(files, importer.File{Name: name, R: f, Size: size})
	}
	fresh, err := newDatabase(cfg)
	if err != nil {
		return err
	}
	m := NewMain(cfg)
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	imported := false
	if fresh != nil {
		// A failed import into a new data directory leaves no empty database behind.
		defer func() {
			if !imported || *dryRun {
				m.Close()
				m.Store = nil
				fresh()
			}
		}()
	}
	bar := newProgressBar(stderr, isTerminal(stderr), time.Now)
	sums, err := importer.Import(ctx, m.Store, files, importer.Options{Renderer: m.Renderer, Location: loc,
		Now: m.Now, DryRun: *dryRun, Users: *users, OldBaseURL: *oldBase, Progress: bar.update})
	bar.finish()
	if err != nil {
		return fmt.Errorf("%w\nNothing was imported: the database is as it was", err)
	}
	imported = true
	// Pictures move in after the stories' transaction, and before the check, whose old picture
	// addresses then answer.
	var pictures *importer.MediaSummary
	if (*mediaDir != "" || *fetch) && !*dryRun {
		var attachments []importer.Attachment
		site := *oldBase
		for _, s := range sums {
			attachments = append(attachments, s.Attachments...)
			if site == "" {
				site = s.Site
			}
		}
		var src importer.Source = &importer.Fetcher{Base: site, Concurrency: *fetchWorkers, Timeout: *fetchTimeout, MaxBytes: m.Media.Limit()}
		from := "the old site"
		if uploads != nil {
			src, from = uploads, *mediaDir
		}
		line := newFetchLine(stderr, isTerminal(stderr), time.Now)
		sum, err := importer.ImportMedia(ctx, m.Store, m.Media, src, importer.MediaOptions{Attachments: attachments, Progress: line.update})
		line.finish()
		if err != nil {
			return fmt.Errorf("moving pictures in from %s: %w (the stories are imported; run the import again to finish)", from, err)
		}
		pictures = &sum
	}
	var failed []answer
	checked := 0
	if *checkList != "" {
		if failed, checked, err = m.checkURLs(ctx, *checkList); err != nil {
			return fmt.Errorf("check URLs: %w", err)
		}
	}
	if *asJSON {
		report := struct {
			Files   []*importer.Summary    `json:"files"`
			Media   *importer.MediaSummary `json:"media,omitempty"`
			DryRun  bool                   `json:"dry_run"`
			Checked int                    `json:"urls_checked,omitempty"`
			Failed  []answer               `json:"urls_not_answering,omitempty"`
		}{sums, pictures, *dryRun, checked, failed}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return err
		}
	} else {
		for _, s := range sums {
			if _, err := s.WriteTo(stdout); err != nil {
				return err
			}
		}
		if pictures != nil {
			if _, err := pictures.WriteTo(stdout); err != nil {
				return err
			}
		}
		if *dryRun {
			fmt.Fprintln(stdout, "Dry run: nothing was saved.")
		}
		if *checkList != "" {
			writeCheck(stdout, *checkList, failed, checked)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d old URLs would not answer", len(failed), checked)
	}
	return nil
}

// newDatabase reports, for a SQLite database that does not exist yet, a function that removes
// what opening it creates (the file, its journal and the data directory if it was made for
// it); nil when the database exists or is not a file.
func newDatabase(cfg Config) (func(), error) {
	kind, path, err := cfg.database()
	if err != nil || kind != "sqlite" || strings.HasPrefix(path, ":memory:") {
		return nil, err
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	dir := filepath.Dir(path)
	_, dirErr := os.Stat(dir)
	newDir := errors.Is(dirErr, fs.ErrNotExist)
	pictures := filepath.Join(cfg.Data, "media")
	_, picErr := os.Stat(pictures)
	newPictures := errors.Is(picErr, fs.ErrNotExist)
	return func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal", "-sound"} {
			os.Remove(path + suffix)
		}
		if newPictures { // the library's folder, made on opening: removed only when empty
			os.Remove(filepath.Join(pictures, ".tmp"))
			os.Remove(pictures)
		}
		if newDir {
			os.Remove(dir) // only when empty
		}
	}, nil
}

// isTerminal reports whether w is a terminal, where a progress bar can redraw itself.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressBar shows an import's progress: a bar redrawn in place on a terminal, a log line every
// few seconds otherwise.
type progressBar struct {
	w      io.Writer
	tty    bool
	now    func() time.Time
	last   time.Time
	shown  bool
	latest importer.Progress
}

func newProgressBar(w io.Writer, tty bool, now func() time.Time) *progressBar {
	return &progressBar{w: w, tty: tty, now: now}
}

// update takes the latest progress and shows it when it is time to.
func (b *progressBar) update(p importer.Progress) {
	fileChanged := p.File != b.latest.File
	if fileChanged && b.latest.File != "" {
		b.show(b.latest, true)
	}
	b.latest = p
	every := 5 * time.Second
	if b.tty {
		every = 100 * time.Millisecond
	}
	if now := b.now(); fileChanged || now.Sub(b.last) >= every {
		b.last = now
		b.show(p, false)
	}
}

// finish shows the final state of the last file.
func (b *progressBar) finish() {
	if b.latest.File != "" {
		b.show(b.latest, true)
	}
	b.latest = importer.Progress{}
}

func (b *progressBar) show(p importer.Progress, final bool) {
	line := progressLine(p, b.tty)
	switch {
	case b.tty:
		fmt.Fprintf(b.w, "\r%s\x1b[K", line)
		if final {
			fmt.Fprintln(b.w)
		}
	case final || p.Items > 0 || p.Done > 0:
		fmt.Fprintln(b.w, line)
	}
}

// progressLine describes progress in one line: the file, a bar (on a terminal), the share done,
// bytes, items, the rates and the time left.
func progressLine(p importer.Progress, bar bool) string {
	var s strings.Builder
	s.WriteString(p.File + " ")
	secs := p.Elapsed.Seconds()
	frac := -1.0
	if p.Total > 0 {
		frac = min(float64(p.Done)/float64(p.Total), 1)
	}
	if bar {
		const width = 24
		fill := 0
		if frac >= 0 {
			fill = int(frac * width)
		}
		s.WriteString("[" + strings.Repeat("#", fill) + strings.Repeat(".", width-fill) + "] ")
	}
	if frac >= 0 {
		fmt.Fprintf(&s, "%3.0f%% %s of %s", frac*100, mb(p.Done), mb(p.Total))
	} else {
		s.WriteString(mb(p.Done))
	}
	fmt.Fprintf(&s, ", %d items", p.Items)
	if secs > 0.2 {
		fmt.Fprintf(&s, ", %.0f items/s, %s/s", float64(p.Items)/secs, mb(int64(float64(p.Done)/secs)))
		if frac > 0 && frac < 1 {
			left := time.Duration(secs * (1 - frac) / frac * float64(time.Second))
			fmt.Fprintf(&s, ", %s left", left.Round(time.Second))
		}
	}
	return s.String()
}

// mb is a size in megabytes for the progress line.
func mb(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// fetchLine shows how far moving pictures in has come: one line redrawn in place on a
// terminal, a line every few seconds otherwise.
type fetchLine struct {
	w      io.Writer
	tty    bool
	now    func() time.Time
	last   time.Time
	latest importer.MediaProgress
}

func newFetchLine(w io.Writer, tty bool, now func() time.Time) *fetchLine {
	return &fetchLine{w: w, tty: tty, now: now, last: now()}
}

// update takes the latest progress and shows it when it is time to.
func (l *fetchLine) update(p importer.MediaProgress) {
	l.latest = p
	every := 5 * time.Second
	if l.tty {
		every = 100 * time.Millisecond
	}
	if now := l.now(); now.Sub(l.last) >= every {
		l.last = now
		l.show(false)
	}
}

// finish shows the final count.
func (l *fetchLine) finish() {
	if l.latest.Total > 0 {
		l.show(true)
	}
}

func (l *fetchLine) show(final bool) {
	p := l.latest
	line := fmt.Sprintf("pictures %d/%d: %d read, %d already in the library, %d not found", p.Done, p.Total, p.Fetched, p.Skipped, p.Failed)
	switch {
	case l.tty:
		fmt.Fprintf(l.w, "\r%s\x1b[K", line)
		if final {
			fmt.Fprintln(l.w)
		}
	default:
		fmt.Fprintln(l.w, line)
	}
}
