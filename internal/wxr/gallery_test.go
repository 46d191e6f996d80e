package wxr

import "testing"

// TestGalleries converts [gallery] and [playlist] with the site's attachments.
func TestGalleries(t *testing.T) {
	t.Parallel()
	files := map[int64]Attachment{
		1: {URL: "https://old.example/wp-content/uploads/a.jpg", Alt: "Boats", Caption: "The harbour & its boats"},
		2: {URL: "https://old.example/wp-content/uploads/b.jpg", Alt: `Say "cheese"`},
		3: {URL: "https://old.example/wp-content/uploads/c.mp3", Title: "Interview <full>"},
	}
	c := Converter{Children: []int64{2, 1}, Attachment: func(id int64) (Attachment, bool) {
		a, ok := files[id]
		return a, ok
	}}
	a := `<figure><a href="https://old.example/wp-content/uploads/a.jpg"><img src="https://old.example/wp-content/uploads/a.jpg" alt="Boats"></a>` +
		`<figcaption>The harbour &amp; its boats</figcaption></figure>`
	b := `<figure><a href="https://old.example/wp-content/uploads/b.jpg"><img src="https://old.example/wp-content/uploads/b.jpg" alt="Say &#34;cheese&#34;"></a></figure>`
	tests := []struct{ name, in, want string }{
		{"ids and columns", `[gallery ids="1,2,99" columns="2"]`, `<figure class="wp-block-gallery gallery columns-2">` + a + b + `</figure>`},
		{"the post's own, default columns", `Before [gallery] after`, `Before <figure class="wp-block-gallery gallery columns-3">` + b + a + `</figure> after`},
		{"include, exclude, no links", `[gallery include="1,2" exclude="2" link="none" columns="40"]`,
			`<figure class="wp-block-gallery gallery columns-3"><figure><img src="https://old.example/wp-content/uploads/a.jpg" alt="Boats">` +
				`<figcaption>The harbour &amp; its boats</figcaption></figure></figure>`},
		{"nothing known stays", `[gallery ids="98,99"]`, `[gallery ids="98,99"]`},
		{"escaped", `[[gallery ids="1"]]`, `[gallery ids="1"]`},
		{"playlist", `[playlist ids="3"]`, `<ol><li><audio controls preload="none" src="https://old.example/wp-content/uploads/c.mp3"></audio>` +
			`<a href="https://old.example/wp-content/uploads/c.mp3">Interview &lt;full&gt;</a></li></ol>`},
		{"video playlist", `[playlist type="video" ids="3"]`, `<ol><li><video controls preload="none" src="https://old.example/wp-content/uploads/c.mp3"></video>` +
			`<a href="https://old.example/wp-content/uploads/c.mp3">Interview &lt;full&gt;</a></li></ol>`},
		{"inside a caption", `[caption]<img src="x.jpg" /> [gallery ids="2" link="none"][/caption]`,
			`<figure class="wp-caption"><img src="x.jpg" /><figcaption><figure class="wp-block-gallery gallery columns-3"><figure><img src="https://old.example/wp-content/uploads/b.jpg" alt="Say &#34;cheese&#34;"></figure></figure></figcaption></figure>`},
	}
	for _, tc := range tests {
		if got := c.Shortcodes(tc.in); got != tc.want {
			t.Errorf("%s: Shortcodes(%q) =\n%s\nwant\n%s", tc.name, tc.in, got, tc.want)
		}
	}
	if got := Shortcodes(`[gallery ids="1"]`); got != `[gallery ids="1"]` {
		t.Errorf("Shortcodes without attachments = %q, want the gallery as it is", got)
	}
}
