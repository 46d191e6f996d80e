package main

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
)

// commentForm reads the comment form of a story page: its fields with their values.
func commentForm(t testing.TB, body string) url.Values {
	t.Helper()
	doc := parse(t, body)
	forms := find(doc, func(n *html.Node) bool { return n.Data == "form" && attr(n, "id") == "commentform" })
	if len(forms) != 1 {
		t.Fatalf("story page has %d comment forms, want 1", len(forms))
	}
	v := url.Values{}
	for _, in := range find(forms[0], func(n *html.Node) bool { return n.Data == "input" || n.Data == "textarea" }) {
		if attr(in, "type") == "checkbox" {
			continue
		}
		v.Set(attr(in, "name"), attr(in, "value"))
	}
	return v
}

// serverForm is the comment form of the story at link on the server at base (another process),
// with a form token from GET /comments/token, as the page's script gets one.
func serverForm(t *testing.T, base, link string) url.Values {
	t.Helper()
	form := commentForm(t, fetch(t, base+link))
	var tok struct{ Token string }
	if err := json.Unmarshal([]byte(fetch(t, base+"/comments/token?story="+form.Get("article_id"))), &tok); err != nil || tok.Token == "" {
		t.Fatalf("GET /comments/token: %v", err)
	}
	form.Set("token", tok.Token)
	return form
}

// withToken fills the form's token as the page's script does: from GET /comments/token.
func withToken(t testing.TB, m *Main, form url.Values) url.Values {
	t.Helper()
	resp, body := get(t, m, "/comments/token?story="+form.Get("article_id"))
	var tok struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &tok) != nil || tok.Token == "" {
		t.Fatalf("GET /comments/token: %d %q", resp.StatusCode, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("GET /comments/token: Cache-Control %q, want no-store", cc)
	}
	form.Set("token", tok.Token)
	return form
}

// post sends a form and returns the answer without following redirects.
func post(t testing.TB, m *Main, path string, form url.Values, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, m.URL()+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

// liveStory returns a live demo story that takes comments.
func liveStory(t testing.TB, m *Main, skip int) *article.Article {
	t.Helper()
	list, _, err := m.Store.ListArticles(t.Context(), store.ArticleQuery{LiveAt: m.Now(), Kind: article.Story})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.CommentsOpen {
			if skip == 0 {
				return a
			}
			skip--
		}
	}
	t.Fatal("no open story")
	return nil
}

// fill prepares a comment on the story at path: a fresh form, then the clock moved past the
// minimum fill time and the flood interval.
func fill(t testing.TB, m *Main, clk *clock, path, name, email, text string) url.Values {
	t.Helper()
	form := withToken(t, m, commentForm(t, mustGet(t, m, path, http.StatusOK)))
	form.Set("author", name)
	form.Set("email", email)
	form.Set("comment", text)
	clk.Add(20 * time.Second)
	return form
}

func commentID(t testing.TB, location string) int64 {
	t.Helper()
	_, frag, ok := strings.Cut(location, "#comment-")
	id, err := strconv.ParseInt(frag, 10, 64)
	if !ok || err != nil {
		t.Fatalf("redirect %q names no comment", location)
	}
	return id
}

func TestCommentFlow(t *testing.T) {
	t.Parallel()
	m, clk := startMain(t)
	a := liveStory(t, m, 0)
	path := a.Path(time.UTC)

	form := fill(t, m, clk, path, "Ada Reader", "ada@example.org", "First thoughts on the harbour vote.")
	resp, _ := post(t, m, "/comments", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "?held=") {
		t.Fatalf("first comment: %d to %q, want 303 to a held view", resp.StatusCode, resp.Header.Get("Location"))
	}
	id := commentID(t, resp.Header.Get("Location"))
	held := mustGet(t, m, resp.Header.Get("Location"), http.StatusOK)
	if !strings.Contains(held, "Your comment is awaiting moderation.") || !strings.Contains(held, "First thoughts on the harbour vote.") {
		t.Error("the author does not see their held comment")
	}
	if body := mustGet(t, m, path, http.StatusOK); strings.Contains(body, "First thoughts") {
		t.Error("a held comment is shown to everyone")
	}
	if _, err := m.Store.SetCommentStatus(t.Context(), []int64{id}, comment.Approved); err != nil {
		t.Fatal(err)
	}
	body := mustGet(t, m, path, http.StatusOK)
	if !strings.Contains(body, "First thoughts on the harbour vote.") || !strings.Contains(body, `id="comment-`+strconv.FormatInt(id, 10)+`"`) {
		t.Fatal("an approved comment is not on the story page")
	}

	// A reply, the no-JavaScript way.
	replyPage := mustGet(t, m, path+"?replytocom="+strconv.FormatInt(id, 10), http.StatusOK)
	if !strings.Contains(replyPage, "Leave a Reply to Ada Reader") || !strings.Contains(replyPage, "Cancel reply") {
		t.Error("the reply form does not name the comment replied to")
	}
	form = withToken(t, m, commentForm(t, replyPage))
	if form.Get("parent_id") != strconv.FormatInt(id, 10) {
		t.Errorf("reply form parent_id = %q", form.Get("parent_id"))
	}
	form.Set("author", "Bo Reader")
	form.Set("email", "bo@example.org")
	form.Set("comment", "A reply to Ada.")
	clk.Add(20 * time.Second)
	resp, _ = post(t, m, "/comments", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: status %d", resp.StatusCode)
	}
	replyID := commentID(t, resp.Header.Get("Location"))
	m.Store.SetCommentStatus(t.Context(), []int64{replyID}, comment.Approved)
	doc := parse(t, mustGet(t, m, path, http.StatusOK))
	nested := find(doc, func(n *html.Node) bool { return attr(n, "id") == "comment-"+strconv.FormatInt(replyID, 10) })
	if len(nested) != 1 || !strings.Contains(attr(nested[0], "class"), "depth-2") {
		t.Error("the approved reply is not nested under its parent")
	}

	// Ada confirms her address; her next comment appears at once.
	m.Store.VerifyEmail(t.Context(), "ada@example.org", m.Now())
	form = fill(t, m, clk, path, "Ada Reader", "ada@example.org", "Now I am trusted.")
	resp, _ = post(t, m, "/comments", form)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || strings.Contains(loc, "held=") {
		t.Errorf("trusted comment: %d to %q, want an approved comment", resp.StatusCode, loc)
	}
	if !strings.Contains(mustGet(t, m, path, http.StatusOK), "Now I am trusted.") {
		t.Error("a trusted commenter's comment is not shown")
	}
	if body := mustGet(t, m, "/", http.StatusOK); !strings.Contains(body, "3 comments") {
		t.Error("the front page does not show the story's comment count")
	}
	for _, feedPath := range []string{path + "feed/", path + "feed/atom/", "/comments/feed/"} {
		if body := mustGet(t, m, feedPath, http.StatusOK); !strings.Contains(body, "Now I am trusted.") {
			t.Errorf("%s lacks the approved comment", feedPath)
		}
	}

	// JSON, as the page's script posts.
	form = fill(t, m, clk, path, "Ada Reader", "ada@example.org", "Posted without a reload.")
	resp, body = post(t, m, "/comments", form, "Accept", "application/json")
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"status":"approved"`) || !strings.Contains(body, "Posted without a reload.") {
		t.Errorf("JSON post: %d %s", resp.StatusCode, body)
	}
}

func TestCommentRejections(t *testing.T) {
	t.Parallel()
	m, clk := startMain(t)
	a := liveStory(t, m, 1)
	path := a.Path(time.UTC)
	text := "My carefully written comment, which must survive every rejection."

	tests := []struct {
		name   string
		change func(url.Values)
		want   int
		msg    string
	}{
		{"missing name", func(f url.Values) { f.Set("author", "") }, 400, "Please fill the required fields."},
		{"bad email", func(f url.Values) { f.Set("email", "not-an-email") }, 400, "Please enter a valid email address."},
		{"invalid UTF-8", func(f url.Values) { f.Set("author", "Bad \xff name") }, 400, "characters we cannot read"},
		{"NUL byte", func(f url.Values) { f.Set("email", "a\x00@example.org") }, 400, "characters we cannot read"},
		{"CR/LF in name", func(f url.Values) { f.Set("author", "Eve\r\nBcc: x@example.org") }, 400, "must be on one line"},
		{"CR/LF in email", func(f url.Values) { f.Set("email", "eve@example.org\r\nBcc: x@example.org") }, 400, "must be on one line"},
		{"missing token", func(f url.Values) { f.Del("token") }, 200, "press “Post Comment” again"},
		{"forged token", func(f url.Values) { tok := f.Get("token"); f.Set("token", tok[:len(tok)-4]+"AAAA") }, 400, "expired or was already used"},
		{"forged parent", func(f url.Values) { f.Set("parent_id", "999999") }, 400, "only reply to a published comment"},
		{"script as website", func(f url.Values) { f.Set("url", "<script>alert(document.domain)</script>") }, 400, "Please enter a website address"},
	}
	for _, tt := range tests {
		form := fill(t, m, clk, path, "Eve", "eve@example.org", text)
		tt.change(form)
		resp, body := post(t, m, "/comments", form)
		if resp.StatusCode != tt.want || !strings.Contains(body, tt.msg) {
			t.Errorf("%s: status %d, want %d with %q", tt.name, resp.StatusCode, tt.want, tt.msg)
		}
		if tt.name != "invalid UTF-8" && !strings.Contains(body, html.EscapeString(text)) {
			t.Errorf("%s: the reader's text is lost", tt.name)
		}
		if u := form.Get("url"); u != "" && !strings.Contains(body, `value="`+html.EscapeString(u)+`"`) {
			t.Errorf("%s: the website typed is lost", tt.name)
		}
	}

	// Too quick: a form posted a second after it was served.
	form := withToken(t, m, commentForm(t, mustGet(t, m, path, http.StatusOK)))
	form.Set("author", "Bot")
	form.Set("email", "bot@example.org")
	form.Set("comment", text)
	if resp, _ := post(t, m, "/comments", form); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("instant post: %d, want 400", resp.StatusCode)
	}

	// A replayed token, a flood, a duplicate.
	form = fill(t, m, clk, path, "Eve", "eve@example.org", text)
	if resp, _ := post(t, m, "/comments", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good comment: %d", resp.StatusCode)
	}
	clk.Add(20 * time.Second)
	form.Set("comment", "Another thing.")
	if resp, body := post(t, m, "/comments", form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "already used") {
		t.Errorf("replayed token: %d", resp.StatusCode)
	}
	form = fill(t, m, clk, path, "Eve", "eve@example.org", "Quick follow-up.")
	post(t, m, "/comments", form)
	form = fill(t, m, clk, path, "Eve", "eve@example.org", "Too quick again.")
	clk.Add(-15 * time.Second)
	if resp, body := post(t, m, "/comments", form); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "posting comments too quickly") {
		t.Errorf("flood: %d", resp.StatusCode)
	}
	form = fill(t, m, clk, path, "Eve", "eve@example.org", text)
	if resp, body := post(t, m, "/comments", form); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Duplicate comment detected") {
		t.Errorf("duplicate: %d", resp.StatusCode)
	}

	// A banned commenter.
	m.Store.SaveBan(t.Context(), &comment.Ban{Kind: "email", Value: "Mallory@example.org", Reason: "abuse"})
	form = fill(t, m, clk, path, "Mallory", "mallory@example.org", text)
	if resp, body := post(t, m, "/comments", form); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, html.EscapeString(text)) {
		t.Errorf("banned: %d", resp.StatusCode)
	}

	// A closed story shows no form and refuses a forged post.
	form = fill(t, m, clk, path, "Eve", "eve@example.org", "Late words.")
	a.CommentsOpen = false
	if err := m.Store.UpdateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	// (The post comes first: it must not be answered from what earlier posts learnt of the story.)
	if resp, body := post(t, m, "/comments", form); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "comments are closed") {
		t.Errorf("closed story: %d", resp.StatusCode)
	}
	if body := mustGet(t, m, path, http.StatusOK); strings.Contains(body, `id="commentform"`) {
		t.Error("a closed story shows the comment form")
	}

	// A forged story and a huge post.
	form.Set("article_id", "999999")
	if resp, _ := post(t, m, "/comments", form); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("forged story: %d", resp.StatusCode)
	}
	form.Set("comment", strings.Repeat("x", 10<<20))
	if resp, body := post(t, m, "/comments", form); resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "error-page") {
		t.Errorf("10 MB post: %d", resp.StatusCode)
	}
}

// TestEmailNeverPublished posts comments with distinct addresses, approves them, then crawls
// every public page and feed of the site for the addresses and for their plain hashes.
func TestEmailNeverPublished(t *testing.T) {
	t.Parallel()
	m, clk := startMain(t)
	emails := []string{"secret.one@example.org", "Secret.Two@Example.net", "third+tag@example.com"}
	var forbidden []string
	for i, e := range emails {
		a := liveStory(t, m, i)
		form := fill(t, m, clk, a.Path(time.UTC), "Reader "+strconv.Itoa(i), e, "Comment number "+strconv.Itoa(i)+" http://example.org/x")
		form.Set("url", "https://reader"+strconv.Itoa(i)+".example.org/")
		resp, _ := post(t, m, "/comments", form)
		id := commentID(t, resp.Header.Get("Location"))
		m.Store.SetCommentStatus(t.Context(), []int64{id}, comment.Approved)
		lower := strings.ToLower(e)
		md := md5.Sum([]byte(lower))
		sh := sha256.Sum256([]byte(lower))
		forbidden = append(forbidden, lower, e, url.QueryEscape(e), hex.EncodeToString(md[:]), hex.EncodeToString(sh[:]))
	}
	seen := map[string]bool{}
	queue := []string{"/", "/feed/", "/feed/atom/", "/feed.json", "/comments/feed/", "/comments/feed/atom/", "/sitemap.xml", "/news-sitemap.xml", "/robots.txt"}
	crawled := 0
	for len(queue) > 0 && crawled < 400 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		resp, body := get(t, m, p)
		crawled++
		if resp.StatusCode >= 400 {
			t.Errorf("crawl: %s answers %d", p, resp.StatusCode)
			continue
		}
		for _, f := range forbidden {
			if strings.Contains(strings.ToLower(body), strings.ToLower(f)) {
				t.Errorf("%s publishes %q", p, f)
			}
		}
		for _, link := range links(body, m.URL()) {
			if !seen[link] {
				queue = append(queue, link)
			}
		}
	}
	if crawled < 30 {
		t.Errorf("crawled only %d pages", crawled)
	}
}

// links returns the same-site paths a page or feed links to.
func links(body, base string) []string {
	var out []string
	for _, sep := range []string{`href="`, `src="`, "<loc>", "<link>", `"url":"`, `"id":"`} {
		rest := body
		for {
			i := strings.Index(rest, sep)
			if i < 0 {
				break
			}
			rest = rest[i+len(sep):]
			end := strings.IndexAny(rest, `"<`)
			if end < 0 {
				break
			}
			u := html.UnescapeString(rest[:end])
			u = strings.TrimPrefix(u, base)
			if i := strings.IndexByte(u, '#'); i >= 0 {
				u = u[:i]
			}
			if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") && !strings.HasPrefix(u, "/search") {
				out = append(out, u)
			}
		}
	}
	return out
}

// TestSharedStoryPage: a story page is the same bytes for every reader, sent for shared caches
// with what it shows named in its surrogate keys; the form token comes from elsewhere.
func TestSharedStoryPage(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	a := liveStory(t, m, 0)
	path := a.Path(time.UTC)
	settle(t, m) // the related lists computed at start change the page once
	first, body := get(t, m, path)
	_, again := get(t, m, path)
	if body != again {
		t.Error("two readers got different bytes for the same story page")
	}
	if tok := commentForm(t, body).Get("token"); tok != "" {
		t.Errorf("the shared page carries a form token %q", tok)
	}
	h := first.Header
	if cc := h.Get("Cache-Control"); cc != "public, max-age=0, s-maxage=600, stale-while-revalidate=60, stale-if-error=86400" {
		t.Errorf("Cache-Control = %q, want the default shared-cache policy", cc)
	}
	if etag := h.Get("ETag"); !strings.HasPrefix(etag, `"`) {
		t.Errorf("ETag = %q, want a strong one", etag)
	}
	if _, err := http.ParseTime(h.Get("Last-Modified")); err != nil {
		t.Errorf("Last-Modified = %q: %v", h.Get("Last-Modified"), err)
	}
	id := strconv.FormatInt(a.ID, 10)
	keys := " " + h.Get("Surrogate-Key") + " "
	for _, k := range []string{"story-" + id, "comments-" + id, "related-" + id} {
		if !strings.Contains(keys, " "+k+" ") {
			t.Errorf("Surrogate-Key %q lacks %q", keys, k)
		}
	}
	if tags := h.Get("Cache-Tag"); tags != strings.ReplaceAll(strings.TrimSpace(keys), " ", ",") {
		t.Errorf("Cache-Tag %q, want the surrogate keys %q comma-separated", tags, keys)
	}
	if r, _ := get(t, m, path, "If-Modified-Since", h.Get("Last-Modified")); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since the page's Last-Modified = %d, want 304", r.StatusCode)
	}
	if r, _ := get(t, m, "/", "Accept-Encoding", "br"); r.Header.Get("Content-Encoding") != "br" || !strings.Contains(r.Header.Get("Surrogate-Key"), "front") {
		t.Errorf("front page for a brotli reader: Content-Encoding %q, Surrogate-Key %q", r.Header.Get("Content-Encoding"), r.Header.Get("Surrogate-Key"))
	}
	if r, _ := get(t, m, "/comments/token?story=nope"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /comments/token?story=nope = %d, want 400", r.StatusCode)
	}
}

// TestCommentWithoutScript: a reader without JavaScript posts the shared page's form, which has
// no token, and gets a confirmation with their text and a token of their own; the token keeps
// every defence: the minimum fill time, single use, expiry.
func TestCommentWithoutScript(t *testing.T) {
	t.Parallel()
	m, clk := startMain(t)
	path := liveStory(t, m, 0).Path(time.UTC)
	text := "Read on a phone with scripts off."
	form := commentForm(t, mustGet(t, m, path, http.StatusOK))
	form.Set("author", "Cy Reader")
	form.Set("email", "cy@example.org")
	form.Set("comment", text)
	confirm := func(text string) url.Values {
		t.Helper()
		form.Set("comment", text)
		resp, body := post(t, m, "/comments", form)
		f := commentForm(t, body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "press “Post Comment” again") || !strings.Contains(body, text) || f.Get("token") == "" {
			t.Fatalf("post without a token: %d, want 200 with a confirmation, the text and a token\n%.400s", resp.StatusCode, body)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("the confirmation is sent with Cache-Control %q, want no-store", cc)
		}
		f.Set("comment", text)
		return f
	}
	f := confirm(text)
	if resp, body := post(t, m, "/comments", f); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "quicker than anyone can type") || !strings.Contains(body, text) {
		t.Errorf("confirmation posted at once: %d, want 400 too fast with the text", resp.StatusCode)
	}
	clk.Add(20 * time.Second)
	if resp, _ := post(t, m, "/comments", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmation posted after the fill time: %d, want 303", resp.StatusCode)
	}
	clk.Add(20 * time.Second)
	f.Set("comment", "Once more with the same token.")
	if resp, body := post(t, m, "/comments", f); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "already used") {
		t.Errorf("a confirmation token used twice: %d, want 400", resp.StatusCode)
	}
	f = confirm("A later thought.")
	clk.Add(25 * time.Hour)
	if resp, body := post(t, m, "/comments", f); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "expired") {
		t.Errorf("a confirmation token a day old: %d, want 400 expired", resp.StatusCode)
	}
}

// TestJunkURLsDoNotFillTheCache crawls 10,000 distinct URLs that name nothing: none is cached.
func TestJunkURLsDoNotFillTheCache(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	mustGet(t, m, "/", http.StatusOK)
	before := m.Server.CacheStats()
	for i := range 10_000 {
		var p string
		switch i % 5 {
		case 0:
			p = "/no-such-page-" + strconv.Itoa(i) + "/"
		case 1:
			p = "/2026/01/02/junk-" + strconv.Itoa(i) + "/"
		case 2:
			p = "/tag/junk-" + strconv.Itoa(i) + "/"
		case 3:
			p = "/?utm_source=" + strconv.Itoa(i)
		default:
			p = "/wp-content/junk-" + strconv.Itoa(i) + ".php"
		}
		w := httptest.NewRecorder()
		m.Server.ServeHTTP(w, httptest.NewRequest(http.MethodGet, p, nil))
		if w.Code == http.StatusInternalServerError {
			t.Fatalf("GET %s = 500", p)
		}
	}
	after := m.Server.CacheStats()
	if after.Pages > before.Pages+1 || after.Bytes > after.MaxBytes {
		t.Errorf("after 10,000 junk URLs the cache holds %d pages (%d bytes), before %d pages", after.Pages, after.Bytes, before.Pages)
	}
}
