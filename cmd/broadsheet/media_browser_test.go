package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
)

// TestBrowserPictures: an editor uploads a featured image in the story editor and publishes;
// the story page and the front page show it from the library, and a picture the body takes
// from another site over plain http: loads too, with no Content-Security-Policy violation.
func TestBrowserPictures(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	m, clk := startMain(t)

	// Another site, on another origin, serving an old picture over http:.
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 40, 30)))
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngBuf.Bytes())
	}))
	t.Cleanup(old.Close)

	photo := filepath.Join(t.TempDir(), "dockers.jpg")
	m1 := image.NewRGBA(image.Rect(0, 0, 1600, 1000))
	for i := range m1.Pix {
		m1.Pix[i] = uint8(i / 4000)
	}
	m1.Set(0, 0, color.White)
	var jb bytes.Buffer
	jpeg.Encode(&jb, m1, nil)
	os.WriteFile(photo, jb.Bytes(), 0o644)

	var mu sync.Mutex
	var violations []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok && strings.Contains(e.Entry.Text, "Content Security Policy") {
			mu.Lock()
			violations = append(violations, e.Entry.Text)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "listen to the log", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{})
		return err
	}))

	signInBrowser(t, ctx, m, clk.Now())
	const headline = "Dockers return to the harbour"
	step(t, ctx, "new story", chromedp.Navigate(m.URL()+"/admin/stories/new"))
	step(t, ctx, "type the headline", chromedp.SendKeys(chromedp.ID("title"), headline))
	step(t, ctx, "type the body", chromedp.SendKeys(chromedp.ID("body"), "The strike is over.\n\n![The old gate]("+old.URL+"/gate.png)\n"))
	step(t, ctx, "choose the picture", chromedp.SetUploadFiles(chromedp.ID("image_file"), []string{photo}))
	step(t, ctx, "describe it", chromedp.SendKeys(chromedp.ID("image_alt"), "Dockers at the gate at dawn"))
	clickAndLoad(t, ctx, "publish", `button[value=publish]`)
	if flash := step(t, ctx, "published message", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "Published") {
		body := step(t, ctx, "page", chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("after publishing: %q\n%.2000s", flash, body)
	}

	allLoaded := `Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src).join(" ")`
	step(t, ctx, "front page", chromedp.Navigate(m.URL()+"/"))
	lead := step(t, ctx, "lead picture", chromedp.Evaluate[string](`(function () {
		var i = document.querySelector(".lead img");
		return i ? i.currentSrc + " " + i.getAttribute("fetchpriority") : "";
	})()`))
	if !strings.Contains(lead, "/media/") || !strings.HasSuffix(lead, " high") {
		t.Errorf("front page lead picture = %q, want a library rendition with high priority", lead)
	}
	clickAndLoad(t, ctx, "open the story", `.lead-title a`)
	if h1 := step(t, ctx, "story headline", chromedp.Text(chromedp.CSS("h1"))); h1 != headline {
		t.Fatalf("story headline = %q", h1)
	}
	step(t, ctx, "scroll down", chromedp.Evaluate[bool](`window.scrollTo(0, document.body.scrollHeight); true`))
	if broken := step(t, ctx, "every image loaded", chromedp.Poll[string](allLoaded+` || "none"`, chromedp.WithPollingTimeout(10e9))); broken != "none" {
		t.Errorf("images that did not load: %s", broken)
	}
	featured := step(t, ctx, "featured", chromedp.Evaluate[string](`(function () {
		var i = document.querySelector(".featured img");
		return i.currentSrc + " " + i.alt + " " + i.width + " " + (i.getAttribute("loading") || "eager");
	})()`))
	if !strings.Contains(featured, "/media/") || !strings.Contains(featured, "Dockers at the gate at dawn") || !strings.HasSuffix(featured, " eager") {
		t.Errorf("featured picture = %q", featured)
	}
	if n := step(t, ctx, "old picture", chromedp.Evaluate[int](`document.querySelector(".story-body img").naturalWidth`)); n != 40 {
		t.Errorf("the body's http: picture is %d wide, want 40: blocked?", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(violations) > 0 {
		t.Errorf("Content-Security-Policy violations: %q", violations)
	}
}
