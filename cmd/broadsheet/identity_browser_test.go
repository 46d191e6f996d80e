package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/account"
)

// TestBrowserSiteIdentity: in Chromium, an administrator uploads an SVG logo that carries
// script and sets an accent colour through the site identity page. The logo shows in the
// header without running anything, opening the SVG by its address runs nothing either (it is
// sandboxed), and the accent colour applies through the theme's custom property with no
// Content-Security-Policy violation.
func TestBrowserSiteIdentity(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	m, clk := startMain(t)
	var mu sync.Mutex
	var dialogs []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			mu.Lock()
			dialogs = append(dialogs, d.Message)
			mu.Unlock()
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: hooks}); err != nil {
		t.Fatal(err)
	}
	svg := filepath.Join(t.TempDir(), "logo.svg")
	const evil = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="60" viewBox="0 0 240 60" onload="alert('onload')">` +
		`<script>alert('script'); document.title = 'pwned';</script>` +
		`<rect width="240" height="60" fill="#1d4e89"/><text x="12" y="38" fill="#fff" font-size="24">Courier</text></svg>`
	if err := os.WriteFile(svg, []byte(evil), 0o600); err != nil {
		t.Fatal(err)
	}
	signInAs(t, ctx, m, &account.User{Email: "ada@example.org", Name: "Ada Admin", Role: account.Administrator, CreatedAt: clk.Now()}, "/admin/identity/")
	step(t, ctx, "choose the SVG", chromedp.SetUploadFiles(chromedp.ID("logo_svg"), []string{svg}))
	step(t, ctx, "type the accent", chromedp.SendKeys(chromedp.ID("accent"), "#1d4e89"))
	clickAndLoad(t, ctx, "save", `form[action="/admin/identity/"] button[type=submit]`)
	if flash := step(t, ctx, "saved message", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "Site identity saved") {
		t.Fatalf("after saving: %q", flash)
	}

	story := liveStory(t, m, 0)
	step(t, ctx, "open a story", chromedp.Navigate(m.URL()+story.Path(time.UTC)))
	loaded := step(t, ctx, "logo drawn", chromedp.Poll[bool](`(function () { var i = document.querySelector("img.logo");
		return i && i.complete && i.naturalWidth === 240; })()`))
	if !loaded {
		t.Error("the header's SVG logo did not load")
	}
	accent := step(t, ctx, "accent", chromedp.Evaluate[string](`getComputedStyle(document.documentElement).getPropertyValue("--accent").trim()`))
	if accent != "#1d4e89" {
		t.Errorf("--accent is %q on the story page, want #1d4e89", accent)
	}
	src := step(t, ctx, "logo address", chromedp.Evaluate[string](`document.querySelector("img.logo").getAttribute("src")`))
	if got := step(t, ctx, "hooks", chromedp.Evaluate[[]string](`window.__xss`)); len(got) > 0 {
		t.Errorf("the story page with the logo and accent: %v", got)
	}

	// Opened by its address, the SVG is a sandboxed document: its script and onload never run.
	step(t, ctx, "open the SVG", chromedp.Navigate(m.URL()+src))
	if title := step(t, ctx, "title", chromedp.Title()); title == "pwned" {
		t.Error("the SVG's script ran when it was opened on its own")
	}
	if got := step(t, ctx, "hooks", chromedp.Evaluate[[]string](`window.__xss || []`)); len(got) > 0 {
		t.Errorf("the SVG opened on its own: %v", got)
	}
	// Back on a page of the site, which the SVG would have scripted had it run as one of its own.
	step(t, ctx, "front page", chromedp.Navigate(m.URL()+"/"))
	mu.Lock()
	defer mu.Unlock()
	if len(dialogs) > 0 {
		t.Errorf("the SVG logo's script opened dialogs: %v", dialogs)
	}
}
