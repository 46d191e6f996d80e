package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/store"
)

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ed := n.addUser("Edna Editor", account.Editor)
	b := n.browser()
	resp, _ := b.get("/admin/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/login?next=%2Fadmin%2F" {
		t.Fatalf("GET /admin/ signed out = %d to %q, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = b.post("/admin/login", url.Values{"email": {"  EDNA@example.org "}, "password": {testPassword}, "next": {"/admin/stories/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/stories/" {
		t.Fatalf("sign in = %d to %q, want 303 to /admin/stories/", resp.StatusCode, resp.Header.Get("Location"))
	}
	var c *http.Cookie
	for _, x := range resp.Cookies() {
		if x.Name == "broadsheet_session" {
			c = x
		}
	}
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" || c.MaxAge <= 0 {
		t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Lax, not Secure over http, Path=/", c)
	}
	sessions, _ := n.st.Sessions(t.Context(), ed.ID)
	if len(sessions) != 1 || sessions[0].TokenHash == c.Value || sessions[0].TokenHash != account.HashToken(c.Value) {
		t.Errorf("stored sessions = %+v; want one, stored as the hash of the cookie", sessions)
	}
	body := b.mustGet("/admin/", http.StatusOK)
	if !strings.Contains(body, "Edna Editor") || !strings.Contains(body, "Dashboard") {
		t.Errorf("dashboard does not greet the editor:\n%.500s", body)
	}
	if resp, _ := b.get("/admin/"); resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("admin page Cache-Control = %q, want no-store", resp.Header.Get("Cache-Control"))
	}
	resp, _ = b.post("/admin/logout", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out = %d", resp.StatusCode)
	}
	if resp, _ := b.get("/admin/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /admin/ after signing out = %d, want a redirect", resp.StatusCode)
	}
	if sessions, _ := n.st.Sessions(t.Context(), ed.ID); len(sessions) != 0 {
		t.Errorf("%d sessions left after signing out, want 0", len(sessions))
	}
}

func TestWrongPasswordsAnswerAlike(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	n.addUser("Edna Editor", account.Editor)
	b := n.browser()
	var bodies []string
	for _, form := range []url.Values{
		{"email": {"edna@example.org"}, "password": {"wrong password!"}},
		{"email": {"nobody@example.org"}, "password": {"wrong password!"}},
	} {
		resp, body := b.post("/admin/login", form)
		if resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
			t.Errorf("sign in as %s with a wrong password = %d with cookies %v; want 401, none", form.Get("email"), resp.StatusCode, resp.Cookies())
		}
		if !strings.Contains(body, "Wrong email or password.") {
			t.Errorf("sign in as %s: no generic message", form.Get("email"))
		}
		bodies = append(bodies, strings.ReplaceAll(body, form.Get("email"), "EMAIL"))
	}
	if bodies[0] != bodies[1] {
		t.Error("the answers for a known and an unknown email differ")
	}
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, func(c *Config) { c.Throttle = account.Throttle{PerAccount: 3, PerIP: 7, Window: 10 * time.Minute} })
	n.addUser("Edna Editor", account.Editor)
	b := n.browser()
	login := func(email, pw string) (*http.Response, string) {
		return b.post("/admin/login", url.Values{"email": {email}, "password": {pw}})
	}
	for _, email := range []string{"edna@example.org", "nobody@example.org"} {
		for range 3 {
			if resp, _ := login(email, "wrong password!"); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure as %s = %d, want 401", email, resp.StatusCode)
			}
		}
		resp, body := login(email, testPassword)
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins. Please wait 10 minutes") ||
			resp.Header.Get("Retry-After") != "600" {
			t.Errorf("fourth attempt as %s = %d, Retry-After %q; want 429 with the wait", email, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	// The address has 6 failures; one more and even a fresh email waits.
	if resp, _ := login("fresh@example.org", "x"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("seventh failure from one address = %d, want 401", resp.StatusCode)
	}
	if resp, _ := login("fresh@example.org", "x"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("attempt from a throttled address = %d, want 429", resp.StatusCode)
	}
	n.clock.add(10*time.Minute + time.Second)
	if resp, _ := login("edna@example.org", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign in after the window = %d, want 303", resp.StatusCode)
	}
	// The sign-in emptied the account's count: three more failures are each answered.
	for range 3 {
		if resp, _ := login("edna@example.org", "wrong password!"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure after a successful sign-in = %d, want 401: the account's failures were kept", resp.StatusCode)
		}
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, func(c *Config) {
		c.Sessions = account.SessionPolicy{Idle: time.Hour, Absolute: 3 * time.Hour, TouchEvery: time.Minute}
	})
	ed := n.addUser("Edna Editor", account.Editor)
	b := n.signIn(ed)
	for i := range 3 { // active every 50 minutes: alive until the absolute limit
		n.clock.add(50 * time.Minute)
		if resp, _ := b.get("/admin/"); resp.StatusCode != http.StatusOK {
			t.Fatalf("active session refused after %d minutes: %d", 50*(i+1), resp.StatusCode)
		}
	}
	n.clock.add(50 * time.Minute)
	if resp, _ := b.get("/admin/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("session past its absolute limit = %d, want a redirect to sign in", resp.StatusCode)
	}
	b = n.signIn(ed)
	n.clock.add(time.Hour)
	if resp, _ := b.get("/admin/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("idle session = %d, want a redirect to sign in", resp.StatusCode)
	}
}

func TestLogOutEverywhere(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ed, other := n.addUser("Edna Editor", account.Editor), n.addUser("Otto Author", account.Author)
	laptop, phone, theirs := n.signIn(ed), n.signIn(ed), n.signIn(other)
	if resp, _ := phone.post("/admin/logout-everywhere", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("log out everywhere = %d", resp.StatusCode)
	}
	for name, b := range map[string]*browser{"laptop": laptop, "phone": phone} {
		if resp, _ := b.get("/admin/"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s still signed in after logging out everywhere", name)
		}
	}
	theirs.mustGet("/admin/", http.StatusOK)
}

func TestSecureCookieOverHTTPS(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, func(c *Config) { c.BaseURL = "https://news.example.org" })
	n.addUser("Edna Editor", account.Editor)
	req := httptest.NewRequest(http.MethodPost, "https://news.example.org/admin/login",
		strings.NewReader(url.Values{"email": {"edna@example.org"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	n.srv.ServeHTTP(w, req)
	cookies := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(cookies) != 2 {
		t.Fatalf("sign in over https = %d, cookies %v; want the session's and the device's", w.Code, cookies)
	}
	if c := cookies[0]; c.Name != "__Host-broadsheet_session" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie over https = %+v, want __Host- prefixed, Secure, HttpOnly, SameSite=Lax", c)
	}
	if c := cookies[1]; c.Name != "__Secure-broadsheet_device" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/admin/" {
		t.Errorf("device cookie over https = %+v, want __Secure- prefixed, Secure, HttpOnly, SameSite=Strict, for /admin/ only", c)
	}
}

func TestSignInRedirectsOnlyInside(t *testing.T) {
	t.Parallel()
	tests := []struct{ next, want string }{
		{"/admin/stories/?status=draft", "/admin/stories/?status=draft"},
		{"//evil.example/admin/", "/admin/"},
		{"https://evil.example/admin/", "/admin/"},
		{"/public/page", "/admin/"},
		{"/admin/\\evil", "/admin/"},
		{"", "/admin/"},
	}
	for _, tt := range tests {
		if got := localPath(tt.next); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

// TestExpiredSessionKeepsTheDraft: a writer's session ends while they edit; saving shows the
// sign-in form, and signing in brings back the editor with their text, unsaved.
func TestExpiredSessionKeepsTheDraft(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ed := n.addUser("Edna Editor", account.Editor)
	b := n.signIn(ed)
	form := formValues(t, b.mustGet("/admin/stories/new", http.StatusOK), "editor")
	form.Set("title", "Harbour strike enters second week")
	form.Set("body", "Dockers walked out again on *Monday*.")
	form.Set("action", "save")
	n.clock.add(9 * time.Hour) // past the default idle limit
	resp, body := b.post("/admin/stories/new", form)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Your session has ended") {
		t.Fatalf("save with an expired session = %d, want the sign-in form\n%.500s", resp.StatusCode, body)
	}
	login := formValues(t, body, "/admin/login")
	if login.Get("draft") == "" || login.Get("next") != "/admin/stories/new" {
		t.Fatalf("sign-in form lacks the draft: %v", login)
	}
	login.Set("email", ed.Email)
	login.Set("password", testPassword)
	resp, body = b.post("/admin/login", login)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in again = %d, want the editor\n%.500s", resp.StatusCode, body)
	}
	got := formValues(t, body, "editor")
	if got.Get("title") != "Harbour strike enters second week" || got.Get("body") != "Dockers walked out again on *Monday*." {
		t.Errorf("editor after signing in again holds %q / %q, want the draft", got.Get("title"), got.Get("body"))
	}
	if _, total, _ := n.st.ListArticles(t.Context(), store.ArticleQuery{}); total != 0 {
		t.Errorf("%d stories saved by signing in, want none until the writer saves", total)
	}
}
