package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/account"
)

// TestNavigationByRole checks that each role sees the admin sections it may use, and is refused
// the others.
func TestNavigationByRole(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	want := map[account.Role][]string{
		account.Administrator: {"Dashboard", "Stories", "New story", "Comments", "Media", "Sections", "Tags", "Bylines", "Front page", "Site identity", "Users", "Settings"},
		account.Editor:        {"Dashboard", "Stories", "New story", "Comments", "Media", "Sections", "Tags", "Bylines", "Front page"},
		account.Author:        {"Dashboard", "Stories", "New story", "Media"},
		account.Contributor:   {"Dashboard", "Stories", "New story", "Media"},
		account.Moderator:     {"Dashboard", "Comments"},
	}
	pages := map[string]account.Action{"/admin/stories/": account.CreateStory, "/admin/media/": account.CreateStory, "/admin/sections/": account.ManageTaxonomy,
		"/admin/users/": account.ManageUsers, "/admin/settings/": account.ManageSettings, "/admin/comments/": account.ModerateComments,
		"/admin/comments/privacy": account.ManageSettings, "/admin/front/": account.ManageTaxonomy, "/admin/identity/": account.ManageSettings}
	for _, role := range account.Roles {
		u := n.addUser(strings.ToUpper(string(role[:1]))+string(role[1:])+" Person", role)
		b := n.signIn(u)
		body := b.mustGet("/admin/", http.StatusOK)
		var got []string
		for _, m := range regexp.MustCompile(`<li><a href="/admin/[^"]*"(?: aria-current="page")?>([^<]+)</a></li>`).FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		if diff := cmp.Diff(want[role], got); diff != "" {
			t.Errorf("%s's navigation (-want +got):\n%s", role, diff)
		}
		for path, act := range pages {
			resp, _ := b.get(path)
			if allowed := account.Can(u, act, nil); allowed != (resp.StatusCode == http.StatusOK) || (!allowed && resp.StatusCode != http.StatusForbidden) {
				t.Errorf("%s GET %s = %d, allowed %v", role, path, resp.StatusCode, allowed)
			}
		}
	}
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Edna Editor", account.Editor))
	saved(t, b, "/admin/stories/new", newStoryForm(t, b, "Published today", "x"), "publish")
	saved(t, b, "/admin/stories/new", newStoryForm(t, b, "A draft", "x"), "save")
	body := b.mustGet("/admin/", http.StatusOK)
	for _, want := range []string{"<strong>1</strong> Published", "<strong>1</strong> Drafts", "<strong>0</strong> Comments awaiting moderation",
		"1 story published", "22 Mar: 1 story", "A draft"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if bars := strings.Count(body, `class="bar-stories"`); bars != chartDays {
		t.Errorf("chart has %d story bars, want %d", bars, chartDays)
	}
}

func TestSettingsAdmin(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Ada Admin", account.Administrator))
	f := formValues(t, b.mustGet("/admin/settings/", http.StatusOK), "/admin/settings/")
	bad := url.Values{}
	for k, v := range f {
		bad[k] = v
	}
	bad.Set("title", "The Harbour Herald")
	bad.Set("timezone", "Atlantis/Capital")
	bad.Set("base_url", "ftp://news.example.org")
	bad.Set("max_depth", "11")
	resp, body := b.post("/admin/settings/", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || len(fieldErrors(t, body)) != 3 {
		t.Errorf("bad settings = %d, messages %q; want 422 and three", resp.StatusCode, fieldErrors(t, body))
	}
	if got := formValues(t, body, "/admin/settings/"); got.Get("title") != "The Harbour Herald" || got.Get("timezone") != "Atlantis/Capital" {
		t.Errorf("the form lost its input: %v", got)
	}
	f.Set("title", "The Harbour Herald")
	f.Set("timezone", "Pacific/Auckland")
	f.Del("comments_open")
	f.Set("moderation_words", "casino\n\n viagra \n")
	if resp, body := b.post("/admin/settings/", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings = %d\n%.500s", resp.StatusCode, body)
	}
	if body := n.browser().mustGet("/", http.StatusOK); !strings.Contains(body, "The Harbour Herald") {
		t.Error("the front page does not show the new title")
	}
	st := n.srv.settings()
	if st.CommentsOpen || !slices.Equal(st.Discussion.ModerationWords, []string{"casino", "viagra"}) || n.srv.current().cfg.Location.String() != "Pacific/Auckland" {
		t.Errorf("settings in force = %+v", st)
	}
	if got := formValues(t, b.mustGet("/admin/stories/new", http.StatusOK), "editor"); got.Get("comments_open") != "" || got.Get("zone") != "Pacific/Auckland" {
		t.Errorf("a new story's defaults ignore the settings: %v", got)
	}
	// A restart keeps them.
	again, err := New(n.srv.base, n.st, n.srv.log, n.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.LoadSettings(t.Context()); err != nil || again.current().cfg.Title != "The Harbour Herald" {
		t.Errorf("after a restart the title is %q (%v)", again.current().cfg.Title, err)
	}
}

func TestUsersAdmin(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ada := n.addUser("Ada Admin", account.Administrator)
	b := n.signIn(ada)
	add := url.Values{"name": {"Wes Writer"}, "email": {"Wes@Example.org"}, "role": {"author"}, "password": {testPassword},
		"password2": {testPassword}}
	if resp, body := b.post("/admin/users/", add); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add user = %d\n%.800s", resp.StatusCode, body)
	}
	wes, err := n.st.UserByEmail(t.Context(), "wes@example.org")
	if err != nil || wes.Role != account.Author || wes.AuthorID == 0 {
		t.Fatalf("added user = %+v, %v", wes, err)
	}
	for name, edit := range map[string]func(url.Values){
		"email": func(v url.Values) {},
		"password": func(v url.Values) {
			v.Set("email", "new@example.org")
			v.Set("password", "short")
			v.Set("password2", "short")
		},
		"password2": func(v url.Values) { v.Set("email", "new@example.org"); v.Set("password2", "a different password") },
		"role":      func(v url.Values) { v.Set("email", "new@example.org"); v.Set("role", "owner") },
	} {
		v := url.Values{}
		for k, x := range add {
			v[k] = x
		}
		edit(v)
		resp, body := b.post("/admin/users/", v)
		if resp.StatusCode != http.StatusUnprocessableEntity || len(fieldErrors(t, body)) == 0 || formValues(t, body, "/admin/users/").Get("name") != "Wes Writer" {
			t.Errorf("bad %s: %d %q", name, resp.StatusCode, fieldErrors(t, body))
		}
	}
	wb := n.signIn(wes)
	if resp, _ := wb.get("/admin/users/"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an author opening users = %d, want 403", resp.StatusCode)
	}
	edit := url.Values{"name": {"Wes Writer"}, "email": {"wes@example.org"}, "role": {"editor"}, "author": {itoa64(wes.AuthorID)},
		"password": {"another long password"}, "password2": {"another long password"}}
	if resp, body := b.post("/admin/users/"+itoa64(wes.ID)+"/", edit); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit user = %d\n%.500s", resp.StatusCode, body)
	}
	if resp, _ := wb.get("/admin/"); resp.StatusCode != http.StatusSeeOther {
		t.Error("a new password left the user's sessions open")
	}
	if u, _ := n.st.User(t.Context(), wes.ID); u.Role != account.Editor || !account.CheckPassword(u.PasswordHash, "another long password") {
		t.Errorf("edited user = %+v", u)
	}
	demote := url.Values{"name": {"Ada Admin"}, "email": {ada.Email}, "role": {"editor"}}
	if resp, body := b.post("/admin/users/"+itoa64(ada.ID)+"/", demote); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "needs an administrator") {
		t.Errorf("demoting the last administrator = %d", resp.StatusCode)
	}
	if resp, _ := b.post("/admin/users/"+itoa64(ada.ID)+"/delete", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("deleting the last administrator = %d, want 400", resp.StatusCode)
	}
	if resp, _ := b.post("/admin/users/"+itoa64(wes.ID)+"/delete", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("deleting a user = %d", resp.StatusCode)
	}
	if _, err := n.st.User(t.Context(), wes.ID); err == nil {
		t.Error("the deleted user is still there")
	}
}

func TestTaxonomyAdmin(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Edna Editor", account.Editor))
	for _, kind := range []string{"sections", "tags", "authors"} {
		path := "/admin/" + kind + "/"
		if resp, body := b.post(path, url.Values{"name": {"Port Life"}, "text": {"About the port."}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add to %s = %d\n%.500s", kind, resp.StatusCode, body)
		}
		resp, body := b.post(path, url.Values{"name": {"Port  life"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "has this slug") {
			t.Errorf("second %s with one slug = %d %q", kind, resp.StatusCode, fieldErrors(t, body))
		}
		list := b.mustGet(path, http.StatusOK)
		m := regexp.MustCompile(`href="(` + path + `\d+/)">Port Life<`).FindStringSubmatch(list)
		if m == nil {
			t.Fatalf("%s lists no Port Life", kind)
		}
		if resp, body := b.post(m[1], url.Values{"name": {"Harbour Life"}, "slug": {"harbour-life"}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("rename in %s = %d\n%.300s", kind, resp.StatusCode, body)
		}
		if resp, _ := b.post(m[1], url.Values{"name": {""}, "slug": {"Bad Slug"}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("empty name in %s = %d, want 422", kind, resp.StatusCode)
		}
		if resp, _ := b.post(m[1]+"delete", nil); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("delete in %s = %d", kind, resp.StatusCode)
		}
		if resp, _ := b.get(m[1]); resp.StatusCode != http.StatusNotFound {
			t.Errorf("deleted %s entry = %d, want 404", kind, resp.StatusCode)
		}
	}
	author := n.signIn(n.addUser("Otto Author", account.Author))
	if resp, _ := author.post("/admin/sections/", url.Values{"name": {"Mine"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an author adding a section = %d, want 403", resp.StatusCode)
	}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ed := n.addUser("Edna Editor", account.Editor)
	b, other := n.signIn(ed), n.signIn(ed)
	page := b.mustGet("/admin/profile/", http.StatusOK)
	if !strings.Contains(page, "This browser") || strings.Count(page, "signed in 22 March") != 2 {
		t.Errorf("the profile does not list both sessions")
	}
	resp, body := b.post("/admin/profile/", url.Values{"name": {"Edna E."}, "current": {"wrong"}, "password": {"a new long password"}, "password2": {"a new long password"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not your current password") {
		t.Errorf("new password with a wrong current one = %d", resp.StatusCode)
	}
	resp, _ = b.post("/admin/profile/", url.Values{"name": {"Edna E."}, "current": {testPassword}, "password": {"a new long password"}, "password2": {"a new long password"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password = %d", resp.StatusCode)
	}
	b.mustGet("/admin/", http.StatusOK)
	if resp, _ := other.get("/admin/"); resp.StatusCode != http.StatusSeeOther {
		t.Error("another session survived a password change")
	}
	if u, _ := n.st.User(t.Context(), ed.ID); u.Name != "Edna E." || !account.CheckPassword(u.PasswordHash, "a new long password") {
		t.Errorf("user after the change = %+v", u)
	}
	if resp, _ := b.post("/admin/profile/tokens", url.Values{"name": {" "}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("token without a name = %d, want 422", resp.StatusCode)
	}
	if resp, _ := b.post("/admin/profile/tokens/999/delete", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoking an unknown token = %d, want 404", resp.StatusCode)
	}
}

func TestSetupOnce(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	token, hash := account.NewToken("")
	if err := n.st.CreateSetupToken(t.Context(), hash, n.clock.now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	b := n.browser()
	f := formValues(t, b.mustGet("/admin/setup?token="+token, http.StatusOK), "/admin/setup")
	f.Set("name", "Ada Admin")
	f.Set("email", "ada@example.org")
	f.Set("password", "short")
	f.Set("password2", "short")
	if resp, body := b.post("/admin/setup", f); resp.StatusCode != http.StatusUnprocessableEntity || formValues(t, body, "/admin/setup").Get("token") != token {
		t.Fatalf("setup with a short password = %d, want the form again with its token", resp.StatusCode)
	}
	f.Set("password", testPassword)
	f.Set("password2", testPassword)
	if resp, body := b.post("/admin/setup", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup = %d\n%.500s", resp.StatusCode, body)
	}
	b.mustGet("/admin/settings/", http.StatusOK)
	f.Set("email", "eve@example.org")
	if resp, _ := n.browser().post("/admin/setup", f); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("the setup address used twice = %d, want 400", resp.StatusCode)
	}
	if page := n.browser().mustGet("/admin/setup?token="+token, http.StatusOK); !strings.Contains(page, "already has an administrator") {
		t.Error("the setup page offers the form once an administrator exists")
	}
	users, _ := n.st.Users(t.Context())
	if len(users) != 1 || users[0].Role != account.Administrator || users[0].AuthorID == 0 {
		t.Errorf("users after setup = %+v", users)
	}
}

func TestSetupTokenExpires(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	token, hash := account.NewToken("")
	if err := n.st.CreateSetupToken(t.Context(), hash, n.clock.now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	n.clock.add(time.Hour)
	f := url.Values{"token": {token}, "name": {"Ada"}, "email": {"ada@example.org"}, "password": {testPassword}, "password2": {testPassword}}
	if resp, body := n.browser().post("/admin/setup", f); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "has expired") {
		t.Errorf("expired setup address = %d", resp.StatusCode)
	}
	if users, _ := n.st.Users(t.Context()); len(users) != 0 {
		t.Errorf("an expired address created %d users", len(users))
	}
}

// TestSetupHashesThroughTheHasher: the setup form hashes with the bounded hasher sign-in uses;
// while it has no turn free the form comes back (503) with what was typed and the token unused,
// and it goes through once a turn is free.
func TestSetupHashesThroughTheHasher(t *testing.T) {
	t.Parallel()
	h := account.NewHasher(1, time.Millisecond)
	n := newNewsroom(t, func(c *Config) { c.Passwords = h })
	token, hash := account.NewToken("")
	if err := n.st.CreateSetupToken(t.Context(), hash, n.clock.now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	f := url.Values{"token": {token}, "name": {"Ada Admin"}, "email": {"ada@example.org"}, "password": {testPassword}, "password2": {testPassword}}
	held, release, freed := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		h.Do(t.Context(), func() { close(held); <-release }) // the hasher's one turn, taken
		close(freed)
	}()
	<-held
	b := n.browser()
	resp, body := b.post("/admin/setup", f)
	close(release)
	<-freed
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "busy checking other passwords") {
		t.Fatalf("setup while the hasher is busy = %d, want 503 with Retry-After\n%.500s", resp.StatusCode, body)
	}
	if got := formValues(t, body, "/admin/setup"); got.Get("token") != token || got.Get("email") != "ada@example.org" || got.Get("name") != "Ada Admin" {
		t.Errorf("the form came back as %v, want what was typed and the token", got)
	}
	if users, _ := n.st.Users(t.Context()); len(users) != 0 {
		t.Fatalf("a busy setup created %d users", len(users))
	}
	if resp, body := b.post("/admin/setup", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup with a free turn = %d\n%.500s", resp.StatusCode, body)
	}
	users, _ := n.st.Users(t.Context())
	if len(users) != 1 || !account.Authenticate(&users[0], testPassword) {
		t.Errorf("after setup: %d users, or the password does not match", len(users))
	}
}
