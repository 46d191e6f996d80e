package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// storyID reads the story ID from the editor's redirect after a save.
func storyID(t *testing.T, resp *http.Response, body string) string {
	t.Helper()
	m := regexp.MustCompile(`^/admin/stories/(\d+)/\?msg=\w+$`).FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("save = %d to %q, want a redirect to the editor\n%.1500s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return m[1]
}

// newStoryForm is the editor's empty form filled with a story.
func newStoryForm(t *testing.T, b *browser, title, body string) url.Values {
	t.Helper()
	f := formValues(t, b.mustGet("/admin/stories/new", http.StatusOK), "editor")
	f.Set("title", title)
	f.Set("body", body)
	return f
}

// save posts an editor form with action to path.
func save(b *browser, path string, f url.Values, action string) (*http.Response, string) {
	f.Set("action", action)
	return b.post(path, f)
}

func loadArticle(t *testing.T, st store.Store, id string) *article.Article {
	t.Helper()
	a, err := st.ArticleBySlug(context.Background(), id)
	if err == nil {
		return a
	}
	var n int64
	for _, c := range id {
		n = n*10 + int64(c-'0')
	}
	a, err = st.Article(context.Background(), n)
	if err != nil {
		t.Fatalf("Article(%s) = %v", id, err)
	}
	return a
}

func TestWriteAndPublish(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ed := n.addUser("Edna Editor", account.Editor)
	sec := n.addSection("Harbour")
	b := n.signIn(ed)
	f := newStoryForm(t, b, "Harbour strike enters second week", "Dockers **walked out** again.\n\n<script>alert(1)</script>")
	f.Set("standfirst", "No talks are planned.")
	f.Set("section", itoa64(sec.ID))
	f.Set("tags", "Strikes, Port Ellery, strikes")
	f.Set("image_url", "https://example.org/dock.jpg")
	f.Set("image_alt", "Cranes idle on the quay")
	resp, body := save(b, "/admin/stories/new", f, "save")
	id := storyID(t, resp, body)
	a := loadArticle(t, n.st, id)
	if a.Status != article.Draft || a.Version != 1 || a.Section.ID != sec.ID || len(a.Authors) != 1 || a.Authors[0].ID != ed.AuthorID ||
		a.Slug != "harbour-strike-enters-second-week" || !a.CreatedAt.Equal(n.clock.now()) {
		t.Errorf("saved draft = %+v", a)
	}
	if diff := cmp.Diff([]string{"Port Ellery", "Strikes"}, tagNames(a)); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if strings.Contains(a.BodyHTML, "<script") || !strings.Contains(a.BodyHTML, "<strong>walked out</strong>") {
		t.Errorf("BodyHTML = %q, want rendered and sanitised", a.BodyHTML)
	}
	page := b.mustGet("/admin/stories/"+id+"/?msg=created", http.StatusOK)
	if !strings.Contains(page, "Story created as a draft.") {
		t.Error("the editor does not confirm the save")
	}
	if got := formValues(t, page, "editor"); got.Get("title") != f.Get("title") || got.Get("tags") != "Port Ellery, Strikes" {
		t.Errorf("editor after saving shows %q, tags %q", got.Get("title"), got.Get("tags"))
	}
	reader := n.browser()
	if _, front := reader.get("/"); strings.Contains(front, "Harbour strike") {
		t.Error("a draft is on the front page")
	}

	f = formValues(t, page, "editor")
	resp, body = save(b, "/admin/stories/"+id+"/", f, "publish")
	storyID(t, resp, body)
	a = loadArticle(t, n.st, id)
	if a.Status != article.Published || !a.PublishedAt.Equal(n.clock.now()) || a.Version != 2 {
		t.Errorf("published story: status %s at %v, version %d", a.Status, a.PublishedAt, a.Version)
	}
	if _, front := reader.get("/"); !strings.Contains(front, "Harbour strike enters second week") {
		t.Error("the published story is not on the front page")
	}
	reader.mustGet(a.Path(time.UTC), http.StatusOK)

	f = formValues(t, b.mustGet("/admin/stories/"+id+"/", http.StatusOK), "editor")
	resp, body = save(b, "/admin/stories/"+id+"/", f, "unpublish")
	storyID(t, resp, body)
	if a = loadArticle(t, n.st, id); a.Status != article.Unpublished {
		t.Errorf("after unpublishing, status %s", a.Status)
	}
	if resp, _ := reader.get(a.Path(time.UTC)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unpublished story answers %d to readers, want 404", resp.StatusCode)
	}
	revs, _ := n.st.Revisions(t.Context(), a.ID)
	if len(revs) != 3 || revs[0].Status != article.Unpublished || revs[2].UserName != "Edna Editor" {
		t.Errorf("revisions = %+v, want three, newest first, by Edna", revs)
	}
}

func tagNames(a *article.Article) []string {
	var out []string
	for _, t := range a.Tags {
		out = append(out, t.Name)
	}
	return out
}

func TestScheduleGoesLive(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Edna Editor", account.Editor))
	f := newStoryForm(t, b, "Ferry timetable changes", "From Monday, the first ferry leaves at six.")
	f.Set("date", "2026-03-22")
	f.Set("time", "12:00")
	f.Set("zone", "Europe/London")
	id := saved(t, b, "/admin/stories/new", f, "schedule")
	a := loadArticle(t, n.st, id)
	if want := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC); a.Status != article.Scheduled || !a.PublishedAt.Equal(want) {
		t.Fatalf("scheduled story: %s at %v, want scheduled at %v", a.Status, a.PublishedAt, want)
	}
	reader := n.browser()
	if _, front := reader.get("/"); strings.Contains(front, "Ferry timetable") {
		t.Error("the story is on the front page before its time")
	}
	n.clock.add(3 * time.Hour)
	if _, err := n.st.PublishDue(t.Context(), n.clock.now()); err != nil {
		t.Fatal(err)
	}
	if _, front := reader.get("/"); !strings.Contains(front, "Ferry timetable changes") {
		t.Error("the story is not on the front page after its time")
	}
}

// saved posts an editor form with action and returns the ID of the story saved.
func saved(t *testing.T, b *browser, path string, f url.Values, action string) string {
	t.Helper()
	resp, body := save(b, path, f, action)
	return storyID(t, resp, body)
}

// TestEditorBadInput sends the editor what writers get wrong and checks that each comes back
// with its field's message and every field as it was typed.
func TestEditorBadInput(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Edna Editor", account.Editor))
	sec := n.addSection("Harbour")
	existing := newStoryForm(t, b, "First story", "Text.")
	saved(t, b, "/admin/stories/new", existing, "save")
	tests := []struct {
		name   string
		action string
		edit   func(url.Values)
		field  string // the id of the field whose message shows
		want   string
	}{
		{"no headline", "save", func(f url.Values) { f.Set("title", "  ") }, "title", "A story needs a headline."},
		{"impossible date", "schedule", func(f url.Values) { f.Set("date", "2026-02-30"); f.Set("time", "10:00") }, "date", "Enter a real date"},
		{"date as words", "save", func(f url.Values) { f.Set("date", "next Tuesday") }, "date", "Enter a real date"},
		{"bad time", "save", func(f url.Values) { f.Set("date", "2026-04-01"); f.Set("time", "25:61") }, "time", "Enter the time as HH:MM"},
		{"unknown zone", "save", func(f url.Values) { f.Set("zone", "Mars/Olympus_Mons") }, "zone", "Use a time zone name"},
		{"schedule in the past", "schedule", func(f url.Values) { f.Set("date", "2026-03-01"); f.Set("time", "10:00") }, "date", "Choose a time in the future"},
		{"schedule without a date", "schedule", func(f url.Values) {}, "date", "Choose the date and time"},
		{"publish in the future", "publish", func(f url.Values) { f.Set("date", "2027-01-01") }, "date", "use Schedule"},
		{"unknown section", "save", func(f url.Values) { f.Set("section", "9999") }, "section", "Choose one of the sections listed."},
		{"forged byline", "save", func(f url.Values) { f.Set("authors", "9999") }, "authors", "Choose bylines from the list."},
		{"duplicate slug", "save", func(f url.Values) { f.Set("slug", "first-story") }, "slug", "Another story uses this address"},
		{"bad slug", "save", func(f url.Values) { f.Set("slug", "Not A Slug!") }, "slug", "Use lower-case letters"},
		{"image without description", "save", func(f url.Values) { f.Set("image_url", "https://example.org/a.jpg") }, "image_alt", "Describe the image"},
		{"script image", "save", func(f url.Values) { f.Set("image_url", "javascript:alert(1)") }, "image_url", "Use an http(s) address"},
		{"invalid UTF-8", "save", func(f url.Values) { f.Set("body", "bad \xff byte") }, "body", "invalid characters"},
		{"NUL byte", "save", func(f url.Values) { f.Set("title", "nul\x00title") }, "body", "invalid characters"},
		{"unknown action", "obliterate", func(f url.Values) {}, "", "Unknown action."},
		{"note without kind", "save", func(f url.Values) { f.Set("note_text", "A fix."); f.Set("note_kind", "rumour") }, "", "update or a correction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newStoryForm(t, b, "Harbour strike", "Dockers walked out.")
			f.Set("section", itoa64(sec.ID))
			f.Set("standfirst", "Kept as typed.")
			tt.edit(f)
			resp, body := save(b, "/admin/stories/new", f, tt.action)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%.800s", resp.StatusCode, body)
			}
			if msgs := fieldErrors(t, body); !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, tt.want) }) {
				t.Errorf("field messages %q lack %q", msgs, tt.want)
			}
			if tt.field != "" && !regexp.MustCompile(`field-error">[^<]*</span>\s*<(input|textarea|select) id="`+tt.field+`"`).MatchString(body) {
				t.Errorf("the message is not beside the %s field", tt.field)
			}
			got := formValues(t, body, "editor")
			for _, k := range []string{"title", "standfirst", "body", "section", "date", "time", "zone", "slug", "tags", "image_url", "note_text"} {
				want := f.Get(k)
				if k == "section" && tt.field == "section" {
					want = "" // a select cannot show a value it does not offer
				}
				clean := func(s string) string {
					return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
				}
				if clean(got.Get(k)) != clean(want) {
					t.Errorf("field %s came back as %q, want %q", k, got.Get(k), want)
				}
			}
		})
	}
	if _, total, _ := n.st.ListArticles(t.Context(), store.ArticleQuery{}); total != 1 {
		t.Errorf("%d stories stored, want only the first", total)
	}
}

func TestHugeBodyIsRefused(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Edna Editor", account.Editor))
	f := newStoryForm(t, b, "Long read", strings.Repeat("All work and no play. ", 500_000)) // 11 MB
	resp, body := save(b, "/admin/stories/new", f, "save")
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "your text is not lost") {
		t.Fatalf("10 MB body = %d, want 413 saying the text is kept\n%.500s", resp.StatusCode, body)
	}
	f.Set("body", strings.Repeat("x", article.MaxBodyBytes+1))
	resp, body = save(b, "/admin/stories/new", f, "save")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The body is too long") {
		t.Errorf("2 MB+1 body = %d, want the form with a message", resp.StatusCode)
	}
	if got := formValues(t, body, "editor").Get("body"); len(got) != article.MaxBodyBytes+1 {
		t.Errorf("the form kept %d bytes of the body, want all %d", len(got), article.MaxBodyBytes+1)
	}
}

// TestContributorCannotPublish: a contributor's forms show no Publish button, and a forged
// request to publish, schedule or edit a published story changes nothing.
func TestContributorCannotPublish(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	c := n.signIn(n.addUser("Cora Contributor", account.Contributor))
	ed := n.signIn(n.addUser("Edna Editor", account.Editor))
	page := c.mustGet("/admin/stories/new", http.StatusOK)
	if strings.Contains(page, `value="publish"`) || !strings.Contains(page, `value="submit"`) {
		t.Error("a contributor's editor offers Publish, or lacks Submit for review")
	}
	f := formValues(t, page, "editor")
	f.Set("title", "My first piece")
	f.Set("body", "Words.")
	for _, action := range []string{"publish", "schedule"} {
		g := url.Values{}
		for k, v := range f {
			g[k] = v
		}
		if action == "schedule" {
			g.Set("date", "2026-04-01")
			g.Set("time", "09:00")
		}
		if resp, body := save(c, "/admin/stories/new", g, action); resp.StatusCode != http.StatusForbidden || formValues(t, body, "editor").Get("title") != "My first piece" {
			t.Errorf("contributor forging %s = %d, want 403 with the text kept", action, resp.StatusCode)
		}
	}
	if _, total, _ := n.st.ListArticles(t.Context(), store.ArticleQuery{}); total != 0 {
		t.Fatalf("%d stories stored by forged requests", total)
	}
	id := saved(t, c, "/admin/stories/new", f, "submit")
	if a := loadArticle(t, n.st, id); a.Status != article.Pending {
		t.Fatalf("submitted story has status %s, want pending", a.Status)
	}
	f = formValues(t, c.mustGet("/admin/stories/"+id+"/", http.StatusOK), "editor")
	if resp, _ := save(c, "/admin/stories/"+id+"/", f, "publish"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("contributor publishing a pending story = %d, want 403", resp.StatusCode)
	}
	f = formValues(t, ed.mustGet("/admin/stories/"+id+"/", http.StatusOK), "editor")
	saved(t, ed, "/admin/stories/"+id+"/", f, "publish")
	page = c.mustGet("/admin/stories/"+id+"/", http.StatusOK)
	if !strings.Contains(page, "<fieldset class=\"editor-grid\" disabled>") {
		t.Error("a contributor's view of their published story is editable")
	}
	f = formValues(t, page, "editor")
	f.Set("title", "Changed after publication")
	if resp, _ := save(c, "/admin/stories/"+id+"/", f, "save"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("contributor editing a published story = %d, want 403", resp.StatusCode)
	}
	if resp, _ := c.post("/admin/stories/"+id+"/delete", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("contributor deleting a published story = %d, want 403", resp.StatusCode)
	}
	if a := loadArticle(t, n.st, id); a.Title != "My first piece" || a.Status != article.Published {
		t.Errorf("story after forged requests = %q, %s", a.Title, a.Status)
	}
	// Others' stories are out of sight.
	other := saved(t, ed, "/admin/stories/new", newStoryForm(t, ed, "Editor's draft", "x"), "save")
	if resp, _ := c.get("/admin/stories/" + other + "/"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("contributor opening another's draft = %d, want 403", resp.StatusCode)
	}
	if list := c.mustGet("/admin/stories/", http.StatusOK); strings.Contains(list, "Editor&#39;s draft") {
		t.Error("a contributor's story list shows another's draft")
	}
}

// TestEditConflict: two editors open one story; the second save finds the first and keeps both.
func TestEditConflict(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	amy, bob := n.signIn(n.addUser("Amy Editor", account.Editor)), n.signIn(n.addUser("Bob Editor", account.Editor))
	id := saved(t, amy, "/admin/stories/new", newStoryForm(t, amy, "Council votes", "The council met."), "save")
	path := "/admin/stories/" + id + "/"
	fa := formValues(t, amy.mustGet(path, http.StatusOK), "editor")
	fb := formValues(t, bob.mustGet(path, http.StatusOK), "editor")
	fa.Set("body", "The council met and voted 7–2 for the budget.")
	saved(t, amy, path, fa, "save")
	fb.Set("body", "The council met late into the night.")
	resp, body := save(bob, path, fb, "save")
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("second save = %d, want 409\n%.800s", resp.StatusCode, body)
	}
	if a := loadArticle(t, n.st, id); a.Body != fa.Get("body") {
		t.Errorf("stored body = %q, want Amy's: nothing overwritten", a.Body)
	}
	got := formValues(t, body, "editor")
	if got.Get("body") != fb.Get("body") || got.Get("version") != "2" {
		t.Errorf("the form holds %q at version %s, want Bob's text on version 2", got.Get("body"), got.Get("version"))
	}
	if !strings.Contains(body, "voted 7–2 for the budget") || !strings.Contains(body, "by Amy Editor") || !strings.Contains(body, "<ins>") {
		t.Error("the conflict page does not show Amy's version and the difference beside Bob's")
	}
	saved(t, bob, path, got, "save")
	if a := loadArticle(t, n.st, id); a.Body != fb.Get("body") || a.Version != 3 {
		t.Errorf("after Bob saves again: %q, version %d", a.Body, a.Version)
	}
}

func TestRevisionsDiffAndRestore(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Edna Editor", account.Editor))
	id := saved(t, b, "/admin/stories/new", newStoryForm(t, b, "Tide tables", "High water at noon."), "save")
	path := "/admin/stories/" + id + "/"
	f := formValues(t, b.mustGet(path, http.StatusOK), "editor")
	f.Set("title", "Tide tables corrected")
	f.Set("body", "High water at half past twelve.")
	saved(t, b, path, f, "save")
	revs, _ := n.st.Revisions(t.Context(), loadArticle(t, n.st, id).ID)
	if len(revs) != 2 {
		t.Fatalf("%d revisions, want 2", len(revs))
	}
	list := b.mustGet(path+"revisions/", http.StatusOK)
	if !strings.Contains(list, "Tide tables corrected") || !strings.Contains(list, ">1<") {
		t.Error("the history does not list both versions")
	}
	first := itoa64(revs[1].ID)
	diff := b.mustGet(path+"revisions/"+first, http.StatusOK)
	for _, want := range []string{"<ins> corrected</ins>", "<del>noon</del>", "<ins>half past twelve</ins>"} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff page lacks %s", want)
		}
	}
	resp, _ := b.post(path+"revisions/"+first+"/restore", url.Values{"version": {"1"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("restore naming a stale version = %d, want 409", resp.StatusCode)
	}
	resp, _ = b.post(path+"revisions/"+first+"/restore", url.Values{"version": {"2"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore = %d", resp.StatusCode)
	}
	if a := loadArticle(t, n.st, id); a.Title != "Tide tables" || a.Body != "High water at noon." || a.Version != 3 {
		t.Errorf("after restoring: %q / %q, version %d", a.Title, a.Body, a.Version)
	}
	if revs, _ := n.st.Revisions(t.Context(), loadArticle(t, n.st, id).ID); len(revs) != 3 {
		t.Errorf("%d revisions after a restore, want 3: nothing lost", len(revs))
	}
	if resp, _ := b.get(path + "revisions/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown revision = %d, want 404", resp.StatusCode)
	}
}

func TestPreviews(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Edna Editor", account.Editor))
	f := newStoryForm(t, b, "Unsaved headline", "Some *emphasis*.")
	resp, body := save(b, "/admin/stories/new", f, "preview")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<h1 id=\"headline\">Unsaved headline</h1>") ||
		!strings.Contains(body, "<em>emphasis</em>") || !strings.Contains(body, `content="noindex`) {
		t.Errorf("preview = %d, want the story page, marked noindex\n%.800s", resp.StatusCode, body)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("preview Cache-Control = %q", resp.Header.Get("Cache-Control"))
	}
	if _, total, _ := n.st.ListArticles(t.Context(), store.ArticleQuery{}); total != 0 {
		t.Error("previewing saved the story")
	}
	resp, body = b.post("/admin/preview", url.Values{"body": {"**bold** <script>x()</script> <a href=\"javascript:x\">l</a>"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<strong>bold</strong>") || strings.Contains(body, "script") {
		t.Errorf("live preview = %d %q", resp.StatusCode, body)
	}
	id := saved(t, b, "/admin/stories/new", f, "save")
	if body := b.mustGet("/admin/stories/"+id+"/preview", http.StatusOK); !strings.Contains(body, "Unsaved headline") {
		t.Error("the saved draft's preview lacks its headline")
	}
	if resp, _ := n.browser().get("/admin/stories/" + id + "/preview"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a reader previewing a draft = %d, want a redirect to sign in", resp.StatusCode)
	}
}

func TestAutosave(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Edna Editor", account.Editor))
	id := saved(t, b, "/admin/stories/new", newStoryForm(t, b, "Draft", "First."), "save")
	path := "/admin/stories/" + id + "/"
	n.clock.add(time.Minute)
	resp, body := b.post(path+"autosave", url.Values{"title": {"Draft"}, "body": {"First. And more."}}, "Accept", "application/json")
	if resp.StatusCode != http.StatusOK || !json.Valid([]byte(body)) {
		t.Fatalf("autosave = %d %q", resp.StatusCode, body)
	}
	if a := loadArticle(t, n.st, id); a.Body != "First." || a.Version != 1 {
		t.Errorf("autosave changed the story: %q, version %d", a.Body, a.Version)
	}
	page := b.mustGet(path, http.StatusOK)
	if !strings.Contains(page, "An autosave of yours from") {
		t.Error("the editor does not offer the newer autosave")
	}
	f := formValues(t, page, "editor")
	saved(t, b, path, f, "save")
	if page := b.mustGet(path, http.StatusOK); strings.Contains(page, "An autosave of yours") {
		t.Error("the autosave is still offered after a save")
	}
	n.clock.add(9 * time.Hour)
	resp, body = b.post(path+"autosave", url.Values{"body": {"x"}}, "Accept", "application/json")
	var e struct{ Error string }
	if resp.StatusCode != http.StatusUnauthorized || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
		t.Errorf("autosave with an expired session = %d %q, want a JSON 401", resp.StatusCode, body)
	}
}

func TestStoryListAndDelete(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Edna Editor", account.Editor))
	sec := n.addSection("Harbour")
	for i, title := range []string{"Ferry strike", "Harbour dredging", "Market prices"} {
		f := newStoryForm(t, b, title, "Text.")
		if i < 2 {
			f.Set("section", itoa64(sec.ID))
		}
		action := map[bool]string{true: "publish", false: "save"}[i == 0]
		saved(t, b, "/admin/stories/new", f, action)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"Market prices", "Harbour dredging", "Ferry strike"}},
		{"?status=published", []string{"Ferry strike"}},
		{"?status=draft&section=" + itoa64(sec.ID), []string{"Harbour dredging"}},
		{"?q=PRICES", []string{"Market prices"}},
		{"?status=nonsense", []string{"Market prices", "Harbour dredging", "Ferry strike"}},
	}
	for _, tt := range tests {
		body := b.mustGet("/admin/stories/"+tt.query, http.StatusOK)
		var got []string
		for _, m := range regexp.MustCompile(`<td><a href="/admin/stories/\d+/">([^<]+)</a>`).FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("stories%s (-want +got):\n%s", tt.query, diff)
		}
	}
	if resp, _ := b.get("/admin/stories/?page=0"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("page=0 = %d, want 400", resp.StatusCode)
	}
	list, _, _ := n.st.ListArticles(t.Context(), store.ArticleQuery{Text: "Market"})
	resp, _ := b.post("/admin/stories/"+itoa64(list[0].ID)+"/delete", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete = %d", resp.StatusCode)
	}
	if _, err := n.st.Article(t.Context(), list[0].ID); err == nil {
		t.Error("the story survived its deletion")
	}
	var names []string
	if err := json.Unmarshal([]byte(b.mustGet("/admin/tags/suggest?q=", http.StatusOK)), &names); err != nil || len(names) != 0 {
		t.Errorf("empty tag suggestion = %v, %v", names, err)
	}
}

func TestTagSuggestions(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Edna Editor", account.Editor))
	for _, name := range []string{"Port Ellery", "Ports", "Airport", "Budget"} {
		tag := article.Tag{Name: name, Slug: article.Slugify(name)}
		if err := n.st.SaveTag(t.Context(), &tag); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	if err := json.Unmarshal([]byte(b.mustGet("/admin/tags/suggest?q=port", http.StatusOK)), &names); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Port Ellery", "Ports", "Airport"}, names); diff != "" {
		t.Errorf("suggestions for %q (-want +got):\n%s", "port", diff)
	}
}

// FuzzStoryFields feeds arbitrary dates, times, zones and tag lists to the editor's parsers:
// they answer a value or messages, never panic, and a time they accept lies in its zone's day.
func FuzzStoryFields(f *testing.F) {
	f.Add("2026-03-22", "11:00", "Europe/London", "Harbour, Port Ellery")
	f.Add("2026-02-30", "25:61", "../../etc/passwd", ",,,")
	f.Add("", "", "", "\xff, \x00")
	f.Fuzz(func(t *testing.T, date, clock, zone, tags string) {
		when, errs := parseWhen(date, clock, zone, time.UTC)
		if len(errs) == 0 && !when.IsZero() && when.Format("2006-01-02") != strings.TrimSpace(date) {
			t.Errorf("parseWhen(%q, %q, %q) = %v, a different day", date, clock, zone, when)
		}
		list, msg := parseTags(tags)
		for _, tag := range list {
			if !article.ValidSlug(tag.Slug) && msg == "" {
				t.Errorf("parseTags(%q) accepted %+v with an invalid slug", tags, tag)
			}
		}
		if len(list) > 50 {
			t.Errorf("parseTags(%q) returned %d tags", tags, len(list))
		}
	})
}

// TestScheduleKeepsTheZone: a time typed in New York comes back in New York time, in the form,
// the confirmation and the hint; the corrections box appears only once the story is published.
func TestScheduleKeepsTheZone(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	edna := n.addUser("Edna Editor", account.Editor)
	b := n.signIn(edna)
	f := newStoryForm(t, b, "Ferry strike ends", "The ferries sail again.")
	f.Set("date", "2026-12-08")
	f.Set("time", "07:01")
	f.Set("zone", "America/New_York")
	resp, body := save(b, "/admin/stories/new", f, "schedule")
	id := storyID(t, resp, body)
	if a := loadArticle(t, n.st, id); !a.PublishedAt.Equal(time.Date(2026, 12, 8, 12, 1, 0, 0, time.UTC)) || a.Zone != "America/New_York" {
		t.Fatalf("scheduled story at %v in %q, want 12:01 UTC chosen in America/New_York", a.PublishedAt, a.Zone)
	}
	page := b.mustGet(resp.Header.Get("Location"), http.StatusOK)
	const when = "Tue 8 Dec, 07:01 New York time"
	if !strings.Contains(page, "Scheduled for "+when+". It will be published then.") {
		t.Errorf("the confirmation does not repeat the time %q", when)
	}
	if got := formValues(t, page, "editor"); got.Get("date") != "2026-12-08" || got.Get("time") != "07:01" || got.Get("zone") != "America/New_York" {
		t.Errorf("after saving the editor shows %s %s %s, want 2026-12-08 07:01 America/New_York", got.Get("date"), got.Get("time"), got.Get("zone"))
	}
	hint := textOf(findID(t, page, "publish-hint"))
	if !strings.HasPrefix(hint, "Scheduled for "+when) || strings.Contains(hint, "publish now") {
		t.Errorf("the hint for a scheduled story reads %q", hint)
	}
	if strings.Contains(page, "notes-box") {
		t.Error("a scheduled story offers the updates-and-corrections box")
	}
	// Saved again unchanged, the time stays where it was typed.
	save(b, "/admin/stories/"+id+"/", formValues(t, page, "editor"), "schedule")
	if a := loadArticle(t, n.st, id); !a.PublishedAt.Equal(time.Date(2026, 12, 8, 12, 1, 0, 0, time.UTC)) || a.Zone != "America/New_York" {
		t.Errorf("saved again: %v in %q", a.PublishedAt, a.Zone)
	}
	n.clock.add(262 * 24 * time.Hour) // 9 December, the same year
	if _, err := n.st.PublishDue(t.Context(), n.clock.now()); err != nil {
		t.Fatal(err)
	}
	page = n.signIn(edna).mustGet("/admin/stories/"+id+"/", http.StatusOK) // the session has long expired
	if !strings.Contains(page, "notes-box") || !strings.Contains(textOf(findID(t, page, "publish-hint")), "Published "+when) {
		t.Error("a published story lacks the corrections box or says when it was published")
	}
}

// TestEditorHintsForAContributor: a contributor reads nothing about buttons they do not have.
func TestEditorHintsForAContributor(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	c := n.signIn(n.addUser("Cora Contributor", account.Contributor))
	page := c.mustGet("/admin/stories/new", http.StatusOK)
	id := saved(t, c, "/admin/stories/new", newStoryForm(t, c, "My piece", "Words."), "save")
	draft := c.mustGet("/admin/stories/"+id+"/", http.StatusOK)
	for name, p := range map[string]string{"new": page, "draft": draft} {
		hint := strings.ToLower(textOf(findID(t, p, "publish-hint")))
		if strings.Contains(hint, "publish now") || strings.Contains(hint, "schedule") || !strings.Contains(hint, "review") {
			t.Errorf("%s: a contributor's hint reads %q", name, hint)
		}
	}
}

// findID returns the element with id in page.
func findID(t *testing.T, page, id string) *html.Node {
	t.Helper()
	for n := range parseHTML(t, page).Descendants() {
		if n.Type == html.ElementNode && attrOf(n, "id") == id {
			return n
		}
	}
	t.Fatalf("no element #%s in the page", id)
	return nil
}
