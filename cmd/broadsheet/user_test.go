package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/store"
)

// userRun runs "broadsheet user" with args on the data directory dir and stdin as standard
// input, and returns its output and error.
func userRun(t *testing.T, dir, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := func(k string) string {
		if k == "BROADSHEET_DATA" {
			return dir
		}
		return ""
	}
	err := userCmd(t.Context(), args, strings.NewReader(stdin), &stdout, &stderr, env)
	return stdout.String(), stderr.String(), err
}

func TestUserCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, _, err := userRun(t, dir, "a strong password\n", "add", "--email", "Ada@Example.org", "--name", "Ada Admin", "--role", "administrator")
	if err != nil || !strings.Contains(out, "Added Ada Admin <ada@example.org> as administrator") {
		t.Fatalf("user add = %q, %v", out, err)
	}
	if _, _, err := userRun(t, dir, "another strong one", "add", "--email", "wes@example.org", "--name", "Wes Writer"); err != nil {
		t.Fatalf("user add with the default role: %v", err)
	}
	out, _, err = userRun(t, dir, "", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ada@example.org", "Ada Admin", "administrator", "wes@example.org", "author"} {
		if !strings.Contains(out, want) {
			t.Errorf("user list lacks %q:\n%s", want, out)
		}
	}
	tests := []struct {
		name, stdin string
		args        []string
		usage       bool
		want        string
	}{
		{"taken email", "a strong password", []string{"add", "--email", "ada@example.org", "--name", "Again"}, false, "exists already"},
		{"bad role", "a strong password", []string{"add", "--email", "x@example.org", "--name", "X", "--role", "owner"}, true, "--role: Choose a role. Roles: administrator, editor, author, contributor, moderator."},
		{"bad email", "a strong password", []string{"add", "--email", "nope", "--name", "X"}, true, "--email"},
		{"short password", "short", []string{"add", "--email", "x@example.org", "--name", "X"}, true, "password: Use at least"},
		{"no password", "", []string{"add", "--email", "x@example.org", "--name", "X"}, true, "no password"},
		{"unknown subcommand", "", []string{"remove"}, true, "unknown subcommand"},
		{"no subcommand", "", nil, true, "name a subcommand"},
		{"password for nobody", "a strong password", []string{"password", "--email", "nobody@example.org"}, false, "no user"},
	}
	for _, tt := range tests {
		_, _, err := userRun(t, dir, tt.stdin, tt.args...)
		_, isUsage := err.(usageError)
		if err == nil || isUsage != tt.usage || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v (usage %v), want %q (usage %v)", tt.name, err, isUsage, tt.want, tt.usage)
		}
	}
	out, _, err = userRun(t, dir, "a new strong password\r\n", "password", "--email", "ADA@example.org")
	if err != nil || !strings.Contains(out, "Set a new password") {
		t.Errorf("user password = %q, %v", out, err)
	}
	cfg := DefaultConfig()
	cfg.Data, cfg.Demo = dir, false
	m := NewMain(cfg)
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	u, err := m.Store.UserByEmail(t.Context(), "ada@example.org")
	if err != nil || !account.CheckPassword(u.PasswordHash, "a new strong password") || u.AuthorID == 0 {
		t.Errorf("Ada after user password = %+v, %v", u, err)
	}
	if _, n, _ := m.Store.ListArticles(t.Context(), store.ArticleQuery{}); n != 0 {
		t.Errorf("user commands added %d demo stories", n)
	}
}

// TestFirstRunSetup: a server with no administrator prints a one-time address; it creates the
// first administrator once, and a restart with an administrator prints none.
func TestFirstRunSetup(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.Addr, cfg.Data = "127.0.0.1:0", t.TempDir()
	var out bytes.Buffer
	m := NewMain(cfg)
	m.Out = &out
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.SetupURL == "" || !strings.Contains(out.String(), m.SetupURL) || !strings.Contains(out.String(), "works once") {
		t.Fatalf("Run printed %q, want the setup address", out.String())
	}
	u, _ := url.Parse(m.SetupURL)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	form := url.Values{"token": {u.Query().Get("token")}, "name": {"Ada Admin"}, "email": {"ada@example.org"},
		"password": {"a strong password"}, "password2": {"a strong password"}}
	resp, err := client.PostForm(m.URL()+"/admin/setup", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Dashboard") {
		t.Fatalf("setup = %d, want the dashboard\n%.500s", resp.StatusCode, body)
	}
	resp, err = http.PostForm(m.URL()+"/admin/setup", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("the setup address used twice = %d, want 400", resp.StatusCode)
	}
	m2 := NewMain(cfg)
	var out2 bytes.Buffer
	m2.Out = &out2
	if err := m2.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if m2.SetupURL != "" || strings.Contains(out2.String(), "/admin/setup") {
		t.Errorf("a restart with an administrator printed %q", out2.String())
	}
}
