package embed_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/embed"
	"github.com/broadsheet/broadsheet/internal/sanitize"
)

// FuzzImmediate checks that whatever a body holds, the frames that Immediate puts in a
// sanitised body load only addresses SrcPattern admits, and that Stored reads any body.
func FuzzImmediate(f *testing.F) {
	for _, s := range []string{"<p>https://youtu.be/dQw4w9WgXcQ</p>",
		`<p><a class="embed-facade" data-embed="https://evil.example/" data-provider="YouTube" href="x">x</a></p>`,
		`<figure class="embed"><a class="embed-facade" data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" data-provider="YouTube" href="https://youtu.be/dQw4w9WgXcQ"><span class="embed-title">"><script>x</script></span></a></figure>`,
		"<p>https://www.datawrapper.de/_/AbC12/</p>"} {
		f.Add(s)
	}
	san := sanitize.New()
	src := regexp.MustCompile(embed.SrcPattern())
	frame := regexp.MustCompile(`<iframe class="embed-frame" src="([^"]*)" title="[^"<>]*" loading="lazy"`)
	f.Fuzz(func(t *testing.T, body string) {
		clean := san.Article(embed.HTML(body))
		out := embed.Immediate(clean, embed.Providers())
		frames := frame.FindAllStringSubmatch(out, -1)
		if n := strings.Count(out, "<iframe"); n != len(frames)+strings.Count(clean, "<iframe") {
			t.Fatalf("Immediate made %d frames, %d of them well-formed:\n%s", n, len(frames), out)
		}
		for _, m := range frames {
			if !src.MatchString(strings.ReplaceAll(m[1], "&amp;", "&")) {
				t.Errorf("a frame loads %q, which SrcPattern refuses", m[1])
			}
		}
		embed.Stored(out)
	})
}

// BenchmarkImmediate measures the page-view cost of loading a provider at once: a story of
// about 40 KB with five embeds, two of them loaded at once.
func BenchmarkImmediate(b *testing.B) {
	body := strings.Repeat("<p>The harbour strike entered its sixth week as talks resumed.</p>\n", 300)
	for _, u := range []string{"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.datawrapper.de/_/AbC12/",
		"https://vimeo.com/76979871", "https://x.com/NASA/status/1800000000000000000", "https://public.flourish.studio/visualisation/1234567/"} {
		body += "<p>" + u + "</p>\n" + strings.Repeat("<p>More words, and more.</p>\n", 50)
	}
	clean := sanitize.New().Article(embed.HTML(body))
	load := []string{"Datawrapper", "Flourish"}
	b.SetBytes(int64(len(clean)))
	for b.Loop() {
		embed.Immediate(clean, load)
	}
}
