package main

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/media"
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

	violations := cspViolations(t, ctx)

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
	if v := violations(); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations: %q", v)
	}
}

// TestBrowserFocalPoint: an editor clicks a red patch right of a picture's centre on its library
// page and saves; the stored focal point is where they clicked, and the new social card, which
// the story page names, is centred on the red patch (the first one, centred, was blue there);
// the admin's crops (the library grid, the editor's featured picture, its picker) keep it in view.
func TestBrowserFocalPoint(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	m, clk := startMain(t)

	// 2400×600: the 1200:630 card is a 1920×480 rendition's middle third or so, so a point at
	// three quarters of the width can be centred.
	src := image.NewRGBA(image.Rect(0, 0, 2400, 600))
	draw.Draw(src, src.Bounds(), image.NewUniform(color.RGBA{20, 40, 200, 255}), image.Point{}, draw.Src)
	draw.Draw(src, image.Rect(1650, 150, 1950, 450), image.NewUniform(color.RGBA{230, 20, 20, 255}), image.Point{}, draw.Src)
	var jb bytes.Buffer
	jpeg.Encode(&jb, src, &jpeg.Options{Quality: 95})
	it, _, err := m.Media.Add(t.Context(), m.Store, media.Upload{Name: "quay.jpg", Data: jb.Bytes(), Alt: "The quay"})
	if err != nil {
		t.Fatal(err)
	}
	a := &article.Article{Kind: article.Story, Slug: "quay", Title: "The quay at noon", Body: "Text.", BodyHTML: "<p>Text.</p>",
		Status: article.Published, PublishedAt: clk.Now().Add(-time.Hour), ImageURL: it.URL()}
	if err := m.Store.CreateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	centre := func(path string) color.RGBA {
		t.Helper()
		resp, body := get(t, m, path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		card, err := jpeg.Decode(strings.NewReader(body))
		if err != nil {
			t.Fatalf("card %s: %v", path, err)
		}
		b := card.Bounds()
		r, g, bl, _ := card.At(b.Dx()/2, b.Dy()/2).RGBA()
		return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}
	}
	if c := centre(it.SocialURL()); c.R > 100 {
		t.Fatalf("the first card's centre is %v, want blue", c)
	}
	ogImage := func() string {
		t.Helper()
		for _, n := range find(parse(t, mustGet(t, m, a.Path(time.UTC), http.StatusOK)), byTag("meta")) {
			if attr(n, "property") == "og:image" {
				return attr(n, "content")
			}
		}
		return ""
	}
	if og := ogImage(); !strings.HasSuffix(og, it.SocialURL()) {
		t.Fatalf("og:image = %q, want the card %s", og, it.SocialURL())
	}

	violations := cspViolations(t, ctx)
	signInBrowser(t, ctx, m, clk.Now())
	step(t, ctx, "open the picture", chromedp.Navigate(m.URL()+"/admin/media/"+strconv.FormatInt(it.ID, 10)+"/"))
	// The new page's document first, so that the poll below runs in its context, not the last one's.
	step(t, ctx, "the picture's page", chromedp.WaitVisible(chromedp.CSS("#focal img")))
	step(t, ctx, "picture loaded", chromedp.Poll[bool](`(function () {
		var i = document.querySelector("#focal img");
		return i && i.complete && i.naturalWidth > 0 && document.getElementById("focal").classList.contains("is-live");
	})()`, chromedp.WithPollingTimeout(30e9)))
	box := step(t, ctx, "where the picture is", chromedp.Evaluate[[]float64](`(function () {
		var i = document.querySelector("#focal img");
		i.scrollIntoView();
		var r = i.getBoundingClientRect();
		return [r.left, r.top, r.width, r.height];
	})()`))
	step(t, ctx, "click the red patch", chromedp.MouseClickXY(box[0]+0.75*box[2], box[1]+0.5*box[3]))
	fields := step(t, ctx, "the fields", chromedp.Evaluate[[]string](`[document.getElementById("focus_x").value, document.getElementById("focus_y").value,
		document.querySelector(".focal-marker").style.left]`))
	if fields[0] == "" || fields[2] != fields[0]+"%" {
		t.Errorf("after the click the fields and marker read %q", fields)
	}
	clickAndLoad(t, ctx, "save", `form[action$="/`+strconv.FormatInt(it.ID, 10)+`/"] button[type=submit]`)
	if flash := step(t, ctx, "saved", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(flash, "aved") {
		t.Errorf("after saving the page says %.300q", flash)
	}

	got, err := m.Store.MediaItem(t.Context(), it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.FocusX-0.75) > 0.01 || math.Abs(got.FocusY-0.5) > 0.02 {
		t.Errorf("stored focal point = %.3f, %.3f; want where the click was, 0.75, 0.5", got.FocusX, got.FocusY)
	}
	if got.Social == it.Social {
		t.Fatal("the social card was not cut again")
	}
	if c := centre(got.SocialURL()); c.R < 150 || c.B > 100 {
		t.Errorf("the new card's centre is %v, want the red patch", c)
	}
	if og := ogImage(); !strings.HasSuffix(og, got.SocialURL()) {
		t.Errorf("after the change og:image = %q, want the new card %s", og, got.SocialURL())
	}
	if resp, _ := get(t, m, it.SocialURL()); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the replaced card answers %d, want 404", resp.StatusCode)
	}

	// The admin crops around the point as the listings do: the library's grid, the editor's
	// featured picture and its picker, under the same CSP.
	objectPosition := func(sel string) string {
		t.Helper()
		return step(t, ctx, "where "+sel+" is cropped", chromedp.Poll[string](`(function () {
			var i = document.querySelector(`+strconv.Quote(sel)+`);
			return i && i.complete && i.naturalWidth > 0 ? getComputedStyle(i).objectFit + " " + getComputedStyle(i).objectPosition : "";
		})()`, chromedp.WithPollingTimeout(30e9)))
	}
	step(t, ctx, "the library", chromedp.Navigate(m.URL()+"/admin/media/"))
	if got := objectPosition(".media-grid img"); got != "cover 75% 50%" {
		t.Errorf("the library grid's thumbnail is cropped %q, want cover 75%% 50%%", got)
	}
	step(t, ctx, "the story's editor", chromedp.Navigate(m.URL()+"/admin/stories/"+strconv.FormatInt(a.ID, 10)+"/"))
	if got := objectPosition(".featured-crop img"); got != "cover 75% 50%" {
		t.Errorf("the editor's featured picture is cropped %q, want cover 75%% 50%%", got)
	}
	hidden := func() bool {
		t.Helper()
		return step(t, ctx, "is the preview hidden", chromedp.Evaluate[bool](`document.querySelector(".featured-crop").hidden`))
	}
	saved := step(t, ctx, "the saved address", chromedp.Evaluate[string](`document.getElementById("image_url").value`))
	step(t, ctx, "type another address", chromedp.SendKeys(chromedp.ID("image_url"), "x"))
	if !hidden() {
		t.Error("the featured picture's preview still shows once another address is typed")
	}
	step(t, ctx, "type the address back", chromedp.Evaluate[bool](`(function () {
		var i = document.getElementById("image_url");
		i.value = `+strconv.Quote(saved)+`;
		i.dispatchEvent(new Event("input"));
		return true;
	})()`))
	if hidden() {
		t.Error("the featured picture's preview stays hidden once the saved address is back")
	}
	step(t, ctx, "visual mode", chromedp.Click(chromedp.ID("mode-visual")))
	step(t, ctx, "open the picker", chromedp.Click(chromedp.CSS(`button[data-command="Picture from the library"]`)))
	if got := objectPosition(".picker-item img"); got != "cover 75% 50%" {
		t.Errorf("the picker's thumbnail is cropped %q, want cover 75%% 50%%", got)
	}
	if v := violations(); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations: %q", v)
	}
}

// TestBrowserPickerMore: the editor's picture picker shows the library 48 at a time with a
// button for the rest, which adds them and leaves the keyboard on the first new one.
func TestBrowserPickerMore(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	m, clk := startMain(t)
	for i := range 50 {
		var jb bytes.Buffer
		jpeg.Encode(&jb, image.NewGray(image.Rect(0, 0, 40+i, 30)), nil)
		if _, _, err := m.Media.Add(t.Context(), m.Store, media.Upload{Name: "pic-" + strconv.Itoa(i) + ".jpg", Data: jb.Bytes(),
			Alt: "Picture " + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	signInBrowser(t, ctx, m, clk.Now())
	step(t, ctx, "new story", chromedp.Navigate(m.URL()+"/admin/stories/new"))
	step(t, ctx, "visual mode", chromedp.Click(chromedp.ID("mode-visual")))
	step(t, ctx, "open the picker", chromedp.Click(chromedp.CSS(`button[data-command="Picture from the library"]`)))
	count := func(want int) {
		t.Helper()
		got := step(t, ctx, "pictures listed", chromedp.Poll[int](`(function () {
			var n = document.querySelectorAll(".picker-item").length;
			return n === `+strconv.Itoa(want)+` ? n : 0;
		})()`, chromedp.WithPollingTimeout(30e9)))
		if got != want {
			t.Fatalf("the picker lists %d pictures, want %d", got, want)
		}
	}
	count(48)
	if more := step(t, ctx, "the more button", chromedp.Text(chromedp.CSS(".picker-more button"))); more != "More pictures (2 more)" {
		t.Errorf("the picker's last button says %q", more)
	}
	step(t, ctx, "more", chromedp.Click(chromedp.CSS(".picker-more button")))
	count(50)
	after := step(t, ctx, "after more", chromedp.Evaluate[string](`document.querySelectorAll(".picker-more").length + " " +
		document.activeElement.getAttribute("aria-label")`))
	if after != "0 Insert Picture 1" { // newest first: the 49th is the second uploaded
		t.Errorf("after More: %q, want no more button and the keyboard on the 49th picture, Picture 1", after)
	}
	step(t, ctx, "search", chromedp.SendKeys(chromedp.CSS(".picker input[type=search]"), "pic-4"))
	count(11) // pic-4 and pic-40 to pic-49
	if n := step(t, ctx, "no more button", chromedp.Evaluate[int](`document.querySelectorAll(".picker-more").length`)); n != 0 {
		t.Errorf("a search with 11 answers offers more")
	}
}
