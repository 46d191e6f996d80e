package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// xssCorpus is the attack suite's cross-site scripting payloads: event handlers, script and
// style elements, javascript: and data: URLs in every URL-bearing attribute, SVG and MathML,
// parser mutation tricks, attribute and context breaking, and encoded forms. Each calls alert,
// confirm or prompt if it ever runs.
var xssCorpus = []string{
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=//evil.example/x.js></SCRIPT>`,
	`<scr<script>ipt>alert(2)</scr</script>ipt>`,
	`<img src=x onerror=alert(3)>`,
	`<img src="x" onerror="alert(4)">`,
	"<img src=`x`onerror=alert(5)>",
	`<img srcset="x" onerror=alert(6)>`,
	`<svg onload=alert(7)>`,
	`<svg><script>alert(8)</script></svg>`,
	`<svg><animate onbegin=alert(9) attributeName=x dur=1s>`,
	`<svg><a xlink:href="javascript:alert(10)"><text x="20" y="20">x</text></a></svg>`,
	`<svg><style><img src=x onerror=alert(11)></style></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(12)>`,
	`<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(13)>`,
	`<math><a xlink:href="javascript:alert(14)">x</a></math>`,
	`<template><img src=x onerror=alert(15)></template>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(16)>">`,
	`<details open ontoggle=alert(17)>`,
	`<body onload=alert(18)>`,
	`<input autofocus onfocus=alert(19)>`,
	`<video><source onerror=alert(20)></video>`,
	`<audio src=x onerror=alert(21)>`,
	`<marquee onstart=alert(22)>x</marquee>`,
	`<div onmouseover=alert(23) style="position:fixed;inset:0">x</div>`,
	`<a href="javascript:alert(24)">link</a>`,
	`<a href=" javascript:alert(25)">link</a>`,
	"<a href=\"java\tscript:alert(26)\">link</a>",
	`<a href="&#106;avascript:alert(27)">link</a>`,
	`<a href="&#x6A;&#x61;vascript:alert(28)">link</a>`,
	`<a href="JaVaScRiPt:alert(29)">link</a>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgzMCk8L3NjcmlwdD4=">link</a>`,
	`<a href="vbscript:alert(31)">link</a>`,
	`[link](javascript:alert(32))`,
	`![image](javascript:alert(33))`,
	`[link](data:text/html,<script>alert(34)</script>)`,
	`<iframe src="javascript:alert(35)"></iframe>`,
	`<iframe srcdoc="<script>alert(36)</script>"></iframe>`,
	`<object data="javascript:alert(37)"></object>`,
	`<embed src="data:text/html,<script>alert(38)</script>">`,
	`<form action="javascript:alert(39)"><button>go</button></form>`,
	`<button formaction="javascript:alert(40)">go</button>`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(41)">`,
	`<base href="javascript:alert(42)//">`,
	`<link rel="stylesheet" href="javascript:alert(43)">`,
	`<style>@import 'javascript:alert(44)';</style>`,
	`<div style="background:url(javascript:alert(45))">x</div>`,
	`<table background="javascript:alert(46)"><tr><td>x</td></tr></table>`,
	`"><img src=x onerror=alert(47)>`,
	`'><img src=x onerror=alert(48)>`,
	`" onmouseover="alert(49)" x="`,
	`' autofocus onfocus='alert(50)`,
	`</title><script>alert(51)</script>`,
	`</textarea><script>alert(52)</script>`,
	`</script><script>alert(53)</script>`,
	`--><script>alert(54)</script><!--`,
	`]]><script>alert(55)</script>`,
	`{{constructor.constructor('alert(56)')()}}`,
	`\u003cscript\u003ealert(57)\u003c/script\u003e`,
	`&lt;script&gt;alert(58)&lt;/script&gt;`,
	`<x onclick=alert(59) id=x59>click</x>`,
	`<img src=x:x onerror=alert(60)//`,
}

// hooks records, in every frame of every page, any call to alert, confirm, prompt or print and
// any Content-Security-Policy violation, before the page's own scripts run.
const hooks = `(function () {
	window.__xss = [];
	for (const f of ["alert", "confirm", "prompt", "print"]) {
		window[f] = function () { window.__xss.push(f + "(" + Array.from(arguments).join(",") + ") on " + location.pathname); };
	}
	document.addEventListener("securitypolicyviolation", function (e) {
		window.__xss.push("CSP " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " " + (e.sample || "") + " on " + location.pathname);
	});
})();`

// TestAttackXSSCorpus puts every payload of the corpus into every field a stranger or a writer
// controls — a story's headline, standfirst, body and tag; a comment's text and name; a search —
// through the real program, then opens the public pages and the admin's pages that show them in
// headless Chromium. Any script run, dialog or CSP violation fails the test.
func TestAttackXSSCorpus(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	m, clk := startMain(t)
	if len(xssCorpus) < 50 {
		t.Fatalf("the corpus has %d shapes, want 50 or more", len(xssCorpus))
	}
	var mu sync.Mutex
	var found []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			mu.Lock()
			found = append(found, "dialog: "+d.Message)
			mu.Unlock()
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: hooks}); err != nil {
		t.Fatal(err)
	}

	// Stories written through the JSON API, as a writer's script would, one per payload.
	admin := &account.User{Email: "ada@example.org", Name: "Ada Admin", Role: account.Administrator, CreatedAt: clk.Now()}
	signInAs(t, ctx, m, admin, "/admin/login")
	token, hash := account.NewToken(account.APITokenPrefix)
	if err := m.Store.CreateAPIToken(t.Context(), &account.APIToken{UserID: admin.ID, Name: "xss", TokenHash: hash}); err != nil {
		t.Fatal(err)
	}
	api := func(method, path string, in any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(in)
		req, _ := http.NewRequest(method, m.URL()+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode >= 300 {
			t.Logf("%s %s = %d %v (refused, which is fine)", method, path, resp.StatusCode, out)
			return nil
		}
		return out
	}
	var stories []string
	for i, p := range xssCorpus {
		s := api("POST", "/api/v1/stories", map[string]any{"title": fmt.Sprintf("Story %d %s", i, p), "standfirst": p,
			"body": "Before.\n\n" + p + "\n\nAfter " + p, "tags": []string{fmt.Sprintf("tag%d %.80s", i, p)}})
		if s == nil {
			s = api("POST", "/api/v1/stories", map[string]any{"title": fmt.Sprintf("Story %d %s", i, p), "standfirst": p, "body": p})
		}
		if s == nil {
			t.Fatalf("story %d with payload %q refused entirely", i, p)
		}
		id := int64(s["id"].(float64))
		if pub := api("PUT", fmt.Sprintf("/api/v1/stories/%d", id), map[string]any{"version": 1, "status": "published"}); pub != nil {
			u, _ := url.Parse(pub["url"].(string))
			stories = append(stories, u.Path)
		}
	}
	// Comments posted through the real form by strangers, then approved by a moderator.
	target := liveStory(t, m, 0)
	path := target.Path(time.UTC)
	for i, p := range xssCorpus {
		form := fill(t, m, clk, path, fmt.Sprintf("R%d %.60s", i, p), fmt.Sprintf("x%d@example.org", i), "Comment "+p)
		resp, _ := post(t, m, "/comments", form)
		if resp.StatusCode != http.StatusSeeOther {
			form.Set("author", fmt.Sprintf("Reader %d", i))
			resp, _ = post(t, m, "/comments", form)
		}
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("comment with payload %q = %d, want it taken (the corpus must reach the pages)", p, resp.StatusCode)
		}
		api("PATCH", fmt.Sprintf("/api/v1/comments/%d", commentID(t, resp.Header.Get("Location"))), map[string]any{"status": "approved"})
	}
	clk.Add(time.Minute)

	pages := append([]string{"/", "/page/2/", "/page/3/", "/page/4/", "/page/5/", path, "/feed/", "/comments/feed/",
		"/admin/", "/admin/stories/", "/admin/stories/?page=2", "/admin/comments/?status=approved", "/admin/tags/", "/admin/profile/"}, stories...)
	for _, q := range xssCorpus[:10] {
		pages = append(pages, "/search?q="+url.QueryEscape(q))
	}
	list, _, err := m.Store.ListArticles(t.Context(), store.ArticleQuery{Kind: article.Story, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range list {
		if i%6 == 0 {
			pages = append(pages, fmt.Sprintf("/admin/stories/%d/", a.ID), fmt.Sprintf("/admin/stories/%d/preview", a.ID))
		}
	}
	// The control: on a real page, an injected handler is blocked by the CSP and the hooks see it.
	step(t, ctx, "open the control", chromedp.Navigate(m.URL()+"/"))
	control := step(t, ctx, "inject the control", chromedp.Evaluate[[]string](`new Promise(r => {
		document.body.insertAdjacentHTML("beforeend", "<img src=x onerror=alert(0)>");
		setTimeout(() => r(window.__xss), 500);
	})`, chromedp.EvalAwaitPromise))
	if len(control) == 0 {
		t.Fatal("the hooks did not see a handler injected on purpose: they would miss an attack too")
	}
	for _, p := range pages {
		step(t, ctx, "open "+p, chromedp.Navigate(m.URL()+p))
		hits := step(t, ctx, "read the hooks on "+p, chromedp.Evaluate[[]string](`new Promise(r => setTimeout(() => r(window.__xss || ["the hooks are missing"]), 50))`,
			chromedp.EvalAwaitPromise))
		mu.Lock()
		found = append(found, hits...)
		mu.Unlock()
	}
	mu.Lock()
	defer mu.Unlock()
	for _, f := range found {
		t.Errorf("script ran or was blocked: %s", f)
	}
	t.Logf("%d payloads in %d stories and %d fields each; %d pages opened in Chromium; %d script runs, dialogs or CSP violations",
		len(xssCorpus), len(stories), 6, len(pages), len(found))
}
