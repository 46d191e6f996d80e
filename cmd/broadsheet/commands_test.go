package main

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
)

// runCLI runs a command line with an empty environment and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr, func(string) string { return "" })
	return code, stdout.String(), stderr.String()
}

// TestHelp: every command and subcommand answers --help with exit 0, its own usage and only its
// own flags; every one takes --data, --db, --db-wait and --skip-check, and only serve takes the
// server's.
func TestHelp(t *testing.T) {
	t.Parallel()
	server := []string{"-acme-ca-file", "-acme-directory", "-acme-domain", "-addr", "-base-url", "-cache-mb", "-demo", "-durability", "-embed-fetch", "-max-age", "-max-upload", "-media", "-media-public-url", "-metrics-addr",
		"-purge", "-redirect-addr", "-s-maxage", "-smtp", "-stale-if-error", "-stale-while-revalidate", "-tls-cert", "-tls-key",
		"-trusted-proxy"}
	tests := []struct {
		args  []string
		usage string   // in the output
		flags []string // exactly these, besides -data, -db, -db-wait and -skip-check but for bench (nil: a group's list of subcommands)
	}{
		{[]string{"--help"}, "broadsheet version", nil},
		{[]string{"-h"}, "broadsheet comments …", nil},
		{[]string{"help"}, "broadsheet related rebuild", nil},
		{[]string{"serve", "--help"}, "broadsheet serve", append([]string{"-description", "-timezone", "-title"}, server...)},
		{[]string{"help", "serve"}, "broadsheet serve", append([]string{"-description", "-timezone", "-title"}, server...)},
		{[]string{"comments", "--help"}, "broadsheet comments approve|spam|trash|pending ID…", nil},
		{[]string{"comments", "list", "--help"}, "broadsheet comments list", []string{"-article", "-json", "-limit", "-status"}},
		{[]string{"comments", "approve", "--help"}, "broadsheet comments approve", []string{}},
		{[]string{"comments", "spam", "-h"}, "broadsheet comments approve|spam", []string{}},
		{[]string{"comments", "export", "--help"}, "broadsheet comments export --email", []string{"-email"}},
		{[]string{"comments", "erase", "--help"}, "broadsheet comments erase --email", []string{"-email"}},
		{[]string{"related", "--help"}, "broadsheet related eval", nil},
		{[]string{"related", "rebuild", "--help"}, "broadsheet related rebuild", []string{}},
		{[]string{"user", "--help"}, "broadsheet user password", nil},
		{[]string{"user", "add", "--help"}, "broadsheet user add", []string{"-email", "-name", "-role"}},
		{[]string{"user", "list", "--help"}, "broadsheet user list", []string{}},
		{[]string{"user", "password", "--help"}, "broadsheet user password", []string{"-email"}},
		{[]string{"user", "link", "--help"}, "broadsheet user link", []string{"-base-url", "-email"}},
		{[]string{"import", "--help"}, "broadsheet import", []string{"-check-urls", "-dry-run", "-fetch-media", "-fetch-timeout", "-fetch-workers", "-json", "-max-upload", "-media", "-media-dir", "-old-base-url", "-timezone", "-users"}},
		{[]string{"export", "--help"}, "broadsheet export", []string{"-base-url", "-description", "-format", "-media", "-media-dir", "-out", "-private", "-timezone", "-title"}},
		{[]string{"media", "--help"}, "broadsheet media list", nil},
		{[]string{"media", "add", "--help"}, "broadsheet media add", []string{"-addr", "-alt", "-base-url", "-caption", "-credit", "-description", "-max-upload", "-media", "-q", "-unused"}},
		{[]string{"version", "--help"}, "broadsheet version", nil},
		{[]string{"db", "--help"}, "broadsheet db copy --from URL --to URL", nil},
		{[]string{"db", "check", "--help"}, "broadsheet db check", []string{}},
		{[]string{"db", "backup", "--help"}, "broadsheet db backup", []string{}},
		{[]string{"bench", "--help"}, "broadsheet bench", []string{"-binary", "-cache", "-durability", "-duration", "-nginx", "-only",
			"-post-rate", "-server-log", "-size", "-stories"}},
	}
	flagLine := regexp.MustCompile(`(?m)^  (-[a-z-]+)`)
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, tt.args...)
		out := stdout + stderr
		if code != 0 || !strings.Contains(out, tt.usage) {
			t.Errorf("%q: exit %d, want 0 and usage %q:\n%s", tt.args, code, tt.usage, out)
			continue
		}
		if tt.flags == nil {
			continue
		}
		var got []string
		for _, m := range flagLine.FindAllStringSubmatch(out, -1) {
			got = append(got, m[1])
		}
		want := append([]string{"-data", "-db", "-db-wait", "-skip-check"}, tt.flags...)
		if tt.args[0] == "bench" {
			want = slices.Clone(tt.flags) // it opens no site of its own: the servers it starts do
		}
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q lists other flags (-want +got):\n%s", tt.args, diff)
		}
	}
}

// TestCommandLineMistakes: mistakes exit 2 with a message that names what is wrong.
func TestCommandLineMistakes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"comments"}, "name a subcommand"},
		{[]string{"comments", "frob"}, `unknown comments subcommand "frob"`},
		{[]string{"comments", "approve", "--status", "x"}, "flag provided but not defined: -status"},
		{[]string{"comments", "list", "extra"}, `unexpected argument "extra"`},
		{[]string{"related", "frob"}, `unknown related subcommand "frob"`},
		{[]string{"user", "list", "--email", "a@example.org"}, "flag provided but not defined: -email"},
		{[]string{"version", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, %q; want exit 2 saying %q", tt.args, code, stderr, tt.want)
		}
	}
}

// TestApproveMissingComment: approving an ID that does not exist names it and fails, after
// approving the ones that do.
func TestApproveMissingComment(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	a := liveStory(t, m, 0)
	c := &comment.Comment{ArticleID: a.ID, Status: comment.Pending, AuthorName: "Ada", AuthorEmail: "ada@example.org",
		Content: "Held.", CreatedAt: m.Now()}
	if err := m.Store.CreateComment(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	id := itoa64(c.ID)
	code, stdout, stderr := runCLI(t, "comments", "approve", "--data", m.Config.Data, id, "999")
	if code != 1 || !strings.Contains(stderr, "no comment has the ID 999") || !strings.Contains(stdout, "1 of 2 comments now approved") {
		t.Errorf("comments approve %s 999 = exit %d, %q %q; want exit 1 naming 999", id, code, stdout, stderr)
	}
	if got, err := m.Store.Comment(t.Context(), c.ID); err != nil || got.Status != comment.Approved {
		t.Errorf("comment %s after the command = %v, %v; want approved", id, got, err)
	}
	// Already approved is not a mistake.
	if code, _, stderr := runCLI(t, "comments", "approve", "--data", m.Config.Data, id); code != 0 {
		t.Errorf("approving an approved comment = exit %d, %q", code, stderr)
	}
	if _, _, err := m.Store.ListComments(t.Context(), store.CommentQuery{}); err != nil {
		t.Fatal(err)
	}
}

func TestVersionText(t *testing.T) {
	t.Parallel()
	info := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "c06a24d5e2"}, {Key: "vcs.time", Value: "2026-12-07T13:40:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	want := "broadsheet v1.2.0\ncommit:     c06a24d5e2 (with uncommitted changes)\ncommitted:  2026-12-07T13:40:00Z\ngo:         go1.26.0\n"
	if got := versionText(info); got != want {
		t.Errorf("versionText = %q, want %q", got, want)
	}
	if got := versionText(&debug.BuildInfo{GoVersion: "go1.26.0"}); !strings.Contains(got, "(devel)") || !strings.Contains(got, "commit:     unknown") {
		t.Errorf("versionText of a bare build = %q", got)
	}
	if code, stdout, _ := runCLI(t, "version"); code != 0 || !strings.Contains(stdout, "go:         go1.") {
		t.Errorf("broadsheet version = exit %d, %q", code, stdout)
	}
}

// TestREADMEFlagTable: the README's configuration table lists exactly the server's flags, with
// their environment variables and defaults.
func TestREADMEFlagTable(t *testing.T) {
	t.Parallel()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type row struct{ env, def string }
	readme := map[string]row{}
	cell := regexp.MustCompile("^`([^`]*)`$")
	unquote := func(s string) string {
		if m := cell.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
			return m[1]
		}
		return strings.TrimSpace(s)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "|")
		if len(cols) != 6 || !strings.HasPrefix(strings.TrimSpace(cols[1]), "`--") {
			continue
		}
		readme[strings.TrimPrefix(unquote(cols[1]), "--")] = row{unquote(cols[2]), unquote(cols[3])}
	}
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.flags(fs, func(string) string { return "" })
	code := map[string]row{}
	fs.VisitAll(func(fl *flag.Flag) {
		env := regexp.MustCompile(`\(env (BROADSHEET_[A-Z_]+)\)`).FindStringSubmatch(fl.Usage)
		if env == nil {
			t.Errorf("--%s names no environment variable in its help", fl.Name)
			return
		}
		code[fl.Name] = row{env[1], fl.DefValue}
	})
	for name, c := range code {
		r, ok := readme[name]
		switch {
		case !ok:
			t.Errorf("the README's flag table lacks --%s", name)
		case r.env != c.env:
			t.Errorf("README: --%s reads %s, the code %s", name, r.env, c.env)
		case c.def != "" && r.def != c.def:
			t.Errorf("README: --%s defaults to %q, the code to %q", name, r.def, c.def)
		case c.def == "" && r.def != "" && !strings.Contains(r.def, "ADDR") && !strings.Contains(r.def, "DATA"):
			t.Errorf("README: --%s defaults to %q, the code to nothing", name, r.def)
		}
	}
	for name := range readme {
		if _, ok := code[name]; !ok {
			t.Errorf("the README's flag table lists --%s, which is not a flag", name)
		}
	}
}
