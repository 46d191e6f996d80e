package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/account"
)

// apiClient calls the JSON API with a token.
type apiClient struct {
	b     *browser
	token string
}

// apiToken creates a token in the admin, as a user would, and returns a client using it.
func (n *newsroom) apiToken(u *account.User) *apiClient {
	n.t.Helper()
	return n.signIn(u).createToken(url.Values{"name": {"Tests"}})
}

// createToken creates a token in the admin with the form given and returns a client using it.
func (b *browser) createToken(form url.Values) *apiClient {
	b.n.t.Helper()
	resp, body := b.post("/admin/profile/tokens", form)
	m := regexp.MustCompile(`<code class="token">(bs_[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		b.n.t.Fatalf("create token = %d, no token shown\n%.500s", resp.StatusCode, body)
	}
	return &apiClient{b: b.n.browser(), token: m[1]}
}

// call sends a JSON request and decodes the answer into out (when not nil).
func (c *apiClient) call(method, path string, in, out any) *http.Response {
	t := c.b.n.t
	t.Helper()
	var body string
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	req, err := http.NewRequest(method, c.b.n.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, got := c.b.do(req)
	if out != nil && got != "" {
		if err := json.Unmarshal([]byte(got), out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, got)
		}
	}
	return resp
}

type apiErrorAnswer struct {
	Error   string            `json:"error"`
	Field   string            `json:"field"`
	Fields  map[string]string `json:"fields"`
	Current *apiStory         `json:"current"`
}

func TestAPIStories(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	n.addSection("Harbour")
	ed := n.addUser("Edna Editor", account.Editor)
	c := n.apiToken(ed)

	var me apiUser
	if resp := c.call("GET", "/api/v1/me", nil, &me); resp.StatusCode != http.StatusOK || me.Email != ed.Email || me.Role != "editor" {
		t.Fatalf("GET /api/v1/me = %d %+v", resp.StatusCode, me)
	}
	var a apiStory
	resp := c.call("POST", "/api/v1/stories", map[string]any{"title": "Ferry returns", "body": "The *ferry* is back.",
		"section": "harbour", "tags": []string{"Transport"}}, &a)
	if resp.StatusCode != http.StatusCreated || a.ID == 0 || a.Status != "draft" || a.Version != 1 || a.Section != "harbour" ||
		a.BodyHTML != "<p>The <em>ferry</em> is back.</p>\n" || resp.Header.Get("Location") != "/api/v1/stories/"+itoa64(a.ID) {
		t.Fatalf("create = %d %+v", resp.StatusCode, a)
	}
	if diff := cmp.Diff([]string{"edna-editor"}, a.Authors); diff != "" {
		t.Errorf("a new story's bylines (-want +got):\n%s", diff)
	}
	path := "/api/v1/stories/" + itoa64(a.ID)
	var pub apiStory
	if resp := c.call("PUT", path, map[string]any{"version": 1, "status": "published"}, &pub); resp.StatusCode != http.StatusOK ||
		pub.Status != "published" || pub.Version != 2 || pub.URL == "" || pub.Title != "Ferry returns" {
		t.Fatalf("publish = %d %+v", resp.StatusCode, pub)
	}
	if body := n.browser().mustGet(strings.TrimPrefix(pub.URL, n.ts.URL), http.StatusOK); !strings.Contains(body, "Ferry returns") {
		t.Error("the published story's page lacks its headline")
	}
	var conflict apiErrorAnswer
	resp = c.call("PUT", path, map[string]any{"version": 1, "title": "Stale"}, &conflict)
	if resp.StatusCode != http.StatusConflict || conflict.Field != "version" || conflict.Current == nil || conflict.Current.Version != 2 {
		t.Errorf("stale update = %d %+v, want 409 with the current story", resp.StatusCode, conflict)
	}
	var list struct {
		Stories []apiStory
		Total   int
	}
	if resp := c.call("GET", "/api/v1/stories?status=published&section=harbour", nil, &list); resp.StatusCode != http.StatusOK || list.Total != 1 {
		t.Errorf("list = %d, total %d", resp.StatusCode, list.Total)
	}
	var revs []apiRevision
	if resp := c.call("GET", path+"/revisions", nil, &revs); resp.StatusCode != http.StatusOK || len(revs) != 2 {
		t.Errorf("revisions = %d, %d of them", resp.StatusCode, len(revs))
	}
	var preview map[string]string
	if c.call("POST", "/api/v1/preview", map[string]string{"body": "**b**"}, &preview); preview["html"] != "<p><strong>b</strong></p>\n" {
		t.Errorf("preview = %q", preview)
	}
	if resp := c.call("DELETE", path, nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("delete = %d", resp.StatusCode)
	}
	if resp := c.call("GET", path, nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("get after delete = %d, want 404", resp.StatusCode)
	}
}

// TestAPIErrors checks that every refusal is JSON with a message and the field at fault.
func TestAPIErrors(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ed := n.apiToken(n.addUser("Edna Editor", account.Editor))
	co := n.apiToken(n.addUser("Cora Contributor", account.Contributor))
	mod := n.apiToken(n.addUser("Max Moderator", account.Moderator))
	var draft apiStory
	co.call("POST", "/api/v1/stories", map[string]any{"title": "Mine"}, &draft)
	tests := []struct {
		name        string
		c           *apiClient
		method, url string
		body        any
		status      int
		field       string
	}{
		{"no token", &apiClient{b: ed.b}, "GET", "/api/v1/stories", nil, http.StatusUnauthorized, ""},
		{"bad token", &apiClient{b: ed.b, token: "bs_" + strings.Repeat("A", 43)}, "GET", "/api/v1/stories", nil, http.StatusUnauthorized, ""},
		{"not JSON", ed, "POST", "/api/v1/stories", "{", http.StatusBadRequest, ""},
		{"unknown field", ed, "POST", "/api/v1/stories", map[string]any{"title": "x", "colour": "red"}, http.StatusBadRequest, "colour"},
		{"wrong type", ed, "POST", "/api/v1/stories", map[string]any{"title": 7}, http.StatusBadRequest, "title"},
		{"no title", ed, "POST", "/api/v1/stories", map[string]any{"body": "x"}, http.StatusUnprocessableEntity, "title"},
		{"unknown section", ed, "POST", "/api/v1/stories", map[string]any{"title": "x", "section": "nope"}, http.StatusUnprocessableEntity, "section"},
		{"unknown byline", ed, "POST", "/api/v1/stories", map[string]any{"title": "x", "authors": []string{"nobody"}}, http.StatusUnprocessableEntity, "authors"},
		{"bad status", ed, "POST", "/api/v1/stories", map[string]any{"title": "x", "status": "live"}, http.StatusUnprocessableEntity, "status"},
		{"schedule in the past", ed, "POST", "/api/v1/stories", map[string]any{"title": "x", "status": "scheduled", "published_at": "2020-01-01T00:00:00Z"}, http.StatusUnprocessableEntity, "published_at"},
		{"bad date", ed, "POST", "/api/v1/stories", map[string]any{"title": "x", "published_at": "yesterday"}, http.StatusBadRequest, "published_at"},
		{"no version", ed, "PUT", "/api/v1/stories/" + itoa64(draft.ID), map[string]any{"title": "y"}, http.StatusUnprocessableEntity, "version"},
		{"contributor publishes", co, "PUT", "/api/v1/stories/" + itoa64(draft.ID), map[string]any{"version": 1, "status": "published"}, http.StatusForbidden, ""},
		{"contributor creates published", co, "POST", "/api/v1/stories", map[string]any{"title": "x", "status": "published"}, http.StatusForbidden, ""},
		{"moderator writes", mod, "POST", "/api/v1/stories", map[string]any{"title": "x"}, http.StatusForbidden, ""},
		{"editor lists users", ed, "GET", "/api/v1/users", nil, http.StatusForbidden, ""},
		{"unknown story", ed, "GET", "/api/v1/stories/99999", nil, http.StatusNotFound, ""},
		{"bad page", ed, "GET", "/api/v1/stories?page=0", nil, http.StatusBadRequest, "page"},
		{"duplicate tag slug", ed, "POST", "/api/v1/tags", map[string]any{"name": "A"}, http.StatusCreated, ""},
	}
	for _, tt := range tests {
		var e apiErrorAnswer
		req := tt.body
		if s, ok := tt.body.(string); ok {
			req = json.RawMessage(s)
			// json.Marshal refuses invalid raw JSON: send the text as is.
			r, _ := http.NewRequest(tt.method, n.ts.URL+tt.url, strings.NewReader(s))
			r.Header.Set("Authorization", "Bearer "+tt.c.token)
			resp, body := tt.c.b.do(r)
			json.Unmarshal([]byte(body), &e)
			if resp.StatusCode != tt.status || e.Error == "" {
				t.Errorf("%s: %d %+v, want %d with a message", tt.name, resp.StatusCode, e, tt.status)
			}
			continue
		}
		resp := tt.c.call(tt.method, tt.url, req, &e)
		if resp.StatusCode != tt.status || (tt.status >= 400 && (e.Error == "" || e.Field != tt.field)) {
			t.Errorf("%s: %d %+v, want %d with field %q", tt.name, resp.StatusCode, e, tt.status, tt.field)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q", tt.name, ct)
		}
	}
	var e apiErrorAnswer
	if resp := ed.call("POST", "/api/v1/tags", map[string]any{"name": "A"}, &e); resp.StatusCode != http.StatusUnprocessableEntity || e.Field != "slug" {
		t.Errorf("second tag with one slug = %d %+v, want 422 on slug", resp.StatusCode, e)
	}
}

func TestAPITaxonomyUsersSettings(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	admin := n.apiToken(n.addUser("Ada Admin", account.Administrator))
	var sec term
	if resp := admin.call("POST", "/api/v1/sections", termInput{Name: "Sport", Text: "Games."}, &sec); resp.StatusCode != http.StatusCreated || sec.Slug != "sport" {
		t.Fatalf("create section = %d %+v", resp.StatusCode, sec)
	}
	if resp := admin.call("PUT", "/api/v1/sections/"+itoa64(sec.ID), termInput{Name: "Sports", Slug: "sports"}, &sec); resp.StatusCode != http.StatusOK || sec.Name != "Sports" {
		t.Errorf("rename section = %d %+v", resp.StatusCode, sec)
	}
	var secs []term
	if admin.call("GET", "/api/v1/sections", nil, &secs); len(secs) != 1 || secs[0].URL != n.ts.URL+"/section/sports/" {
		t.Errorf("sections = %+v", secs)
	}
	if resp := admin.call("DELETE", "/api/v1/sections/"+itoa64(sec.ID), nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("delete section = %d", resp.StatusCode)
	}
	var u apiUser
	if resp := admin.call("POST", "/api/v1/users", map[string]any{"email": "New@Example.org", "name": "New Writer", "role": "author",
		"password": "a long enough password"}, &u); resp.StatusCode != http.StatusCreated || u.Email != "new@example.org" || u.AuthorID == 0 {
		t.Errorf("create user = %d %+v", resp.StatusCode, u)
	}
	var e apiErrorAnswer
	if resp := admin.call("POST", "/api/v1/users", map[string]any{"email": "x@example.org", "name": "X", "role": "author", "password": "short"}, &e); resp.StatusCode != http.StatusUnprocessableEntity || e.Field != "password" {
		t.Errorf("user with a short password = %d %+v", resp.StatusCode, e)
	}
	var st apiSettings
	if resp := admin.call("PUT", "/api/v1/settings", map[string]any{"title": "The API Courier", "max_depth": 3}, &st); resp.StatusCode != http.StatusOK || st.Title != "The API Courier" || st.MaxDepth != 3 {
		t.Errorf("save settings = %d %+v", resp.StatusCode, st)
	}
	if body := n.browser().mustGet("/", http.StatusOK); !strings.Contains(body, "The API Courier") {
		t.Error("the front page does not show the new title")
	}
	if got := n.srv.cfg.CommentSettings().MaxDepth; got != 3 {
		t.Errorf("comment settings in force have depth %d, want 3", got)
	}
	if resp := admin.call("PUT", "/api/v1/settings", map[string]any{"max_depth": 99}, &e); resp.StatusCode != http.StatusUnprocessableEntity || e.Field != "max_depth" {
		t.Errorf("bad depth = %d %+v", resp.StatusCode, e)
	}
}

func TestAPITokenRevoked(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ed := n.addUser("Edna Editor", account.Editor)
	c := n.apiToken(ed)
	if resp := c.call("GET", "/api/v1/me", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("me = %d", resp.StatusCode)
	}
	tokens, _ := n.st.APITokens(t.Context(), ed.ID)
	if len(tokens) != 1 || tokens[0].LastUsed.IsZero() || tokens[0].TokenHash != account.HashToken(c.token) {
		t.Fatalf("tokens = %+v; want one, stored hashed, with its last use", tokens)
	}
	b := n.signIn(ed)
	if page := b.mustGet("/admin/profile/", http.StatusOK); strings.Contains(page, c.token) {
		t.Error("the profile shows the token again")
	}
	if resp, _ := b.post("/admin/profile/tokens/"+itoa64(tokens[0].ID)+"/delete", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke = %d", resp.StatusCode)
	}
	if resp := c.call("GET", "/api/v1/me", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked token = %d, want 401", resp.StatusCode)
	}
}

// TestAPITokensEndWithPassword: a password change and "sign out everywhere" revoke every API
// token, since whoever knew the old password may have made one.
func TestAPITokensEndWithPassword(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ed := n.addUser("Edna Editor", account.Editor)
	c := n.apiToken(ed)
	b := n.signIn(ed)
	resp, _ := b.post("/admin/profile/", url.Values{"name": {ed.Name}, "current": {testPassword},
		"password": {"a brand new password"}, "password2": {"a brand new password"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password = %d", resp.StatusCode)
	}
	if resp := c.call("GET", "/api/v1/me", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("token after a password change = %d, want 401", resp.StatusCode)
	}
	if page := b.mustGet("/admin/profile/?msg=password", http.StatusOK); !strings.Contains(page, "API tokens are revoked") {
		t.Error("the profile does not say the tokens were revoked")
	}
	c = b.createToken(url.Values{"name": {"CI"}})
	if resp := c.call("GET", "/api/v1/me", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("new token = %d", resp.StatusCode)
	}
	if resp, _ := b.post("/admin/logout-everywhere", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere = %d", resp.StatusCode)
	}
	if resp := c.call("GET", "/api/v1/me", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("token after signing out everywhere = %d, want 401", resp.StatusCode)
	}
}

// TestAPITokenExpiry: a token made to last 30 days works until then, and the profile shows when
// it expires and when it was last used.
func TestAPITokenExpiry(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ed := n.addUser("Edna Editor", account.Editor)
	b := n.signIn(ed)
	resp, body := b.post("/admin/profile/tokens", url.Values{"name": {"CI"}, "days": {"7"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose how long the token works") ||
		!strings.Contains(body, `value="CI"`) {
		t.Errorf("token for 7 days = %d, want 422 with the name kept", resp.StatusCode)
	}
	c := b.createToken(url.Values{"name": {"CI"}, "days": {"30"}})
	n.clock.add(29 * 24 * time.Hour)
	if resp := c.call("GET", "/api/v1/me", nil, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("token on day 29 = %d, want 200", resp.StatusCode)
	}
	b = n.signIn(ed)
	page := b.mustGet("/admin/profile/", http.StatusOK)
	if !strings.Contains(page, "20 April 2026, 09:30 UTC") || !strings.Contains(page, "21 April 2026, 09:30 UTC") {
		t.Errorf("the profile does not show the token's last use (20 April) and expiry (21 April):\n%s", page)
	}
	n.clock.add(24 * time.Hour)
	if resp := c.call("GET", "/api/v1/me", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("token on day 30 = %d, want 401", resp.StatusCode)
	}
	if page := n.signIn(ed).mustGet("/admin/profile/", http.StatusOK); !strings.Contains(page, "expired 21 April 2026") {
		t.Error("the profile does not mark the token expired")
	}
}
