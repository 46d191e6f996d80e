package main

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBrowserEmbedsLoadNothingBeforeAClick opens a story with five embeds in a real Chromium:
// before a click the page asks no provider for anything; a click on a facade puts the
// provider's frame in its place, which the page's Content-Security-Policy allows.
func TestBrowserEmbedsLoadNothingBeforeAClick(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	m, _ := startMain(t)
	a := rewriteLiveStory(t, m, func(body string) string {
		return body + "\n\nThe minister's statement:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n" +
			"https://x.com/NASA/status/1800000000000000000\n\nhttps://vimeo.com/76979871\n\n" +
			"https://open.spotify.com/episode/4uLU6hMCjMI75M1A2tKUQC\n\n" +
			"https://www.datawrapper.de/_/AbC12/\n"
	})

	var mu sync.Mutex
	var outside []string
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			if u, err := url.Parse(e.Request.URL); err == nil && u.Hostname() != "127.0.0.1" && u.Scheme != "data" {
				mu.Lock()
				outside = append(outside, e.Request.URL)
				mu.Unlock()
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "open the story", chromedp.Navigate(m.URL()+a.Path(time.UTC)))
	step(t, ctx, "watch the policy", chromedp.Evaluate[int](`window.violations = [];
		document.addEventListener("securitypolicyviolation", e => violations.push(e.violatedDirective + " " + e.blockedURI)); 1`))
	facades := step(t, ctx, "count the facades", chromedp.Evaluate[int](`document.querySelectorAll(".story-body a.embed-facade").length`))
	if facades != 5 {
		t.Fatalf("the story shows %d facades, want 5", facades)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	chromedp.Run(waitCtx, chromedp.Sleep(time.Second)) // let any late request show itself
	cancel()
	mu.Lock()
	if len(outside) > 0 {
		t.Errorf("before any click the page asked third parties for %q", outside)
	}
	mu.Unlock()

	step(t, ctx, "click the video", chromedp.Click(chromedp.CSS(".is-provider-youtube a.embed-facade")))
	src := step(t, ctx, "the frame", chromedp.Poll[string](`(document.querySelector(".is-provider-youtube iframe") || {}).src`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if !strings.HasPrefix(src, "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ") {
		t.Errorf("after the click the frame loads %q, want YouTube's privacy-enhanced player", src)
	}
	title := step(t, ctx, "the frame's title", chromedp.Evaluate[string](`document.querySelector(".is-provider-youtube iframe").title`))
	if !strings.Contains(title, "YouTube") {
		t.Errorf("the frame's title is %q, want it to name the provider", title)
	}
	violations := step(t, ctx, "policy violations", chromedp.Evaluate[[]string](`violations`))
	for _, v := range violations {
		if strings.HasPrefix(v, "frame-src") {
			t.Errorf("the page's policy refused the frame the reader asked for: %s", v)
		}
	}
}

// TestBrowserEmbedsLoadAtOnce opens a story in a real Chromium after the site chose to load
// Datawrapper's charts at once: the chart's frame asks Datawrapper without a click, allowed by
// the page's policy, while the YouTube facade beside it still asks YouTube for nothing.
func TestBrowserEmbedsLoadAtOnce(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	m, _ := startMain(t)
	a := rewriteLiveStory(t, m, func(body string) string {
		return "https://www.datawrapper.de/_/AbC12/\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n" + body
	})
	if err := m.Store.SaveSettings(t.Context(), map[string]string{"embeds.load_at_once": "Datawrapper"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Server.LoadSettings(t.Context()); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	hosts := map[string]int{}
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			if u, err := url.Parse(e.Request.URL); err == nil && u.Hostname() != "127.0.0.1" && u.Scheme != "data" {
				mu.Lock()
				hosts[u.Hostname()]++
				mu.Unlock()
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "open the story", chromedp.Navigate(m.URL()+a.Path(time.UTC)))
	src := step(t, ctx, "the chart's frame", chromedp.Evaluate[string](`(document.querySelector(".is-provider-datawrapper iframe") || {}).src`))
	if src != "https://datawrapper.dwcdn.net/AbC12/" {
		t.Fatalf("the chart's frame loads %q, want Datawrapper's chart", src)
	}
	asked := func() int {
		mu.Lock()
		defer mu.Unlock()
		return hosts["datawrapper.dwcdn.net"]
	}
	// The frame's request may follow the page's load; wait for it, without a click.
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	for asked() == 0 && waitCtx.Err() == nil {
		chromedp.Run(waitCtx, chromedp.Sleep(50*time.Millisecond))
	}
	cancel()
	mu.Lock()
	defer mu.Unlock()
	if hosts["datawrapper.dwcdn.net"] == 0 {
		t.Errorf("without a click the page did not ask Datawrapper for the chart (asked: %v)", hosts)
	}
	for h := range hosts {
		if h != "datawrapper.dwcdn.net" {
			t.Errorf("the page asked %s, whose embeds wait for a click", h)
		}
	}
}
