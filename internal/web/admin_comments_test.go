package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/mail"
	"github.com/broadsheet/broadsheet/internal/mail/mailtest"
	"github.com/broadsheet/broadsheet/internal/store"
)

// commentSite is a newsroom with one published story, written by Walt Writer, that takes
// comments; it counts the notifier's wake-ups. The site sends mail unless an edit says otherwise.
type commentSite struct {
	*newsroom
	writer  *account.User
	path    string // the story's permalink
	storyID int64
	wakes   *atomic.Int32
}

func newCommentSite(t testing.TB, edit ...func(*Config)) *commentSite {
	t.Helper()
	wakes := &atomic.Int32{}
	n := newNewsroom(t, append([]func(*Config){func(c *Config) { c.Notify, c.Mail = func() { wakes.Add(1) }, true }}, edit...)...)
	writer := n.addUser("Walt Writer", account.Author)
	a := &article.Article{Kind: article.Story, Slug: "harbour-wall-to-be-rebuilt", Title: "Harbour wall to be rebuilt",
		Body: "The council voted.", BodyHTML: "<p>The council voted.</p>\n", BodyText: "The council voted.",
		Authors: []article.Author{{ID: writer.AuthorID}}, Status: article.Published, PublishedAt: n.clock.now(), CommentsOpen: true}
	if err := n.st.CreateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	return &commentSite{newsroom: n, writer: writer, path: a.Path(time.UTC), storyID: a.ID, wakes: wakes}
}

// post leaves a comment on the story as a reader would, replying to parent when it is not 0, and
// returns its ID. The clock moves past the form's minimum fill time and the flood interval.
func (cs *commentSite) post(parent int64, name, email, text string, notify bool) int64 {
	cs.t.Helper()
	reader := cs.browser()
	path := cs.path
	if parent != 0 {
		path += "?replytocom=" + itoa64(parent)
	}
	f := reader.commentForm(path)
	f.Set("author", name)
	f.Set("email", email)
	f.Set("comment", text)
	if notify {
		f.Set("notify", "yes")
	}
	cs.clock.add(20 * time.Second)
	resp, body := reader.post("/comments", f)
	loc := resp.Header.Get("Location")
	_, frag, ok := strings.Cut(loc, "#comment-")
	id, err := strconv.ParseInt(frag, 10, 64)
	if resp.StatusCode != http.StatusSeeOther || !ok || err != nil {
		cs.t.Fatalf("post a comment = %d to %q\n%.800s", resp.StatusCode, loc, body)
	}
	return id
}

// comment returns the stored comment id.
func (cs *commentSite) comment(id int64) *comment.Comment {
	cs.t.Helper()
	c, err := cs.st.Comment(cs.t.Context(), id)
	if err != nil {
		cs.t.Fatalf("Comment(%d) = %v", id, err)
	}
	return c
}

// moderate posts a moderation form and returns where it leads.
func moderate(t *testing.T, b *browser, form url.Values) string {
	t.Helper()
	resp, body := b.post("/admin/comments/", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("moderate %v = %d\n%.800s", form, resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

func TestModerationQueue(t *testing.T) {
	t.Parallel()
	cs := newCommentSite(t)
	ed := cs.signIn(cs.addUser("Edna Editor", account.Editor))
	ada := cs.post(0, "Ada Reader", "ada@example.org", "The wall has needed work since 1998.", false)
	bo := cs.post(0, "Bo Reader", "bo@example.org", "See http://a.example and http://b.example for the plans.", false)
	cy := cs.post(0, "Cy Reader", "cy@example.org", "Who pays for it?", false)

	if resp, _ := ed.get("/admin/comments?status=pending"); resp.Header.Get("Location") != "/admin/comments/?status=pending" { // the moderators' emails' link
		t.Errorf("GET /admin/comments?status=pending = %d to %q, want a redirect to the queue", resp.StatusCode, resp.Header.Get("Location"))
	}
	body := ed.mustGet("/admin/comments/", http.StatusOK)
	for _, want := range []string{"Pending <span class=\"count\">(3)</span>", "Approved <span class=\"count\">(0)</span>",
		"ada@example.org", "127.0.0.1", "not a recognised returning commenter", "2 links (comments with 2 or more are held)",
		"Spam score 50%", "Harbour wall to be rebuilt", `<span class="nav-badge">3<span class="visually-hidden"> awaiting moderation</span></span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the pending queue lacks %q", want)
		}
	}
	if got := ed.mustGet("/admin/comments/?q=who+PAYS", http.StatusOK); !strings.Contains(got, "Cy Reader") || strings.Contains(got, "Ada Reader") {
		t.Error("searching the text finds the wrong comments")
	}
	if got := ed.mustGet("/admin/comments/?q=bo+reader", http.StatusOK); !strings.Contains(got, "bo@example.org") || strings.Contains(got, "cy@example.org") {
		t.Error("searching by author finds the wrong comments")
	}
	if got := ed.mustGet("/admin/comments/?story="+itoa64(cs.storyID), http.StatusOK); !strings.Contains(got, "Only the comments on") || !strings.Contains(got, "3 comments") {
		t.Error("the story filter does not show the story's comments")
	}

	// Bulk approval, then single moves through the queues.
	before := cs.wakes.Load()
	loc := moderate(t, ed, url.Values{"action": {"approve"}, "id": {itoa64(ada), itoa64(bo)}, "return": {"/admin/comments/?status=pending"}})
	if cs.wakes.Load() == before {
		t.Error("approving did not wake the notifier")
	}
	if body := ed.mustGet(loc, http.StatusOK); !strings.Contains(body, "2 comments approved.") || !strings.Contains(body, "Pending <span class=\"count\">(1)</span>") {
		t.Errorf("after a bulk approval %s lacks the message or the new count", loc)
	}
	page := cs.browser().mustGet(cs.path, http.StatusOK)
	if !strings.Contains(page, "The wall has needed work") || !strings.Contains(page, "for the plans") || strings.Contains(page, "Who pays") {
		t.Error("the story page does not show exactly the approved comments")
	}
	steps := []struct {
		action string
		want   comment.Status
	}{{"spam", comment.Spam}, {"pending", comment.Pending}, {"trash", comment.Trash}, {"approve", comment.Approved}, {"trash", comment.Trash}}
	for _, st := range steps {
		moderate(t, ed, url.Values{"row": {st.action + ":" + itoa64(cy)}, "return": {"/admin/comments/" + itoa64(cy) + "/"}})
		if got := cs.comment(cy).Status; got != st.want {
			t.Errorf("after %s the comment is %s, want %s", st.action, got, st.want)
		}
	}
	if _, spam, ham, err := cs.st.SpamCounts(t.Context(), nil); err != nil || spam != 0 || ham != 2 {
		t.Errorf("the classifier knows %d spam and %d not spam (%v), want the 2 approved comments and no spam, after a spam decision undone", spam, ham, err)
	}
	body = ed.mustGet("/admin/comments/?status=trash", http.StatusOK)
	if !strings.Contains(body, `value="delete"`) || !strings.Contains(body, "Who pays") {
		t.Error("the trash does not offer to delete its comment for good")
	}
	loc = moderate(t, ed, url.Values{"row": {"delete:" + itoa64(cy)}, "return": {"/admin/comments/" + itoa64(cy) + "/"}})
	if !strings.HasPrefix(loc, "/admin/comments/?") {
		t.Errorf("deleting from a comment's page leads to %s, want the queue", loc)
	}
	if _, err := cs.st.Comment(t.Context(), cy); err == nil {
		t.Error("a comment deleted permanently is still stored")
	}
	if loc := moderate(t, ed, url.Values{"action": {"approve"}}); !strings.Contains(ed.mustGet(loc, http.StatusOK), "Tick one or more comments first.") {
		t.Error("an action without ticked comments says nothing")
	}
	if resp, _ := ed.post("/admin/comments/", url.Values{"action": {"explode"}, "id": {itoa64(ada)}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown action = %d, want 400", resp.StatusCode)
	}
	if resp, _ := ed.post("/admin/comments/", url.Values{"action": {"approve"}, "id": {"x"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a forged ID = %d, want 400", resp.StatusCode)
	}

	// Pagination, 25 to a page.
	for i := range 30 {
		c := &comment.Comment{ArticleID: cs.storyID, Status: comment.Spam, AuthorName: "Bot " + itoa(i), Content: "Cheap pills " + itoa(i),
			CreatedAt: cs.clock.now().Add(time.Duration(i) * time.Minute)}
		if err := cs.st.CreateComment(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	first := ed.mustGet("/admin/comments/?status=spam", http.StatusOK)
	second := ed.mustGet("/admin/comments/?status=spam&page=2", http.StatusOK)
	if strings.Count(first, `name="id"`) != 25 || strings.Count(second, `name="id"`) != 5 || !strings.Contains(first, "Page 1 of 2") ||
		!strings.Contains(first, "Bot 29") || !strings.Contains(second, "Bot 0<") {
		t.Error("the spam queue is not paginated 25 to a page, newest first")
	}
}

func TestModerationPermissions(t *testing.T) {
	t.Parallel()
	cs := newCommentSite(t)
	id := cs.post(0, "Ada Reader", "ada@example.org", "Hello.", false)
	tests := []struct {
		role    account.Role
		queue   int
		privacy int
	}{
		{account.Administrator, http.StatusOK, http.StatusOK},
		{account.Editor, http.StatusOK, http.StatusForbidden},
		{account.Moderator, http.StatusOK, http.StatusForbidden},
		{account.Author, http.StatusForbidden, http.StatusForbidden},
		{account.Contributor, http.StatusForbidden, http.StatusForbidden},
	}
	for _, tt := range tests {
		b := cs.signIn(cs.addUser(string(tt.role)+" Person", tt.role))
		for path, want := range map[string]int{"/admin/comments/": tt.queue, "/admin/comments/" + itoa64(id) + "/": tt.queue,
			"/admin/comments/bans": tt.queue, "/admin/comments/privacy": tt.privacy} {
			if resp, _ := b.get(path); resp.StatusCode != want {
				t.Errorf("%s: GET %s = %d, want %d", tt.role, path, resp.StatusCode, want)
			}
		}
		if resp, _ := b.post("/admin/comments/", url.Values{"action": {"approve"}, "id": {itoa64(id)}}); tt.queue == http.StatusForbidden && resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: approving = %d, want 403", tt.role, resp.StatusCode)
		}
	}
	if got := cs.comment(id).Status; got != comment.Approved {
		t.Errorf("the comment is %s after the moderators' approvals", got)
	}
	if resp, _ := cs.browser().get("/admin/comments/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a stranger's GET /admin/comments/ = %d, want a redirect to sign in", resp.StatusCode)
	}
}

func TestEditFeatureAndReply(t *testing.T) {
	t.Parallel()
	cs := newCommentSite(t)
	mod := cs.addUser("Mo Moderator", account.Moderator)
	b := cs.signIn(mod)
	first := cs.post(0, "Ada Reader", "ada@example.org", "First!", false)
	second := cs.post(0, "Bo Reader", "bo@example.org", "Second, and better.", false)
	moderate(t, b, url.Values{"action": {"approve"}, "id": {itoa64(first), itoa64(second)}})
	edit := "/admin/comments/" + itoa64(second) + "/"

	// Edit: a refusal keeps what was typed; a fix is saved.
	body := b.mustGet(edit, http.StatusOK)
	f := formValues(t, body, "edit")
	if diff := cmp.Diff(url.Values{"content": {"Second, and better."}, "name": {"Bo Reader"}, "url": {""}}, f); diff != "" {
		t.Errorf("the edit form (-want +got):\n%s", diff)
	}
	for _, want := range []string{"bo@example.org", "127.0.0.1", "Go-http-client"} {
		if !strings.Contains(body, want) {
			t.Errorf("the comment's page lacks %q", want)
		}
	}
	f.Set("content", "")
	f.Set("url", "javascript:alert(1)")
	f.Set("name", "Bo R.")
	resp, body := b.post(edit, f)
	if resp.StatusCode != http.StatusUnprocessableEntity || !slices.Contains(fieldErrors(t, body), "Please enter a website address, such as https://example.org/, or leave the field empty.") ||
		!strings.Contains(body, `value="Bo R."`) {
		t.Errorf("a bad edit = %d with errors %q, want 422 with the input kept", resp.StatusCode, fieldErrors(t, body))
	}
	f.Set("content", "Second, and better (edited by a moderator).")
	f.Set("url", "bo.example.org")
	if resp, _ := b.post(edit, f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("an edit = %d", resp.StatusCode)
	}
	if c := cs.comment(second); c.Content != "Second, and better (edited by a moderator)." || c.AuthorName != "Bo R." ||
		c.AuthorURL != "http://bo.example.org" || c.Status != comment.Approved {
		t.Errorf("after the edit the comment is %+v", c)
	}

	// Feature: the featured comment comes first on the story's page; again, and it does not.
	order := func() []string {
		var ids []string
		for _, m := range regexp.MustCompile(`<li id="comment-(\d+)"`).FindAllStringSubmatch(cs.browser().mustGet(cs.path, http.StatusOK), -1) {
			ids = append(ids, m[1])
		}
		return ids
	}
	if diff := cmp.Diff([]string{itoa64(first), itoa64(second)}, order()); diff != "" {
		t.Errorf("comments before featuring (-want +got):\n%s", diff)
	}
	if resp, _ := b.post(edit+"feature", url.Values{"return": {edit}}); resp.StatusCode != http.StatusSeeOther || !cs.comment(second).Featured {
		t.Fatalf("featuring = %d", resp.StatusCode)
	}
	if diff := cmp.Diff([]string{itoa64(second), itoa64(first)}, order()); diff != "" {
		t.Errorf("comments after featuring the second (-want +got):\n%s", diff)
	}
	b.post(edit+"feature", url.Values{"return": {edit}})
	if cs.comment(second).Featured {
		t.Error("featuring twice does not take the mark away")
	}

	// Reply as staff to a held comment: it is approved, and the reply published at once.
	held := cs.post(0, "Cy Reader", "cy@example.org", "Will the ferry still run?", false)
	resp, body = b.post("/admin/comments/"+itoa64(held)+"/reply", url.Values{"content": {"  "}, "return": {"/admin/comments/"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Please type your comment text.") || cs.comment(held).Status != comment.Pending {
		t.Errorf("an empty reply = %d, want 422 with the held comment still held", resp.StatusCode)
	}
	resp, _ = b.post("/admin/comments/"+itoa64(held)+"/reply", url.Values{"content": {"Yes: the ferry runs all winter."}, "return": {"/admin/comments/?status=pending"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/admin/comments/?msg=reply-approved&status=pending" {
		t.Fatalf("a reply = %d to %q", resp.StatusCode, loc)
	}
	list, _, err := cs.st.ListComments(t.Context(), store.CommentQuery{ArticleID: cs.storyID, Text: "ferry runs"})
	if err != nil || len(list) != 1 {
		t.Fatalf("the reply is not stored: %v, %d", err, len(list))
	}
	reply := list[0]
	if reply.StaffID != mod.ID || reply.AuthorName != "Mo Moderator" || reply.ParentID != held || reply.Status != comment.Approved ||
		cs.comment(held).Status != comment.Approved {
		t.Errorf("the staff reply is %+v", reply)
	}
	page := cs.browser().mustGet(cs.path, http.StatusOK)
	staff := regexp.MustCompile(`(?s)<li id="comment-` + itoa64(reply.ID) + `" class="comment depth-2 staff">.*?<span class="badge">Staff</span>`)
	if !staff.MatchString(page) {
		t.Error("the story page does not show the reply, nested, with the staff badge")
	}
	if strings.Contains(page, "mo@example.org") {
		t.Error("the story page shows the staff member's email")
	}
	b.post("/admin/comments/", url.Values{"row": {"spam:" + itoa64(first)}})
	if resp, body := b.post("/admin/comments/"+itoa64(first)+"/reply", url.Values{"content": {"Hello?"}}); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "Restore this comment before replying") || !strings.Contains(body, "Hello?") {
		t.Errorf("a reply to spam = %d, want 400 with the text kept", resp.StatusCode)
	}
}

func TestBans(t *testing.T) {
	t.Parallel()
	cs := newCommentSite(t)
	b := cs.signIn(cs.addUser("Mo Moderator", account.Moderator))
	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"bad email", url.Values{"kind": {"email"}, "value": {"not an address"}, "days": {"30"}}, "Enter one email address, such as reader@example.org."},
		{"bad IP", url.Values{"kind": {"ip"}, "value": {"300.1.2.3"}, "days": {"30"}}, "Enter one IP address, such as 203.0.113.7 or 2001:db8::1."},
		{"bad kind", url.Values{"kind": {"name"}, "value": {"Eve"}, "days": {"30"}}, "Ban an email address or an IP address."},
		{"bad length", url.Values{"kind": {"ip"}, "value": {"203.0.113.7"}, "days": {"-3"}}, "Choose how long the ban lasts."},
		{"long reason", url.Values{"kind": {"ip"}, "value": {"203.0.113.7"}, "reason": {strings.Repeat("x", 201)}}, "Give the reason in at most 200 characters on one line."},
	}
	for _, tt := range tests {
		resp, body := b.post("/admin/comments/bans", tt.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !slices.Contains(fieldErrors(t, body), tt.field) ||
			!strings.Contains(body, `value="`+tt.form.Get("value")+`"`) {
			t.Errorf("%s: %d with errors %q, want 422 with %q and the value kept", tt.name, resp.StatusCode, fieldErrors(t, body), tt.field)
		}
	}

	// A ban from a comment's page, by email, for a week.
	id := cs.post(0, "Eve", "Eve@Example.org", "Buy my thing.", false)
	body := b.mustGet("/admin/comments/"+itoa64(id)+"/", http.StatusOK)
	if !strings.Contains(body, `value="email:Eve@Example.org"`) || !strings.Contains(body, `value="ip:127.0.0.1"`) {
		t.Fatal("the comment's page does not offer to ban its author's email and IP")
	}
	resp, _ := b.post("/admin/comments/bans", url.Values{"target": {"email:Eve@Example.org"}, "reason": {"selling"}, "days": {"7"},
		"return": {"/admin/comments/" + itoa64(id) + "/"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/admin/comments/"+itoa64(id)+"/?msg=ban" {
		t.Fatalf("ban = %d to %q", resp.StatusCode, loc)
	}
	bans, err := cs.st.Bans(t.Context())
	if err != nil || len(bans) != 1 {
		t.Fatalf("Bans = %v, %v", bans, err)
	}
	if got, want := bans[0], (comment.Ban{ID: bans[0].ID, Kind: "email", Value: "eve@example.org", Reason: "selling",
		CreatedAt: cs.clock.now(), ExpiresAt: cs.clock.now().Add(7 * 24 * time.Hour)}); !got.CreatedAt.Equal(want.CreatedAt) ||
		!got.ExpiresAt.Equal(want.ExpiresAt) || got.Kind != want.Kind || got.Value != want.Value || got.Reason != want.Reason {
		t.Errorf("the ban is %+v, want %+v", got, want)
	}
	if body := b.mustGet("/admin/comments/bans", http.StatusOK); !strings.Contains(body, "eve@example.org") || !strings.Contains(body, "selling") {
		t.Error("the bans page does not list the ban")
	}

	// The banned commenter is refused; once the ban is lifted, they are not.
	reader := cs.browser()
	f := reader.commentForm(cs.path)
	f.Set("author", "Eve")
	f.Set("email", "eve@example.org")
	f.Set("comment", "Buy my other thing.")
	cs.clock.add(20 * time.Second)
	if resp, body := reader.post("/comments", f); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Sorry, you cannot comment on this site.") {
		t.Errorf("a banned commenter's post = %d", resp.StatusCode)
	}
	if resp, _ := b.post("/admin/comments/bans/"+itoa64(bans[0].ID)+"/delete", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("lift the ban = %d", resp.StatusCode)
	}
	cs.post(0, "Eve", "eve@example.org", "I am sorry.", false)

	// An IP ban, for ever.
	if resp, _ := b.post("/admin/comments/bans", url.Values{"kind": {"ip"}, "value": {" 127.0.0.1 "}, "days": {"0"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("IP ban = %d", resp.StatusCode)
	}
	f = reader.commentForm(cs.path)
	f.Set("author", "Someone")
	f.Set("email", "someone@example.org")
	f.Set("comment", "From the banned address.")
	cs.clock.add(20 * time.Second)
	if resp, _ := reader.post("/comments", f); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a post from a banned IP = %d, want 403", resp.StatusCode)
	}
}

func TestPrivacyTools(t *testing.T) {
	t.Parallel()
	cs := newCommentSite(t)
	admin := cs.signIn(cs.addUser("Ada Admin", account.Administrator))
	cs.post(0, "Zoë Reader", "zoe@example.org", "My first comment.", true)
	cs.post(0, "Other Reader", "other@example.org", "Someone else's.", false)
	cs.post(0, "Zoë R.", "ZOE@example.org", "My second comment.", false)

	resp, body := admin.post("/admin/comments/privacy/export", url.Values{"email": {" Zoe@Example.org "}})
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="comments-export-2026-03-22`) ||
		resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("export = %d %v\n%.500s", resp.StatusCode, resp.Header, body)
	}
	var export commentExport
	if err := json.Unmarshal([]byte(body), &export); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range export.Comments {
		got = append(got, c.Author+"|"+c.Email+"|"+c.IP+"|"+c.Content+"|"+c.StoryTitle)
	}
	want := []string{"Zoë Reader|zoe@example.org|127.0.0.1|My first comment.|Harbour wall to be rebuilt",
		"Zoë R.|ZOE@example.org|127.0.0.1|My second comment.|Harbour wall to be rebuilt"}
	if diff := cmp.Diff(want, got); diff != "" || export.Email != "zoe@example.org" {
		t.Errorf("the export of %s (-want +got):\n%s", export.Email, diff)
	}
	if resp, body := admin.post("/admin/comments/privacy/export", url.Values{"email": {"nobody@example.org"}}); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(body, "No comment was posted with this email address.") {
		t.Errorf("export of an unknown address = %d", resp.StatusCode)
	}
	if resp, body := admin.post("/admin/comments/privacy/erase", url.Values{"email": {"zoe@example.org"}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!slices.Contains(fieldErrors(t, body), "Tick the box to confirm: erasing cannot be undone.") {
		t.Errorf("erase without confirming = %d", resp.StatusCode)
	}
	resp, _ = admin.post("/admin/comments/privacy/erase", url.Values{"email": {"zoe@example.org"}, "confirm": {"yes"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(admin.mustGet(loc, http.StatusOK), "2 comments anonymised.") {
		t.Fatalf("erase = %d to %s", resp.StatusCode, loc)
	}
	list, _, err := cs.st.ListComments(t.Context(), store.CommentQuery{ArticleID: cs.storyID, Oldest: true})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, c := range list {
		got = append(got, c.AuthorName+"|"+c.AuthorEmail+"|"+c.AuthorIP+"|"+c.Content)
	}
	want = []string{"Anonymous|||My first comment.", "Other Reader|other@example.org|127.0.0.1|Someone else's.", "Anonymous|||My second comment."}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("comments after erasing (-want +got):\n%s", diff)
	}
}

func TestAPIComments(t *testing.T) {
	t.Parallel()
	cs := newCommentSite(t)
	mod := cs.addUser("Mo Moderator", account.Moderator)
	c := cs.apiToken(mod)
	ada := cs.post(0, "Ada Reader", "ada@example.org", "Ada's comment.", false)
	bo := cs.post(0, "Bo Reader", "bo@example.org", "Bo's comment.", false)

	var list struct {
		Comments []apiComment
		Total    int
		Counts   map[string]int
	}
	if resp := c.call("GET", "/api/v1/comments?status=pending", nil, &list); resp.StatusCode != http.StatusOK || list.Total != 2 ||
		list.Counts["pending"] != 2 || len(list.Comments) != 2 || list.Comments[0].ID != bo || list.Comments[0].Email != "bo@example.org" {
		t.Fatalf("list = %d %+v", resp.StatusCode, list)
	}
	var got apiComment
	if resp := c.call("PATCH", "/api/v1/comments/"+itoa64(ada), map[string]any{"status": "approved", "featured": true}, &got); resp.StatusCode != http.StatusOK ||
		got.Status != "approved" || !got.Featured || got.Link != cs.ts.URL+cs.path+"#comment-"+itoa64(ada) {
		t.Errorf("approve = %d %+v", resp.StatusCode, got)
	}
	var bad apiErrorAnswer
	if resp := c.call("PATCH", "/api/v1/comments/"+itoa64(ada), map[string]any{"content": ""}, &bad); resp.StatusCode != http.StatusUnprocessableEntity || bad.Field != "content" {
		t.Errorf("empty content = %d %+v", resp.StatusCode, bad)
	}
	if resp := c.call("PATCH", "/api/v1/comments/"+itoa64(ada), map[string]any{"status": "gone"}, &bad); resp.StatusCode != http.StatusUnprocessableEntity || bad.Field != "status" {
		t.Errorf("unknown status = %d %+v", resp.StatusCode, bad)
	}
	var moved struct {
		Status  string
		Changed []int64
	}
	if resp := c.call("POST", "/api/v1/comments/status", map[string]any{"ids": []int64{ada, bo}, "status": "spam"}, &moved); resp.StatusCode != http.StatusOK ||
		!cmp.Equal(moved.Changed, []int64{ada, bo}) {
		t.Errorf("bulk spam = %d %+v", resp.StatusCode, moved)
	}
	if resp := c.call("POST", "/api/v1/comments/status", map[string]any{"ids": []int64{}, "status": "spam"}, &bad); resp.StatusCode != http.StatusUnprocessableEntity || bad.Field != "ids" {
		t.Errorf("no IDs = %d %+v", resp.StatusCode, bad)
	}
	c.call("PATCH", "/api/v1/comments/"+itoa64(bo), map[string]any{"status": "pending"}, nil)
	var reply apiComment
	resp := c.call("POST", "/api/v1/comments/"+itoa64(bo)+"/replies", map[string]string{"content": "Thanks, Bo."}, &reply)
	if resp.StatusCode != http.StatusCreated || !reply.Staff || reply.Author != "Mo Moderator" || reply.ParentID != bo ||
		reply.Status != "approved" || resp.Header.Get("Location") != "/api/v1/comments/"+itoa64(reply.ID) || cs.comment(bo).Status != comment.Approved {
		t.Errorf("reply = %d %+v", resp.StatusCode, reply)
	}
	if resp := c.call("POST", "/api/v1/comments/"+itoa64(ada)+"/replies", map[string]string{"content": "To spam?"}, &bad); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a reply to spam = %d %+v", resp.StatusCode, bad)
	}
	if resp := c.call("DELETE", "/api/v1/comments/"+itoa64(ada), nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("delete = %d", resp.StatusCode)
	}
	if resp := c.call("GET", "/api/v1/comments/"+itoa64(ada), nil, &bad); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a deleted comment = %d", resp.StatusCode)
	}
	if resp := cs.apiToken(cs.writer).call("GET", "/api/v1/comments", nil, &bad); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an author's token lists comments: %d", resp.StatusCode)
	}
}

// smtpTo returns a sender that delivers to the test mail server.
func smtpTo(ms *mailtest.Server) mail.Sender {
	return mail.SMTP{Host: ms.Host(), Port: ms.Port(), From: "news@example.org"}
}

// sendNotices runs the notification sender once and returns the messages that arrived.
func (cs *commentSite) sendNotices(ms *mailtest.Server) []mailtest.Message {
	cs.t.Helper()
	before := len(ms.Messages())
	if _, err := cs.srv.SendNotices(cs.t.Context(), smtpTo(ms)); err != nil {
		cs.t.Fatalf("SendNotices: %v", err)
	}
	return ms.Messages()[before:]
}

// recipients lists the envelope recipients of msgs, sorted.
func recipients(msgs []mailtest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.To...)
	}
	slices.Sort(out)
	return out
}

// TestHeldCommentEmailsStaff: a held comment is announced to everyone who moderates comments and
// to the story's own writers, and to no other staff.
func TestHeldCommentEmailsStaff(t *testing.T) {
	t.Parallel()
	cs := newCommentSite(t)
	ms := mailtest.NewServer(t)
	for _, u := range []struct {
		name string
		role account.Role
	}{{"Ada Admin", account.Administrator}, {"Edna Editor", account.Editor}, {"Mo Moderator", account.Moderator},
		{"Otto Author", account.Author}, {"Cora Contributor", account.Contributor}} {
		cs.addUser(u.name, u.role)
	}
	cs.sendNotices(ms) // nothing is due yet
	cs.post(0, "Ada Reader", "reader@example.org", "Is the wall listed?", false)
	msgs := cs.sendNotices(ms)
	want := []string{"ada@example.org", "edna@example.org", "mo@example.org", "walt@example.org"}
	if diff := cmp.Diff(want, recipients(msgs)); diff != "" {
		t.Fatalf("a held comment emailed (-want +got):\n%s", diff)
	}
	m := msgs[0]
	if subj := m.Header.Get("Subject"); subj != "[The Test Courier] Comment awaiting moderation: Harbour wall to be rebuilt" {
		t.Errorf("subject %q", subj)
	}
	for _, s := range []string{"Ada Reader", "not a recognised returning commenter", "Is the wall listed?", cs.ts.URL + "/admin/comments?status=pending"} {
		if !strings.Contains(m.Body, s) {
			t.Errorf("the email lacks %q:\n%s", s, m.Body)
		}
	}
	if msgs := cs.sendNotices(ms); len(msgs) != 0 {
		t.Errorf("the held notice was sent again: %v", recipients(msgs))
	}
	// The link in the email leads a moderator to the queue.
	b := cs.signIn(cs.addUser("Max Moderator", account.Moderator))
	b.client.CheckRedirect = nil
	if body := b.mustGet("/admin/comments?status=pending", http.StatusOK); !strings.Contains(body, "Is the wall listed?") {
		t.Error("the email's link does not lead to the held comment")
	}
}

// TestNoticesDroppedWithoutMail: a site that sends no email drops what is due in its outbox (in
// one write, reading nothing of the comments), so the outbox does not grow.
func TestNoticesDroppedWithoutMail(t *testing.T) {
	t.Parallel()
	cs := newCommentSite(t)
	for i := range 3 {
		cs.post(0, "Ada Reader", fmt.Sprintf("reader%d@example.org", i), fmt.Sprintf("Held comment %d.", i), false)
	}
	if n, err := cs.st.QueuedNotices(cs.t.Context()); err != nil || n != 3 {
		t.Fatalf("QueuedNotices after three held comments = %d, %v; want 3", n, err)
	}
	if sent, err := cs.srv.SendNotices(t.Context(), nil); err != nil || sent != 0 {
		t.Fatalf("SendNotices(no mail) = %d, %v; want 0, nil", sent, err)
	}
	if n, err := cs.st.QueuedNotices(cs.t.Context()); err != nil || n != 0 {
		t.Errorf("QueuedNotices after SendNotices(no mail) = %d, %v; want 0", n, err)
	}
}

// TestReplyNotificationAfterApprovalOnly: a reader who asked to hear of replies gets nothing while
// a reply waits for moderation, one email once it is approved, with a one-click unsubscribe
// that works.
func TestReplyNotificationAfterApprovalOnly(t *testing.T) {
	t.Parallel()
	cs := newCommentSite(t)
	ms := mailtest.NewServer(t)
	mod := cs.signIn(cs.addUser("Mo Moderator", account.Moderator))
	const zoe = "zoe@example.org"
	parent := cs.post(0, "Zoë Reader", zoe, "Tell me when someone answers.", true)
	moderate(t, mod, url.Values{"action": {"approve"}, "id": {itoa64(parent)}})
	cs.sendNotices(ms)

	reply := cs.post(parent, "Bo Reader", "bo@example.org", "Here is an answer.", false)
	if c := cs.comment(reply); c.Status != comment.Pending || c.ParentID != parent {
		t.Fatalf("the reply is %s under %d, want held under %d", c.Status, c.ParentID, parent)
	}
	if got := recipients(cs.sendNotices(ms)); slices.Contains(got, zoe) || !slices.Contains(got, "mo@example.org") {
		t.Fatalf("while the reply is held, mail went to %v: the moderators only, never the reader", got)
	}
	spam := cs.post(parent, "Bot", "bot@example.org", "Cheap pills.", false)
	moderate(t, mod, url.Values{"row": {"spam:" + itoa64(spam)}})
	if got := recipients(cs.sendNotices(ms)); slices.Contains(got, zoe) {
		t.Fatalf("a reply filed as spam emailed the reader: %v", got)
	}

	wakes := cs.wakes.Load()
	moderate(t, mod, url.Values{"row": {"approve:" + itoa64(reply)}})
	if cs.wakes.Load() == wakes {
		t.Error("approving the reply did not wake the notifier")
	}
	msgs := cs.sendNotices(ms)
	if diff := cmp.Diff([]string{zoe}, recipients(msgs)); diff != "" {
		t.Fatalf("after approval (-want +got):\n%s", diff)
	}
	m := msgs[0]
	unsub := strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(unsub, cs.ts.URL+"/comments/unsubscribe?t=") || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe %q, List-Unsubscribe-Post %q", m.Header.Get("List-Unsubscribe"), m.Header.Get("List-Unsubscribe-Post"))
	}
	for _, s := range []string{"Bo Reader replied", "Here is an answer.", cs.ts.URL + cs.path + "#comment-" + itoa64(reply), unsub} {
		if !strings.Contains(m.Body, s) {
			t.Errorf("the email lacks %q:\n%s", s, m.Body)
		}
	}
	if msgs := cs.sendNotices(ms); len(msgs) != 0 {
		t.Errorf("the reply was announced again: %v", recipients(msgs))
	}

	// The link asks first (mail scanners follow links); the button unsubscribes.
	reader := cs.browser()
	path := strings.TrimPrefix(unsub, cs.ts.URL)
	body := reader.mustGet(path, http.StatusOK)
	if !strings.Contains(body, "Stop reply notifications?") || !strings.Contains(body, `action="`+strings.ReplaceAll(path, "&", "&amp;")+`"`) {
		t.Fatalf("the unsubscribe page has no button for the link:\n%.1500s", body)
	}
	if !cs.comment(parent).Notify {
		t.Fatal("following the link unsubscribed without the button")
	}
	if resp, body := reader.post(path, url.Values{"List-Unsubscribe": {"One-Click"}}); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Unsubscribed") {
		t.Fatalf("one-click unsubscribe = %d", resp.StatusCode)
	}
	if cs.comment(parent).Notify {
		t.Error("the reader is still subscribed")
	}
	another := cs.post(parent, "Cy Reader", "cy@example.org", "Another answer.", false)
	moderate(t, mod, url.Values{"row": {"approve:" + itoa64(another)}})
	if got := recipients(cs.sendNotices(ms)); slices.Contains(got, zoe) {
		t.Errorf("after unsubscribing the reader still gets mail: %v", got)
	}
}

// BenchmarkModerationQueue measures the pending queue's page, 25 of 500 held comments, with
// the navigation's badge.
func BenchmarkModerationQueue(b *testing.B) {
	cs := newCommentSite(b)
	ed := cs.signIn(cs.addUser("Edna Editor", account.Editor))
	for i := range 500 {
		c := &comment.Comment{ArticleID: cs.storyID, Status: comment.Pending, AuthorName: "Reader " + itoa(i),
			AuthorEmail: "reader" + itoa(i) + "@example.org", AuthorIP: "192.0.2.1", Content: "A held comment, number " + itoa(i) + ".",
			Reasons: []string{"not a recognised returning commenter"}, SpamScore: 0.5,
			CreatedAt: cs.clock.now().Add(time.Duration(i) * time.Second)}
		if err := cs.st.CreateComment(b.Context(), c); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		ed.mustGet("/admin/comments/", http.StatusOK)
	}
}

func TestDashboardPendingComments(t *testing.T) {
	t.Parallel()
	cs := newCommentSite(t)
	b := cs.signIn(cs.addUser("Mo Moderator", account.Moderator))
	id := cs.post(0, "Ada Reader", "ada@example.org", "A comment for the dashboard.", false)
	body := b.mustGet("/admin/", http.StatusOK)
	for _, want := range []string{"<strong>1</strong> Comments awaiting moderation", `href="/admin/comments/"`, "Awaiting moderation",
		`href="/admin/comments/` + itoa64(id) + `/">A comment for the dashboard.</a>`, "Moderate 1 comment"} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	moderate(t, b, url.Values{"row": {"approve:" + itoa64(id)}})
	body = b.mustGet("/admin/", http.StatusOK)
	if !strings.Contains(body, "1 comment approved") || !strings.Contains(body, "22 Mar: 1 story, 1 comment") {
		t.Error("the dashboard's chart does not count the approved comment")
	}
}
