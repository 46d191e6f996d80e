package feed

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// benchFeed returns a front-page feed of 50 stories with 5 kB bodies.
func benchFeed() Feed {
	f := sampleFeed()
	f.Items = nil
	body := strings.Repeat(`<p>The minister said on Sunday that the <a href="https://example.com/r">report</a> was <em>not</em> final &amp; would change.</p>`, 40)
	for i := range 50 {
		f.Items = append(f.Items, Item{
			ID:          fmt.Sprintf("https://news.example.com/2026/03/22/story-%d/", i),
			Title:       fmt.Sprintf("Story %d: talks & trade — “quoted”", i),
			Link:        fmt.Sprintf("https://news.example.com/2026/03/22/story-%d/", i),
			Summary:     "Leaders met for talks on trade and energy, officials said.",
			ContentHTML: body,
			Authors:     []Person{{Name: "Jane Doe", URL: "https://news.example.com/authors/jane-doe/"}},
			Categories:  []string{"World", "Ukraine"},
			Published:   time.Date(2026, 3, 22, 9, i, 0, 0, time.UTC),
			ImageURL:    "https://news.example.com/media/a.jpg",
		})
	}
	return f
}

func BenchmarkWrite(b *testing.B) {
	f := benchFeed()
	for _, fm := range formats() {
		b.Run(fm.name, func(b *testing.B) {
			b.SetBytes(int64(len(render(b, fm.write, f))))
			for b.Loop() {
				if err := fm.write(io.Discard, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWriteSitemap(b *testing.B) {
	urls := make([]URL, 10000)
	for i := range urls {
		urls[i] = URL{Loc: fmt.Sprintf("https://news.example.com/2026/03/22/story-%d/", i),
			LastMod: time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)}
	}
	for b.Loop() {
		if err := WriteSitemap(io.Discard, urls); err != nil {
			b.Fatal(err)
		}
	}
}
