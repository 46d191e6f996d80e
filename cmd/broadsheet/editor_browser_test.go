package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/importer"
	"github.com/broadsheet/broadsheet/internal/store"
)

// updateGolden rewrites the pasted Markdown of testdata/editor.
var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/editor")

// editorScript returns the visual editor's bundle as the server serves it.
func editorScript(t *testing.T, m *Main) string {
	t.Helper()
	resp, err := http.Get(m.URL() + "/static/editor.js")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /static/editor.js: %d %v", resp.StatusCode, err)
	}
	return string(b)
}

// blockTag finds white space beside block-level tags, which HTML rendering ignores.
var blockTag = regexp.MustCompile(`\s*(</?(?:p|div|li|ul|ol|h[1-6]|blockquote|figure|figcaption|table|thead|tbody|tr|td|th|hr|br|section|aside|pre|dl|dt|dd)\b[^>]*>)\s*`)

// sameRendering normalises rendered HTML to what a browser shows: character references decoded
// the one way, runs of white space outside <pre> as one space, none beside block tags.
func sameRendering(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	pre := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			text := html.EscapeString(tok.Data)
			if pre == 0 {
				text = strings.Join(strings.Fields(text), " ")
				if strings.TrimSpace(tok.Data) != tok.Data && text != "" {
					// Keep that there was white space at either end.
					if strings.TrimLeft(tok.Data, " \t\n") != tok.Data {
						text = " " + text
					}
					if strings.TrimRight(tok.Data, " \t\n") != tok.Data {
						text += " "
					}
				} else if text == "" && tok.Data != "" {
					text = " "
				}
			}
			b.WriteString(text)
		case html.StartTagToken:
			if tok.Data == "pre" {
				pre++
			}
			b.WriteString(tok.String())
		case html.EndTagToken:
			if tok.Data == "pre" && pre > 0 {
				pre--
			}
			b.WriteString(tok.String())
		default:
			b.WriteString(tok.String())
		}
	}
	return strings.TrimSpace(blockTag.ReplaceAllString(b.String(), "$1"))
}

// storyBodies returns the Markdown bodies of every story and page in m's store, by slug.
func storyBodies(t *testing.T, st store.Store) map[string]string {
	t.Helper()
	list, _, err := st.ListArticles(t.Context(), store.ArticleQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, a := range list {
		out[a.Slug] = a.Body
	}
	return out
}

// importBodies imports the WordPress exports named into a fresh site and returns its bodies.
func importBodies(t *testing.T, names []string) map[string]string {
	t.Helper()
	m, _ := startMainWith(t, func(c *Config) { c.Demo = false })
	out := map[string]string{}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = importer.Import(t.Context(), m.Store, []importer.File{{Name: name, R: f}}, importer.Options{Renderer: m.Renderer, Now: m.Now})
		f.Close()
		if err != nil {
			t.Logf("%s: not imported: %v", filepath.Base(name), err)
			continue
		}
	}
	for slug, body := range storyBodies(t, m.Store) {
		out["imported/"+slug] = body
	}
	return out
}

// TestBrowserEditorRoundTrip runs the visual editor's Markdown → document → Markdown in a real
// Chromium on every demo story and on imported WordPress bodies (a fixture of ours, and the
// shared real exports when they are there), and renders both with the site's renderer: the
// HTML must be the same, up to white space a browser ignores (a line break inside a paragraph
// becomes a space). A second trip must give the same Markdown as the first.
func TestBrowserEditorRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	m, _ := startMain(t)
	bodies := storyBodies(t, m.Store)
	if len(bodies) < 10 {
		t.Fatalf("the demo newsroom has %d stories, want at least 10", len(bodies))
	}
	files := []string{filepath.Join("..", "..", "internal", "importer", "testdata", "site.xml")}
	dir := filepath.Join("..", "..", "..", "shared", "data", "wxr")
	shared, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(shared) == 0 {
		t.Logf("shared WordPress exports not found at %s: only our own fixture is imported", dir)
	}
	files = append(files, shared...)
	for k, v := range importBodies(t, files) {
		bodies[k] = v
	}
	// Our own bodies with every construct the renderer knows, written as people write them.
	own, _ := filepath.Glob(filepath.Join("testdata", "editor", "*.md"))
	for _, name := range own {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		bodies["testdata/"+filepath.Base(name)] = string(b)
	}
	if len(own) == 0 {
		t.Fatal("no Markdown fixtures in testdata/editor")
	}

	step(t, ctx, "blank page", chromedp.Navigate("about:blank"))
	step(t, ctx, "load the editor", chromedp.Evaluate[bool](editorScript(t, m)+";true"))
	keys := make([]string, 0, len(bodies))
	for k := range bodies {
		keys = append(keys, k)
	}
	type trip struct {
		Once, Twice, Err string
	}
	same, equivalent := 0, 0
	for start := 0; start < len(keys); start += 100 {
		batch := keys[start:min(start+100, len(keys))]
		in := make([]string, len(batch))
		for i, k := range batch {
			in[i] = bodies[k]
		}
		js, _ := json.Marshal(in)
		out := step(t, ctx, "round trip", chromedp.Evaluate[string](`JSON.stringify(`+string(js)+`.map(function (md) {
			try {
				var once = BroadsheetEditor.roundTrip(md);
				return {Once: once, Twice: BroadsheetEditor.roundTrip(once)};
			} catch (e) { return {Err: String(e.stack || e)}; }
		}))`))
		var trips []trip
		if err := json.Unmarshal([]byte(out), &trips); err != nil {
			t.Fatal(err)
		}
		for i, k := range batch {
			tr, md := trips[i], bodies[k]
			if tr.Err != "" {
				t.Errorf("%s: the editor cannot read it: %s", k, tr.Err)
				continue
			}
			if tr.Twice != tr.Once {
				t.Errorf("%s: a second round trip changes the Markdown again:\n%s\n---\n%s", k, tr.Once, tr.Twice)
			}
			if strings.TrimRight(tr.Once, "\n") == strings.TrimRight(md, "\n") {
				same++
				continue
			}
			want, err := m.Renderer.HTML(md)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Renderer.HTML(tr.Once)
			if err != nil {
				t.Fatal(err)
			}
			if sameRendering(got) != sameRendering(want) {
				t.Errorf("%s: the round trip changes the page.\nMarkdown before:\n%.3000s\nafter:\n%.3000s\nHTML before:\n%.3000s\nafter:\n%.3000s",
					k, md, tr.Once, sameRendering(want), sameRendering(got))
				continue
			}
			equivalent++
		}
	}
	t.Logf("%d bodies: %d came back byte for byte, %d as equivalent Markdown that renders the same", len(keys), same, equivalent)
}

// cspViolations starts collecting the Content-Security-Policy violations the browser reports
// on ctx's tab and returns a function that answers them.
func cspViolations(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok && strings.Contains(e.Entry.Text, "Content Security Policy") {
			mu.Lock()
			where := e.Entry.URL
			if e.Entry.StackTrace != nil && len(e.Entry.StackTrace.CallFrames) > 0 {
				f := e.Entry.StackTrace.CallFrames[0]
				where = fmt.Sprintf("%s:%d:%d %s", f.URL, f.LineNumber, f.ColumnNumber, f.FunctionName)
			}
			seen = append(seen, e.Entry.Text+" (at "+where+")")
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "listen to the log", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{})
		return err
	}))
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// enter presses Enter as a keyboard does, without the "\r" character chromedp would also type.
func enter() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			p := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13}
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// markdownNow writes the visual editor's document into the textarea and answers it.
const markdownNow = `(BroadsheetEditor.editor.flush(), document.getElementById("body").value)`

// pasteHTML clears the visual editor and pastes html into it as a browser's paste event
// carries it, answering the Markdown it became.
func pasteHTML(t *testing.T, ctx context.Context, html string) string {
	t.Helper()
	js, _ := json.Marshal(html)
	return step(t, ctx, "paste", chromedp.Evaluate[string](`(function (html) {
		var v = BroadsheetEditor.editor.view;
		v.dispatch(v.state.tr.delete(0, v.state.doc.content.size));
		var dt = new DataTransfer();
		dt.setData("text/html", html);
		dt.setData("text/plain", "plain text the HTML wins over");
		v.dom.focus();
		v.dom.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
		return `+markdownNow+`;
	})(`+string(js)+`)`))
}

// TestBrowserEditorVisual writes a story in the visual editor of a real Chromium under the
// site's CSP: Google Docs shortcuts, a switch to Markdown and back, pastes from Google Docs, Word
// and a web page (golden Markdown in testdata/editor), a picture dropped in and uploaded with
// its description, and one pasted without; then publishes, and the story page shows it all.
// The browser must report no Content-Security-Policy violation.
func TestBrowserEditorVisual(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	violations := cspViolations(t, ctx)
	m, clk := startMain(t)
	signInBrowser(t, ctx, m, clk.Now())
	step(t, ctx, "new story", chromedp.Navigate(m.URL()+"/admin/stories/new"))
	step(t, ctx, "visual mode", chromedp.Click(chromedp.ID("mode-visual")))
	step(t, ctx, "visual editor", chromedp.WaitVisible(chromedp.ID("visual-body")))
	if hidden := step(t, ctx, "textarea hidden", chromedp.Evaluate[bool](`document.getElementById("body").hidden`)); !hidden {
		t.Error("the Markdown box still shows in visual mode")
	}

	// Pastes: each fixture into an empty story, against its golden Markdown.
	for _, name := range []string{"paste-gdocs", "paste-word", "paste-web"} {
		src, err := os.ReadFile(filepath.Join("testdata", "editor", name+".html"))
		if err != nil {
			t.Fatal(err)
		}
		got := pasteHTML(t, ctx, string(src))
		golden := filepath.Join("testdata", "editor", name+".md")
		if *updateGolden {
			os.WriteFile(golden, []byte(got), 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("pasting %s gives:\n%s\nwant (%s):\n%s", name, got, golden, want)
		}
		for _, bad := range []string{"style", "class", "span", "mso", "docs-internal", "MsoNormal", "<!--", "Check the fare", "Advertisement", "stolen"} {
			if strings.Contains(got, bad) {
				t.Errorf("pasting %s kept %q:\n%s", name, bad, got)
			}
		}
	}
	if stolen := step(t, ctx, "pasted script", chromedp.Evaluate[bool](`!!window.stolen`)); stolen {
		t.Error("a script in pasted HTML ran")
	}

	// Type with Google Docs' shortcuts.
	step(t, ctx, "clear", chromedp.Evaluate[bool](`(function () {
		var v = BroadsheetEditor.editor.view;
		v.dispatch(v.state.tr.delete(0, v.state.doc.content.size));
		v.focus();
		return true;
	})()`))
	ctrlAlt := chromedp.KeyModifiers(kb.ModifierCtrl, kb.ModifierAlt)
	ctrl := chromedp.KeyModifiers(kb.ModifierCtrl)
	ctrlShift := chromedp.KeyModifiers(kb.ModifierCtrl, kb.ModifierShift)
	step(t, ctx, "Ctrl+Alt+1", chromedp.KeyEvent("1", ctrlAlt))
	step(t, ctx, "type a heading", chromedp.KeyEvent("Tides turn"))
	step(t, ctx, "Enter", enter())
	step(t, ctx, "type", chromedp.KeyEvent("The water is "))
	step(t, ctx, "Ctrl+B", chromedp.KeyEvent("b", ctrl))
	step(t, ctx, "type bold", chromedp.KeyEvent("high"))
	step(t, ctx, "Ctrl+B", chromedp.KeyEvent("b", ctrl))
	step(t, ctx, "type", chromedp.KeyEvent(" and "))
	step(t, ctx, "Ctrl+I", chromedp.KeyEvent("i", ctrl))
	step(t, ctx, "type italic", chromedp.KeyEvent("rising"))
	step(t, ctx, "Ctrl+I", chromedp.KeyEvent("i", ctrl))
	step(t, ctx, "type", chromedp.KeyEvent(". Tide table: "))
	step(t, ctx, "Ctrl+K", chromedp.KeyEvent("k", ctrl))
	step(t, ctx, "link dialog", chromedp.WaitVisible(chromedp.ID("editor-dlg-href")))
	step(t, ctx, "type the address", chromedp.SendKeys(chromedp.ID("editor-dlg-href"), "https://example.org/tides"))
	step(t, ctx, "apply", chromedp.Click(chromedp.CSS(`dialog.editor-dialog button[value=ok]`)))
	step(t, ctx, "back in the editor", chromedp.WaitNotPresent(chromedp.CSS("dialog.editor-dialog")))
	step(t, ctx, "Enter", enter())
	step(t, ctx, "Ctrl+Shift+8", chromedp.KeyEvent("8", ctrlShift))
	step(t, ctx, "type a list", chromedp.KeyEvent("first boat"))
	step(t, ctx, "Enter", enter())
	step(t, ctx, "type a list", chromedp.KeyEvent("second boat"))
	step(t, ctx, "Enter", enter())
	step(t, ctx, "Enter", enter())
	step(t, ctx, "type an address", chromedp.KeyEvent("https://www.youtube.com/watch?v=dQw4w9WgXcQ "))
	typed := step(t, ctx, "Markdown", chromedp.Evaluate[string](markdownNow))
	for _, want := range []string{"## Tides turn\n", "The water is **high** and *rising*. Tide table: <https://example.org/tides>\n", "- first boat\n- second boat\n"} {
		if !strings.Contains(typed, want) {
			t.Errorf("typed Markdown lacks %q:\n%s", want, typed)
		}
	}

	// To Markdown and back: nothing lost, and an edit there shows in the visual editor.
	step(t, ctx, "Markdown mode", chromedp.Click(chromedp.ID("mode-markdown")))
	if v := step(t, ctx, "textarea", chromedp.Value(chromedp.ID("body"))); v != typed {
		t.Errorf("switching to Markdown changed the text:\n%s\nwant\n%s", v, typed)
	}
	step(t, ctx, "edit the Markdown", chromedp.Evaluate[bool](`(function () {
		var b = document.getElementById("body");
		b.value = "https://vimeo.com/76979871\n\n" + b.value + "\n> Written in Markdown.\n";
		b.dispatchEvent(new Event("input", {bubbles: true}));
		return true;
	})()`))
	before := step(t, ctx, "textarea", chromedp.Value(chromedp.ID("body")))
	step(t, ctx, "visual mode again", chromedp.Click(chromedp.ID("mode-visual")))
	if q := step(t, ctx, "quote", chromedp.Text(chromedp.CSS("#visual-body blockquote"))); !strings.Contains(q, "Written in Markdown.") {
		t.Errorf("the visual editor shows the quote as %q", q)
	}
	if n := step(t, ctx, "embed lines", chromedp.Evaluate[int](`document.querySelectorAll("#visual-body p.embed-line").length`)); n != 2 {
		t.Errorf("the visual editor labels %d paragraphs as embeds, want 2", n)
	}
	step(t, ctx, "Markdown mode", chromedp.Click(chromedp.ID("mode-markdown")))
	if after := step(t, ctx, "textarea", chromedp.Value(chromedp.ID("body"))); after != before {
		t.Errorf("switching modes without an edit changed the Markdown:\n%s\nwant\n%s", after, before)
	}
	step(t, ctx, "visual mode again", chromedp.Click(chromedp.ID("mode-visual")))
	// A copy restored from the browser's storage replaces the textarea's text: the visual
	// editor reads it again and writes nothing of its own over it.
	restored := step(t, ctx, "restore a kept copy", chromedp.Evaluate[string](`(function () {
		var v = BroadsheetEditor.editor.view, b = document.getElementById("body");
		v.dispatch(v.state.tr.insertText("typed just before "));
		var kept = b.value;
		b.value = "Restored **copy**\n\n" + kept;
		b.dispatchEvent(new Event("change"));
		return document.querySelector("#visual-body strong").textContent + "|" + (`+markdownNow+` === "Restored **copy**\n\n" + kept);
	})()`))
	if restored != "copy|true" {
		t.Errorf("after restoring a kept copy: %q, want the copy in both modes", restored)
	}
	step(t, ctx, "to the end", chromedp.Evaluate[bool](`(function () {
		var v = BroadsheetEditor.editor.view;
		v.focus();
		return true;
	})()`))

	// A picture dropped in: the editor asks for its description, uploads it and shows it.
	dropFile := `(function (alt) {
		var c = document.createElement("canvas");
		c.width = 64; c.height = 48;
		var g = c.getContext("2d");
		g.fillStyle = "#336699"; g.fillRect(0, 0, 64, 48);
		var bin = atob(c.toDataURL("image/png").split(",")[1]);
		var bytes = new Uint8Array(bin.length);
		for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
		return new File([bytes], alt ? "quay.png" : "pasted.png", {type: "image/png"});
	})`
	step(t, ctx, "drop a picture", chromedp.Evaluate[bool](`(function () {
		var dt = new DataTransfer();
		dt.items.add(`+dropFile+`(true));
		var v = BroadsheetEditor.editor.view, r = v.dom.getBoundingClientRect();
		v.dom.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, clientX: r.left + 10, clientY: r.top + 10, bubbles: true, cancelable: true}));
		return true;
	})()`))
	step(t, ctx, "asked for a description", chromedp.WaitVisible(chromedp.ID("editor-dlg-alt")))
	step(t, ctx, "describe it", chromedp.SendKeys(chromedp.ID("editor-dlg-alt"), "The quay at noon"))
	step(t, ctx, "credit it", chromedp.SendKeys(chromedp.ID("editor-dlg-credit"), "Ana Lima"))
	step(t, ctx, "upload", chromedp.Click(chromedp.CSS(`dialog.editor-dialog button[value=ok]`)))
	step(t, ctx, "the picture", chromedp.WaitVisible(chromedp.CSS(`#visual-body figure.editor-figure img[alt="The quay at noon"]`)))
	// One pasted without a description: added, with a warning.
	step(t, ctx, "paste a picture", chromedp.Evaluate[bool](`(function () {
		var dt = new DataTransfer();
		dt.items.add(`+dropFile+`(false));
		var v = BroadsheetEditor.editor.view;
		v.dom.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
		return true;
	})()`))
	step(t, ctx, "asked for a description", chromedp.WaitVisible(chromedp.ID("editor-dlg-alt")))
	step(t, ctx, "upload without one", chromedp.Click(chromedp.CSS(`dialog.editor-dialog button[value=ok]`)))
	step(t, ctx, "the warning", chromedp.WaitVisible(chromedp.CSS(`#visual-body figure.editor-figure .warning`)))
	if msg := step(t, ctx, "status", chromedp.Text(chromedp.CSS(".editor-status"))); !strings.Contains(msg, "without a description") {
		t.Errorf("after a picture without a description the editor says %q", msg)
	}
	final := step(t, ctx, "Markdown", chromedp.Evaluate[string](markdownNow))
	if !regexp.MustCompile(`<figure><img src="/media/[^"]+" alt="The quay at noon" width="64" height="48"><figcaption><small>Ana Lima</small></figcaption></figure>`).MatchString(final) {
		t.Errorf("the uploaded picture is not in the Markdown:\n%s", final)
	}

	// Publish: the form posts the Markdown, and readers get it.
	step(t, ctx, "headline", chromedp.SendKeys(chromedp.ID("title"), "Tides turn at Port Ellery"))
	clickAndLoad(t, ctx, "publish", `button[value=publish]`)
	if flash := step(t, ctx, "published", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "Published") {
		t.Fatalf("after publishing: %q", flash)
	}
	if saved := step(t, ctx, "saved Markdown", chromedp.Value(chromedp.ID("body"))); strings.TrimSpace(saved) != strings.TrimSpace(final) {
		t.Errorf("the saved story is\n%s\nwant what the visual editor wrote:\n%s", saved, final)
	}
	clickAndLoad(t, ctx, "view on the site", `.page-head a[href^="/2026/"]`)
	page := step(t, ctx, "story body", chromedp.OuterHTML(chromedp.CSS(".story-body")))
	for _, want := range []string{"<h2>Tides turn</h2>", "<strong>high</strong>", `<a href="https://example.org/tides"`, "<em>rising</em>", "<li>first boat</li>",
		"Written in Markdown.", `alt="The quay at noon"`, "<small>Ana Lima</small>", `class="embed-facade"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the story page lacks %s:\n%.4000s", want, page)
		}
	}
	if v := violations(); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations: %q", v)
	}
}
