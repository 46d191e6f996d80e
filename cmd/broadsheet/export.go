package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/broadsheet/broadsheet/internal/exporter"
)

const exportUsage = `broadsheet export [--data DIR | --db URL] --format wxr|jsonl [--out FILE] [--private] [--media-dir DIR]

Writes every story and page with its comments: as a WordPress export (wxr, which WordPress's
importer accepts, pictures included) or as Broadsheet JSON Lines (jsonl). Commenters' email and
IP addresses are included only with --private: the file then holds personal data. --media-dir
also copies the original of every picture in the library into DIR (as HASH/name.jpg, what
"broadsheet import --media-dir DIR" reads), so the site can move with its pictures offline.`

// exportCmd runs "broadsheet export".
func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	cfg := DefaultConfig()
	cfg.Demo = false
	fs := newFlagSet("export", exportUsage, stderr)
	cfg.flags(fs, env, "data", "db", "timezone", "base-url", "title", "description", "media")
	format := fs.String("format", "wxr", "wxr (WordPress export) or jsonl (JSON Lines)")
	out := fs.String("out", "-", "file to write, - for standard output")
	private := fs.Bool("private", false, "include commenters' email and IP addresses (personal data: keep the file safe)")
	mediaDir := fs.String("media-dir", "", "also copy the original of every picture in the library into this folder (HASH/name.jpg), for import --media-dir")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	write := map[string]func(context.Context, exporter.Store, io.Writer, exporter.Options) (exporter.Counts, error){
		"wxr": exporter.WriteWXR, "jsonl": exporter.WriteJSONL}[*format]
	if write == nil {
		return usageError{fmt.Errorf("unknown format %q; use wxr or jsonl", *format)}
	}
	loc, err := cfg.location()
	if err != nil {
		return err
	}
	m := NewMain(cfg)
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	opt := exporter.Options{BaseURL: cfg.baseURL(cfg.Addr), Title: cfg.Title, Description: cfg.Description,
		Location: loc, Now: m.Now, Private: *private}
	if *out == "-" {
		bw := bufio.NewWriterSize(stdout, 64<<10)
		n, err := write(ctx, m.Store, bw, opt)
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Exported %d stories and pages with %d comments.\n", n.Articles, n.Comments)
		return exportMedia(ctx, m, *mediaDir, stderr)
	}
	// Write beside the destination and rename, so that a failed export leaves no half file.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 64<<10)
	n, err := write(ctx, m.Store, bw, opt)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), *out)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Exported %d stories and pages with %d comments to %s.\n", n.Articles, n.Comments, *out)
	if *private {
		fmt.Fprintln(stdout, "The file holds commenters' email and IP addresses: keep it private.")
	}
	return exportMedia(ctx, m, *mediaDir, stdout)
}

// exportMedia copies the library's originals into dir (none when dir is "") and says how many.
func exportMedia(ctx context.Context, m *Main, dir string, out io.Writer) error {
	if dir == "" {
		return nil
	}
	n, err := exporter.WriteMedia(ctx, m.Store, m.Media.Files, dir)
	if err != nil {
		return fmt.Errorf("--media-dir: %w (run the export again to finish: the pictures written are kept)", err)
	}
	fmt.Fprintf(out, "Copied %d pictures to %s (%d were there already).\n", n.Written, dir, n.Kept)
	if len(n.Missing) > 0 {
		return fmt.Errorf("--media-dir: %d pictures of the library have no file in the media store: %s",
			len(n.Missing), strings.Join(n.Missing, ", "))
	}
	return nil
}
