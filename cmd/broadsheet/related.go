package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/broadsheet/broadsheet/internal/recommend"
	"github.com/broadsheet/broadsheet/internal/related/relatedeval"
)

const relatedUsage = `  broadsheet related rebuild [--data DIR | --db URL]
  broadsheet related eval --corpus FILE.jsonl[.gz] [--k 5] [--label-field category] [--dates] [--per-label] [--exact] [--keep-duplicates] [--vary V] [--json]
  broadsheet related eval --corpus FILE.jsonl[.gz] --synthetic N

Run "broadsheet related SUBCOMMAND --help" for its options.`

// relatedCmd runs "broadsheet related": the related-stories engine's tools.
func relatedCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	sub, args, err := subcommand(args, relatedUsage, stdout, stderr)
	if err != nil {
		return err
	}
	switch sub {
	case "eval":
		return relatedeval.Command(ctx, args, stdout, stderr)
	case "rebuild":
		return relatedRebuild(ctx, args, stdout, stderr, env)
	}
	fmt.Fprintf(stderr, "Usage:\n%s\n", relatedUsage)
	return usageError{fmt.Errorf("unknown related subcommand %q", sub)}
}

// relatedRebuild recomputes every story's stored related list, with a progress bar on a
// terminal. A running server picks the new lists up at once (they are in the change log).
func relatedRebuild(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	cfg := DefaultConfig()
	cfg.Demo = false
	fs := newFlagSet("related rebuild", "broadsheet related rebuild [--data DIR | --db URL]", stderr)
	cfg.flags(fs, env, "data", "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	m := NewMain(cfg)
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	tty := false
	if f, ok := stdout.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	start := time.Now()
	last := -1
	progress := func(stage string) recommend.Progress {
		return func(done, total int) {
			pct := 100
			if total > 0 {
				pct = done * 100 / total
			}
			switch {
			case tty:
				const width = 30
				bar := []rune("[" + fmt.Sprintf("%-*s", width, "") + "]")
				for i := 1; i <= width*pct/100; i++ {
					bar[i] = '='
				}
				fmt.Fprintf(stdout, "\r%-8s %s %3d%%  %d/%d stories  %s ", stage, string(bar), pct, done, total, time.Since(start).Round(time.Second))
			case pct/10 != last/10 || done == total:
				fmt.Fprintf(stdout, "%s: %d/%d stories (%d%%)\n", stage, done, total, pct)
			}
			last = pct
		}
	}
	r := recommend.New(m.Store, recommend.Config{}, m.Now, m.Log)
	if err := r.Load(ctx, progress("Indexing")); err != nil {
		return err
	}
	if tty {
		fmt.Fprintln(stdout)
	}
	last = -1
	if err := r.StoreAll(ctx, progress("Lists")); err != nil {
		return err
	}
	if tty {
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "Rebuilt the related stories of %d live stories in %s.\n", r.Len(), time.Since(start).Round(time.Millisecond))
	return nil
}
