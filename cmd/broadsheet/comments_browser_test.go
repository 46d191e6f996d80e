package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
)

// TestBrowserComments drives "Leave a Reply" and the moderation queue in a real Chromium, with
// JavaScript and without: a first-time reader posts and sees their comment awaiting moderation;
// a moderator signs in and approves it; the reader reloads and sees it; a reply in the thread
// (inline with JavaScript, through ?replytocom= without) is held, approved, and shown nested.
func TestBrowserComments(t *testing.T) {
	t.Parallel()
	for _, js := range []bool{true, false} {
		name := "with JavaScript"
		if !js {
			name = "without JavaScript"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			commentsInBrowser(t, js)
		})
	}
}

func commentsInBrowser(t *testing.T, js bool) {
	browser := browserContext(t)
	m, clk := startMain(t)
	ctx, cancel := context.WithTimeout(browser, 5*time.Minute)
	defer cancel()
	story := liveStory(t, m, 0)
	page := m.URL() + story.Path(time.UTC)

	// The moderator works in a browser context of their own, so the reader is never signed in.
	staff, cancelStaff := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer cancelStaff()
	if err := chromedp.Do(staff); err != nil {
		t.Fatalf("open the moderator's tab: %v", err)
	}
	staff, cancelStaff = context.WithTimeout(staff, 5*time.Minute)
	defer cancelStaff()
	signInModerator(t, staff, m, clk.Now())

	reader := ctx
	if !js {
		step(t, reader, "disable JavaScript", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
	}

	// A first-time reader posts and is told that the comment awaits moderation.
	step(t, reader, "open the story", chromedp.Navigate(page))
	typeAndPost(t, reader, clk, js, "Ada Reader", "ada@example.org", "The harbour wall needs more than paint.")
	first := newestPending(t, m)
	checkHeld(t, reader, first, "The harbour wall needs more than paint.")

	// The moderator approves it in the queue; the reader reloads and sees it.
	approve(t, staff, m, first)
	step(t, reader, "reload the story", chromedp.Navigate(page))
	if got := step(t, reader, "the approved comment", chromedp.Text(chromedp.CSS("#comment-"+itoa64(first)+" .comment-content"))); got != "The harbour wall needs more than paint." {
		t.Fatalf("after approval the comment reads %q", got)
	}
	if n := step(t, reader, "held marks", chromedp.Evaluate[int](`document.querySelectorAll(".comment-awaiting-moderation").length`)); n != 0 {
		t.Errorf("the approved comment is still marked as awaiting moderation (%d marks)", n)
	}

	// A reply in the thread.
	replyLink := "#comment-" + itoa64(first) + " .comment-reply-link"
	if js {
		step(t, reader, "click Reply", chromedp.Click(chromedp.CSS(replyLink)))
		if inline := step(t, reader, "the form under the comment", chromedp.Evaluate[bool](
			`!!document.querySelector("#comment-`+itoa64(first)+` > #respond")`)); !inline {
			t.Error("with JavaScript, Reply does not move the form under the comment")
		}
		if loc := step(t, reader, "location", chromedp.Location()); loc != page {
			t.Errorf("with JavaScript, Reply went to %s", loc)
		}
	} else {
		clickAndLoad(t, reader, "follow Reply", replyLink)
		if loc := step(t, reader, "location", chromedp.Location()); !strings.Contains(loc, "?replytocom="+itoa64(first)) {
			t.Errorf("without JavaScript, Reply leads to %s", loc)
		}
	}
	if title := step(t, reader, "reply title", chromedp.Text(chromedp.ID("reply-title"))); !strings.HasPrefix(title, "Leave a Reply to Ada Reader") || !strings.Contains(title, "Cancel reply") {
		t.Errorf("the reply form's heading reads %q", title)
	}
	typeAndPost(t, reader, clk, js, "Bo Reader", "bo@example.org", "It needs new stone, and soon.")
	reply := newestPending(t, m)
	if c, err := m.Store.Comment(t.Context(), reply); err != nil || c.ParentID != first {
		t.Fatalf("the reply is stored under %v (%v), want %d", c, err, first)
	}
	checkHeld(t, reader, reply, "It needs new stone, and soon.")
	if nested := step(t, reader, "held reply nested", chromedp.Evaluate[bool](
		`!!document.querySelector("#comment-`+itoa64(first)+` ol.children #comment-`+itoa64(reply)+`")`)); !nested {
		t.Error("the held reply is not shown under the comment it answers")
	}
	approve(t, staff, m, reply)
	step(t, reader, "reload the story", chromedp.Navigate(page))
	class := step(t, reader, "the approved reply", chromedp.AttributeValue(chromedp.CSS("#comment-"+itoa64(first)+" ol.children #comment-"+itoa64(reply)), "class"))
	if !strings.Contains(class.Value, "depth-2") {
		t.Errorf("the approved reply has class %q, want it nested at depth 2", class.Value)
	}
	if js {
		returningInBrowser(t, reader, staff, m, clk, page)
	}
}

// returningInBrowser: on a site that sends no mail, a reader who ticks "Save my name…" keeps a
// returning-commenter token in the browser's storage; once a moderator approves their comment,
// their next one appears at once.
func returningInBrowser(t *testing.T, reader, staff context.Context, m *Main, clk *clock, page string) {
	t.Helper()
	step(t, reader, "reload the story", chromedp.Navigate(page))
	if n := step(t, reader, "mail options", chromedp.Evaluate[int](`document.querySelectorAll("#comment-notify, #comment-verify").length`)); n != 0 {
		t.Errorf("a site without mail offers %d mail options in the form", n)
	}
	step(t, reader, "tick Save my name", chromedp.Click(chromedp.ID("comment-cookies-consent")))
	typeAndPost(t, reader, clk, true, "Cy Reader", "cy@example.org", "First words from Cy.")
	first := newestPending(t, m)
	if kept := step(t, reader, "the kept token", chromedp.Evaluate[string](
		`(JSON.parse(localStorage.getItem("broadsheet-commenter") || "{}").returning || "")`)); kept == "" {
		t.Fatal("the browser keeps no returning-commenter token after the reader ticked Save my name")
	}
	approve(t, staff, m, first)
	step(t, reader, "reload the story", chromedp.Navigate(page))
	if name := step(t, reader, "remembered name", chromedp.Value(chromedp.ID("author"))); name != "Cy Reader" {
		t.Errorf("the form remembers the name %q", name)
	}
	step(t, reader, "type the comment", chromedp.SendKeys(chromedp.ID("comment"), "Cy again, at once."))
	clk.Add(20 * time.Second)
	step(t, reader, "post the comment", chromedp.Click(chromedp.CSS("#commentform button[type=submit]")))
	step(t, reader, "the comment in place", chromedp.Poll[bool](
		`Array.from(document.querySelectorAll(".comment-content")).some(function (c) { return c.textContent.indexOf("Cy again") >= 0; })`,
		chromedp.WithPollingTimeout(30*time.Second)))
	list, _, err := m.Store.ListComments(t.Context(), store.CommentQuery{Limit: 1})
	if err != nil || len(list) == 0 || list[0].Content != "Cy again, at once." || list[0].Status != comment.Approved {
		t.Errorf("the returning commenter's comment is stored as %+v (%v), want approved", list, err)
	}
}

// signInModerator adds a moderator with the store and signs them in: the admin sends them to
// the sign-in form and back to the queue.
func signInModerator(t *testing.T, ctx context.Context, m *Main, now time.Time) {
	t.Helper()
	mod := &account.User{Email: "mo@example.org", Name: "Mo Moderator", Role: account.Moderator, CreatedAt: now}
	signInAs(t, ctx, m, mod, "/admin/comments/")
	if loc := step(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, "/admin/comments/") {
		t.Fatalf("after signing in the moderator is at %s, want the queue", loc)
	}
}

// typeAndPost fills the comment form as a reader types and sends it, after the form's minimum fill
// time (and the flood interval) on the Main's clock. With JavaScript the page must not reload:
// the comment appears in place.
func typeAndPost(t *testing.T, ctx context.Context, clk *clock, js bool, name, email, text string) {
	t.Helper()
	step(t, ctx, "type the comment", chromedp.SendKeys(chromedp.ID("comment"), text))
	step(t, ctx, "type the name", chromedp.SendKeys(chromedp.ID("author"), name))
	step(t, ctx, "type the email", chromedp.SendKeys(chromedp.ID("email"), email))
	clk.Add(20 * time.Second)
	if !js {
		// The shared page holds no form token: the first post comes back as a confirmation,
		// with the text and a token of its own, and the reader posts again.
		clickAndLoad(t, ctx, "post the comment", "#commentform button[type=submit]")
		if msg := step(t, ctx, "the confirmation", chromedp.Text(chromedp.CSS("#commentform .form-error"))); !strings.Contains(msg, "press “Post Comment” again") {
			t.Fatalf("without JavaScript, the first post answers %q, want a confirmation", msg)
		}
		if kept := step(t, ctx, "the text kept", chromedp.Value(chromedp.ID("comment"))); kept != text {
			t.Fatalf("the confirmation holds %q, want the reader's text", kept)
		}
		clk.Add(20 * time.Second)
		clickAndLoad(t, ctx, "post the comment again", "#commentform button[type=submit]")
		return
	}
	step(t, ctx, "mark the page", chromedp.Evaluate[bool](`window.notReloaded = true`))
	step(t, ctx, "post the comment", chromedp.Click(chromedp.CSS("#commentform button[type=submit]")))
	shown := step(t, ctx, "the comment in place", chromedp.Poll[bool](
		`Array.from(document.querySelectorAll(".comment-content")).some(function (c) { return c.textContent.indexOf(`+jsString(text)+`) >= 0; })`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if !shown {
		t.Fatal("the posted comment does not appear")
	}
	if kept := step(t, ctx, "page kept", chromedp.Evaluate[bool](`window.notReloaded === true`)); !kept {
		t.Error("with JavaScript, posting reloaded the page")
	}
}

// checkHeld checks that the page shows comment id, with text, awaiting moderation.
func checkHeld(t *testing.T, ctx context.Context, id int64, text string) {
	t.Helper()
	sel := "#comment-" + itoa64(id)
	if got := step(t, ctx, "the held comment", chromedp.Text(chromedp.CSS(sel+" .comment-content"))); got != text {
		t.Errorf("the held comment reads %q, want %q", got, text)
	}
	if got := step(t, ctx, "the held mark", chromedp.Text(chromedp.CSS(sel+" .comment-awaiting-moderation"))); got != "Your comment is awaiting moderation." {
		t.Errorf("the held comment is marked %q", got)
	}
}

// newestPending returns the ID of the newest comment awaiting moderation.
func newestPending(t *testing.T, m *Main) int64 {
	t.Helper()
	list, _, err := m.Store.ListComments(t.Context(), store.CommentQuery{Status: comment.Pending, Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no comment awaits moderation (%v)", err)
	}
	return list[0].ID
}

// approve presses the comment's Approve button in the moderation queue.
func approve(t *testing.T, ctx context.Context, m *Main, id int64) {
	t.Helper()
	step(t, ctx, "open the queue", chromedp.Navigate(m.URL()+"/admin/comments/"))
	clickAndLoad(t, ctx, "approve", `button[name=row][value="approve:`+itoa64(id)+`"]`)
	if flash := step(t, ctx, "message", chromedp.Text(chromedp.CSS(".flash"))); flash != "1 comment approved." {
		t.Errorf("after approving, the queue says %q", flash)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
