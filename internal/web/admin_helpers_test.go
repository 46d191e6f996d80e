package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery staple"

// testClock is a movable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newsroom is a site on a fresh SQLite store, served over real HTTP.
type newsroom struct {
	t     testing.TB
	srv   *Server
	st    store.Store
	ts    *httptest.Server
	clock *testClock
}

// newNewsroom starts a site; edit, when given, changes its configuration first.
func newNewsroom(t testing.TB, edit ...func(*Config)) *newsroom {
	t.Helper()
	return newNewsroomOn(t, nil, edit...)
}

// newNewsroomOn starts a site whose server sees the store through wrap (nil: the store itself),
// for tests that watch what the server asks of it.
func newNewsroomOn(t testing.TB, wrap func(store.Store) store.Store, edit ...func(*Config)) *newsroom {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &testClock{t: time.Date(2026, 3, 22, 9, 30, 0, 0, time.UTC)}
	ts := httptest.NewUnstartedServer(nil)
	cfg := Config{Title: "The Test Courier", BaseURL: "http://" + ts.Listener.Addr().String()}
	for _, e := range edit {
		e(&cfg)
	}
	var st store.Store = db
	if wrap != nil {
		st = wrap(db)
	}
	srv, err := New(cfg, st, slog.New(slog.DiscardHandler), clk.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.LoadSettings(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	return &newsroom{t: t, srv: srv, st: db, ts: ts, clock: clk}
}

// addUser creates a staff member with testPassword and a byline of their name.
func (n *newsroom) addUser(name string, role account.Role) *account.User {
	n.t.Helper()
	h, err := account.HashPassword(testPassword)
	if err != nil {
		n.t.Fatal(err)
	}
	u := &account.User{Email: strings.ToLower(strings.Fields(name)[0]) + "@example.org", Name: name, Role: role,
		PasswordHash: h, CreatedAt: n.clock.now()}
	ctx := context.Background()
	if err := n.st.InTx(ctx, func(tx store.Store) error { return AddStaff(ctx, tx, u) }); err != nil {
		n.t.Fatal(err)
	}
	return u
}

// addSection creates a section.
func (n *newsroom) addSection(name string) article.Section {
	n.t.Helper()
	sec := article.Section{Name: name, Slug: article.Slugify(name)}
	if err := n.st.SaveSection(context.Background(), &sec); err != nil {
		n.t.Fatal(err)
	}
	return sec
}

// browser is one person's browser: its own cookies, no automatic redirects.
type browser struct {
	n      *newsroom
	client *http.Client
}

func (n *newsroom) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{n: n, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn opens a browser signed in as u.
func (n *newsroom) signIn(u *account.User) *browser {
	n.t.Helper()
	b := n.browser()
	resp, body := b.post("/admin/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		n.t.Fatalf("sign in as %s: status %d\n%.500s", u.Email, resp.StatusCode, body)
	}
	return b
}

// do sends a request and returns the response with its body read.
func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.n.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.n.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.n.t.Fatalf("%s %s: read: %v", req.Method, req.URL.Path, err)
	}
	return resp, string(body)
}

// get fetches path; header holds name, value pairs.
func (b *browser) get(path string, header ...string) (*http.Response, string) {
	b.n.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.n.ts.URL+path, nil)
	if err != nil {
		b.n.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

// post sends a form as a browser on the site's own pages does (Sec-Fetch-Site: same-origin).
func (b *browser) post(path string, form url.Values, header ...string) (*http.Response, string) {
	b.n.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.n.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.n.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", b.n.ts.URL)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

// mustGet fetches path and fails unless it answers want.
func (b *browser) mustGet(path string, want int) string {
	b.n.t.Helper()
	resp, body := b.get(path)
	if resp.StatusCode != want {
		b.n.t.Fatalf("GET %s = %d, want %d\n%.800s", path, resp.StatusCode, want, body)
	}
	return body
}

// parseHTML parses a page.
func parseHTML(t testing.TB, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// formValues returns the values the form with id (or, for a path, with that action) would
// submit without a button: inputs, textareas and selected options, as a browser reads them.
func formValues(t testing.TB, body, id string) url.Values {
	t.Helper()
	doc := parseHTML(t, body)
	var form *html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "form" && (attrOf(n, "id") == id || (strings.HasPrefix(id, "/") && attrOf(n, "action") == id)) {
			form = n
			break
		}
	}
	if form == nil {
		t.Fatalf("no form %q in the page", id)
	}
	v := url.Values{}
	for n := range form.Descendants() {
		if n.Type != html.ElementNode || attrOf(n, "name") == "" {
			continue
		}
		name := attrOf(n, "name")
		switch n.Data {
		case "input":
			switch attrOf(n, "type") {
			case "checkbox":
				if hasAttr(n, "checked") {
					v.Add(name, attrOf(n, "value"))
				}
			case "submit":
			default:
				v.Add(name, attrOf(n, "value"))
			}
		case "textarea":
			v.Add(name, strings.TrimPrefix(textOf(n), "\n"))
		case "select":
			for o := range n.Descendants() {
				if o.Type == html.ElementNode && o.Data == "option" && hasAttr(o, "selected") {
					v.Add(name, attrOf(o, "value"))
				}
			}
		}
	}
	return v
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// fieldErrors returns the field error messages of a page, in order.
func fieldErrors(t testing.TB, body string) []string {
	t.Helper()
	var out []string
	for n := range parseHTML(t, body).Descendants() {
		if n.Type == html.ElementNode && attrOf(n, "class") == "field-error" {
			out = append(out, textOf(n))
		}
	}
	return out
}

// commentForm reads the comment form of the story page at path and fills its token as the
// page's script does, from GET /comments/token.
func (b *browser) commentForm(path string) url.Values {
	b.n.t.Helper()
	f := formValues(b.n.t, b.mustGet(path, http.StatusOK), "commentform")
	var tok formToken
	if err := json.Unmarshal([]byte(b.mustGet("/comments/token?story="+f.Get("article_id"), http.StatusOK)), &tok); err != nil {
		b.n.t.Fatal(err)
	}
	f.Set("token", tok.Token)
	return f
}
