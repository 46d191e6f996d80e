package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
)

const usage = `Broadsheet is a news publishing engine.

Usage:
  broadsheet [serve] [options]          run the site (the default)
  broadsheet user add|list|password|link
                                        manage staff accounts; print a set-password link
  broadsheet comments …                 moderate comments; export or erase a commenter's data
  broadsheet import FILE…               import WordPress, Disqus, RSS/Atom or JSON Lines files
  broadsheet export --format wxr|jsonl  export the site (WordPress WXR or JSON Lines)
  broadsheet media add|list            add pictures to the library, list it
  broadsheet related rebuild            recompute every story's related stories
  broadsheet related eval …             measure the related-stories engine on a labelled corpus
  broadsheet db check                   check the whole database for damage (SQLite)
  broadsheet db backup FILE             copy the database, consistent, while the site serves (SQLite)
  broadsheet db copy --from … --to …    copy a whole site between SQLite and PostgreSQL
  broadsheet version                    print the version, commit and its date, and Go version
  broadsheet bench                      measure pages/s, comment posts/s, memory and start-up

Run "broadsheet COMMAND --help" for a command's options.
`

// run dispatches a command line and returns the process's exit code: 0 for success, 1 for a
// failure, 2 for a mistake in the command line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "help" && isHelp(args[0]) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stdout, stderr, env)
	case "comments":
		err = commentsCmd(ctx, args, stdout, stderr, env)
	case "import":
		err = importCmd(ctx, args, stdout, stderr, env)
	case "export":
		err = exportCmd(ctx, args, stdout, stderr, env)
	case "user":
		err = userCmd(ctx, args, os.Stdin, stdout, stderr, env)
	case "related":
		err = relatedCmd(ctx, args, stdout, stderr, env)
	case "db":
		err = dbCmd(ctx, args, stdout, stderr, env)
	case "media":
		err = mediaCmd(ctx, args, stdout, stderr, env)
	case "version":
		err = versionCmd(args, stdout, stderr)
	case "bench":
		err = benchCmd(ctx, args, stdout, stderr)
	case "help":
		if len(args) > 0 {
			return run(ctx, []string{args[0], "--help"}, stdout, stderr, env)
		}
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "broadsheet: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "broadsheet %s: %v\n", cmd, err)
		return 2
	}
	fmt.Fprintf(stderr, "broadsheet %s: %v\n", cmd, err)
	return 1
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// subcommand splits a command group's arguments ("comments approve 5") into the subcommand and
// the rest. With none, or a request for help, it prints the group's usage and answers the
// error to return: flag.ErrHelp for help (exit 0), a usageError otherwise (exit 2).
func subcommand(args []string, groupUsage string, stdout, stderr io.Writer) (string, []string, error) {
	switch {
	case len(args) > 0 && isHelp(args[0]):
		fmt.Fprintf(stdout, "Usage:\n%s\n", groupUsage)
		return "", nil, flag.ErrHelp
	case len(args) == 0 || strings.HasPrefix(args[0], "-"):
		fmt.Fprintf(stderr, "Usage:\n%s\n", groupUsage)
		return "", nil, usageError{errors.New("name a subcommand")}
	}
	return args[0], args[1:], nil
}

// parseFlags parses a command's flags, telling help from a mistake.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	return nil
}

// usageError is a mistake in the command line.
type usageError struct{ error }

// serve runs the site until ctx is cancelled (SIGINT or SIGTERM).
// memoryHeadroom is the server's soft memory limit beyond the page cache's budget: the
// related-stories index of a 100,000-story site takes about 50 MB of it.
const memoryHeadroom = 128 << 20

// gcPercent is the server's GOGC (see serve).
const gcPercent = 25

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("serve", "broadsheet serve [options]", stderr)
	cfg.flags(fs, env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if env("GOGC") == "" {
		// What the heap holds for long (the page cache, the related-stories index) is most of
		// it, and mostly without pointers, so collecting often is cheap: the heap grows a
		// quarter past what it holds before a collection, not twice.
		debug.SetGCPercent(gcPercent)
	}
	if env("GOMEMLIMIT") == "" {
		// A backstop: past this, the garbage collector works harder rather than let the heap grow.
		debug.SetMemoryLimit(int64(cfg.CacheMB)<<20 + memoryHeadroom)
	}
	m := NewMain(cfg)
	m.Out = stdout
	m.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := m.Run(ctx); err != nil {
		if m.Store != nil {
			m.Store.Close()
		}
		return err
	}
	fmt.Fprintf(stdout, "Broadsheet is serving %s/ (data in %s). Press Ctrl+C to stop.\n", m.URL(), cfg.Data)
	<-ctx.Done()
	fmt.Fprintln(stdout, "Stopping…")
	return m.Close()
}
