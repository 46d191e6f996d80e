package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

const mediaUsage = `  broadsheet media add [--alt TEXT] [--caption TEXT] [--credit TEXT] [--description TEXT] FILE…
                                                add pictures to the library; prints each one's URL
  broadsheet media list [--q TEXT] [--unused]   list the library, newest first

Run "broadsheet media SUBCOMMAND --help" for its options.`

// mediaCmd runs "broadsheet media add|list".
func mediaCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	sub, args, err := subcommand(args, mediaUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if sub != "add" && sub != "list" {
		fmt.Fprintf(stderr, "Usage:\n%s\n", mediaUsage)
		return usageError{fmt.Errorf("unknown media subcommand %q", sub)}
	}
	cfg := DefaultConfig()
	fs := newFlagSet("media "+sub, "broadsheet media "+sub+" [options]", stderr)
	cfg.flags(fs, env, "data", "db", "base-url", "addr", "max-upload", "media")
	alt := fs.String("alt", "", "description for readers who cannot see the picture")
	caption := fs.String("caption", "", "caption shown under the picture")
	credit := fs.String("credit", "", "photographer or source")
	description := fs.String("description", "", "longer words about the picture for the newsroom's library (not shown to readers)")
	q := fs.String("q", "", "list: only pictures whose name, alt text, caption, credit or description contains this")
	unused := fs.Bool("unused", false, "list: only pictures no story shows")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case sub == "add" && fs.NArg() == 0:
		return usageError{errors.New("name at least one file")}
	case sub == "list" && fs.NArg() > 0:
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	cfg.Demo = false
	m := NewMain(cfg)
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	base := strings.TrimRight(cfg.baseURL(cfg.Addr), "/")
	if sub == "list" {
		return listMedia(ctx, m.Store, stdout, base, store.MediaQuery{Text: *q, Unused: *unused})
	}
	failed := 0
	for _, name := range fs.Args() {
		it, err := addMedia(ctx, m.Media, m.Store, name, media.Upload{Alt: *alt, Caption: *caption, Credit: *credit, Description: *description})
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			failed++
			continue
		}
		fmt.Fprintln(stdout, base+it.URL())
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files were not added", failed, fs.NArg())
	}
	return nil
}

// addMedia reads one file within the library's limit and adds it.
func addMedia(ctx context.Context, lib *media.Library, st store.Store, path string, up media.Upload) (*media.Item, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if up.Data, err = lib.ReadAll(f); err != nil {
		return nil, err
	}
	up.Name = path
	it, _, err := lib.Add(ctx, st, up)
	return it, err
}

func listMedia(ctx context.Context, st store.Store, stdout io.Writer, base string, q store.MediaQuery) error {
	list, total, err := st.ListMedia(ctx, q)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tURL\tSIZE\tUPLOADED\tALT")
	for _, it := range list {
		fmt.Fprintf(tw, "%d\t%s\t%d×%d\t%s\t%s\n", it.ID, base+it.URL(), it.Width, it.Height, it.CreatedAt.Format("2006-01-02"), it.Alt)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if total == 1 {
		fmt.Fprintln(stdout, "1 picture")
		return nil
	}
	fmt.Fprintf(stdout, "%d pictures\n", total)
	return nil
}
