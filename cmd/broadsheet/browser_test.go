package main

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// chromium returns the path of Debian's Chromium, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("browser test skipped: Chromium is not installed (apt-get install chromium; .ci/run does this)")
	return ""
}

// browserContext starts a headless Chromium with its own profile for the test and returns a
// context whose actions run in its first tab.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // start the browser now, without a timeout
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// step runs one browser action and stops the test on error. Its time limit only catches a hung
// browser: it is generous, since a shared machine can take a minute over one click on a page
// holding megabytes of text.
func step[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// clickAndLoad clicks the element sel and waits for the page it leads to.
func clickAndLoad(t *testing.T, ctx context.Context, what string, sel string) {
	t.Helper()
	step(t, ctx, what, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
}

// TestBrowserWriteScheduleRead drives the newsroom in a real Chromium: an editor signs in,
// writes a story with the live preview and tag suggestions, saves it, previews it as a reader
// would see it, schedules it; the clock moves, and a reader finds it on the front page.
func TestBrowserWriteScheduleRead(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	m, clk := startMain(t)
	h, err := account.HashPassword("a strong password")
	if err != nil {
		t.Fatal(err)
	}
	ed := &account.User{Email: "edna@example.org", Name: "Edna Editor", Role: account.Editor, PasswordHash: h, CreatedAt: clk.Now()}
	if err := m.Store.InTx(t.Context(), func(tx store.Store) error { return web.AddStaff(t.Context(), tx, ed) }); err != nil {
		t.Fatal(err)
	}
	culture, err := m.Store.SectionBySlug(t.Context(), "culture")
	if err != nil {
		t.Fatal(err)
	}
	const headline = "Lighthouse keeper retires after forty years"

	// Sign in: the admin sends a stranger to the sign-in form and back.
	step(t, ctx, "open the admin", chromedp.Navigate(m.URL()+"/admin/stories/new"))
	step(t, ctx, "sign-in form", chromedp.WaitVisible(chromedp.ID("email")))
	step(t, ctx, "type the email", chromedp.SendKeys(chromedp.ID("email"), ed.Email))
	step(t, ctx, "type the password", chromedp.SendKeys(chromedp.ID("password"), "a strong password"))
	clickAndLoad(t, ctx, "sign in", `form[action="/admin/login"] button[type=submit]`)
	if loc := step(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, "/admin/stories/new") {
		t.Fatalf("after signing in the browser is at %s, want the new story", loc)
	}

	// Write: the live preview renders the Markdown as readers will get it.
	step(t, ctx, "type the headline", chromedp.SendKeys(chromedp.ID("title"), headline))
	step(t, ctx, "type the standfirst", chromedp.SendKeys(chromedp.ID("standfirst"), "Ada Brennan kept the Port Ellery light burning since 1986."))
	step(t, ctx, "type the body", chromedp.SendKeys(chromedp.ID("body"), "Ada Brennan climbed the **one hundred and twelve steps** for the last time on Sunday."))
	preview := step(t, ctx, "live preview", chromedp.Poll[string](
		`(document.querySelector("#preview strong") || {}).textContent`, chromedp.WithPollingTimeout(30*time.Second)))
	if preview != "one hundred and twelve steps" {
		t.Errorf("live preview shows %q in bold, want the Markdown rendered", preview)
	}
	step(t, ctx, "choose the section", chromedp.SetValue(chromedp.ID("section"), strconv.FormatInt(culture.ID, 10)))
	step(t, ctx, "type a tag", chromedp.SendKeys(chromedp.ID("tags"), "Harb"))
	step(t, ctx, "tag suggestions", chromedp.WaitVisible(chromedp.CSS(`#tag-suggestions li`)))
	step(t, ctx, "choose a suggestion", chromedp.Evaluate[bool](`(function () {
		var li = document.querySelector("#tag-suggestions li");
		li.dispatchEvent(new MouseEvent("mousedown", {bubbles: true}));
		return true;
	})()`))
	if tags := step(t, ctx, "tags", chromedp.Value(chromedp.ID("tags"))); tags != "Harbour, " {
		t.Errorf("tags after choosing a suggestion = %q, want %q", tags, "Harbour, ")
	}
	if kept := step(t, ctx, "local copy", chromedp.Poll[bool](
		`(JSON.parse(localStorage.getItem("broadsheet:draft:/admin/stories/new") || "{}").title || "").length > 0`,
		chromedp.WithPollingTimeout(30*time.Second))); !kept {
		t.Error("the editor keeps no copy of the draft in the browser")
	}

	// Save, and preview the saved draft as a reader would see it.
	clickAndLoad(t, ctx, "save the draft", `button[value=save]`)
	if flash := step(t, ctx, "saved message", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "draft") {
		t.Errorf("after saving: %q", flash)
	}
	editor := step(t, ctx, "editor address", chromedp.Location())
	clickAndLoad(t, ctx, "preview", `a[href$="/preview"]`)
	if h1 := step(t, ctx, "preview headline", chromedp.Text(chromedp.CSS("h1"))); h1 != headline {
		t.Errorf("preview headline = %q, want %q", h1, headline)
	}
	if strong := step(t, ctx, "preview body", chromedp.Text(chromedp.CSS(".story-body strong"))); strong != "one hundred and twelve steps" {
		t.Errorf("preview body shows %q in bold", strong)
	}

	// Schedule for 11:00 UTC, an hour and a half after the test clock's 09:30.
	step(t, ctx, "back to the editor", chromedp.Navigate(editor))
	step(t, ctx, "editor", chromedp.WaitVisible(chromedp.ID("date")))
	step(t, ctx, "set the date", chromedp.SetValue(chromedp.ID("date"), "2026-03-22"))
	step(t, ctx, "set the time", chromedp.SetValue(chromedp.ID("time"), "11:00"))
	step(t, ctx, "set the zone", chromedp.SetValue(chromedp.ID("zone"), "UTC"))
	clickAndLoad(t, ctx, "schedule", `button[value=schedule]`)
	if status := step(t, ctx, "status", chromedp.Text(chromedp.CSS(".page-head .status"))); !strings.EqualFold(status, "scheduled") {
		body := step(t, ctx, "page", chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("status after scheduling = %q\n%.2000s", status, body)
	}

	// Signed out, as a reader, the story shows only once its time has come.
	clickAndLoad(t, ctx, "sign out", `form[action="/admin/logout"] button`)
	reader := ctx
	step(t, reader, "front page", chromedp.Navigate(m.URL()+"/"))
	if body := step(t, reader, "front page text", chromedp.Evaluate[string](`document.querySelector("main").textContent`)); strings.Contains(body, headline) {
		t.Fatal("the story is on the front page before its time")
	}
	clk.Add(2 * time.Hour)
	if err := m.PublishDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	step(t, reader, "front page again", chromedp.Navigate(m.URL()+"/"))
	if body := step(t, reader, "front page text", chromedp.Evaluate[string](`document.querySelector("main").textContent`)); !strings.Contains(body, headline) {
		t.Fatalf("the story is not on the front page after its time:\n%.1000s", body)
	}
	clickAndLoad(t, reader, "open the story", `main a[href*="/2026/03/22/lighthouse-keeper"]`)
	if h1 := step(t, reader, "story headline", chromedp.Text(chromedp.CSS("h1"))); h1 != headline {
		t.Errorf("story page headline = %q", h1)
	}
	if byline := step(t, reader, "byline", chromedp.Text(chromedp.CSS(".story-head .byline"))); !strings.Contains(byline, "Edna Editor") {
		t.Errorf("byline = %q, want the editor's", byline)
	}
}

// signInBrowser adds an editor and signs them in in the browser.
func signInBrowser(t *testing.T, ctx context.Context, m *Main, now time.Time) {
	t.Helper()
	signInAs(t, ctx, m, &account.User{Email: "edna@example.org", Name: "Edna Editor", Role: account.Editor, CreatedAt: now}, "/admin/login")
}

// signInAs adds u, with the password "a strong password", and signs them in in the browser from
// the admin page start (a page other than the sign-in form sends them there and back).
func signInAs(t *testing.T, ctx context.Context, m *Main, u *account.User, start string) {
	t.Helper()
	h, err := account.HashPassword("a strong password")
	if err != nil {
		t.Fatal(err)
	}
	u.PasswordHash = h
	if err := m.Store.InTx(t.Context(), func(tx store.Store) error { return web.AddStaff(t.Context(), tx, u) }); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "open "+start, chromedp.Navigate(m.URL()+start))
	step(t, ctx, "sign-in form", chromedp.WaitVisible(chromedp.ID("email")))
	step(t, ctx, "type the email", chromedp.SendKeys(chromedp.ID("email"), u.Email))
	step(t, ctx, "type the password", chromedp.SendKeys(chromedp.ID("password"), "a strong password"))
	clickAndLoad(t, ctx, "sign in", `form[action="/admin/login"] button[type=submit]`)
}

// TestBrowserKeepsOversizedText: a story over the limit is not sent by the editor's script, and
// one forced through (as without the script) gets the 413 page, whose Go back link returns to
// the editor with the text still in it.
func TestBrowserKeepsOversizedText(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	m, clk := startMain(t)
	signInBrowser(t, ctx, m, clk.Now())
	step(t, ctx, "new story", chromedp.Navigate(m.URL()+"/admin/stories/new"))
	step(t, ctx, "type the headline", chromedp.SendKeys(chromedp.ID("title"), "The longest read"))
	step(t, ctx, "paste 3 MB", chromedp.Evaluate[bool](`(function () {
		var b = document.getElementById("body");
		b.value = "All work and no play. ".repeat(150000);
		b.dispatchEvent(new Event("input", {bubbles: true}));
		return true;
	})()`))
	step(t, ctx, "try to save", chromedp.Click(chromedp.CSS(`button[value=save]`)))
	msg := step(t, ctx, "size message", chromedp.Poll[string](`document.querySelector(".autosave-status").textContent`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if !strings.Contains(msg, "the limit is 2 MB. Nothing was sent") {
		t.Errorf("saving 3 MB says %q", msg)
	}
	if n := step(t, ctx, "body length", chromedp.Evaluate[int](`document.getElementById("body").value.length`)); n != 3300000 {
		t.Errorf("the body holds %d characters after the refusal, want 3300000", n)
	}
	// Without the script's check (an old copy of it, say), the browser sends the 10 MB.
	step(t, ctx, "set 10 MB", chromedp.Evaluate[bool](`(function () {
		var b = document.getElementById("body");
		b.hidden = true; // a visible 10 MB textarea takes the browser a long time to lay out
		b.value = "y".repeat(10 * 1024 * 1024);
		document.getElementById("editor").dataset.maxBytes = "";
		return true;
	})()`))
	clickAndLoad(t, ctx, "send 10 MB", `button[value=save]`)
	if h1 := step(t, ctx, "413 page", chromedp.Text(chromedp.CSS("h1"))); h1 != "Too large to save" {
		t.Fatalf("after sending 10 MB the page says %q", h1)
	}
	clickAndLoad(t, ctx, "go back", `a[data-back]`)
	n := step(t, ctx, "body after going back", chromedp.Poll[int](`document.getElementById("body") && document.getElementById("body").value.length`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if n != 10*1024*1024 {
		t.Errorf("back in the editor the body holds %d characters, want the 10 MB sent", n)
	}
}
