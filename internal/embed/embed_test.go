package embed

import (
	"regexp"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, provider, src string
	}{
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://youtu.be/dQw4w9WgXcQ?t=1m30s", "YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90"},
		{"https://m.youtube.com/shorts/dQw4w9WgXcQ", "YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"http://youtube.com/embed/dQw4w9WgXcQ", "YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://vimeo.com/76979871", "Vimeo", "https://player.vimeo.com/video/76979871?dnt=1"},
		{"https://vimeo.com/channels/staffpicks/76979871", "Vimeo", "https://player.vimeo.com/video/76979871?dnt=1"},
		{"https://twitter.com/jack/status/20", "X", "https://platform.twitter.com/embed/Tweet.html?dnt=true&id=20"},
		{"https://x.com/NASA/status/1800000000000000000?s=20", "X", "https://platform.twitter.com/embed/Tweet.html?dnt=true&id=1800000000000000000"},
		{"https://www.instagram.com/p/CxYz123AbC/", "Instagram", "https://www.instagram.com/p/CxYz123AbC/embed/"},
		{"https://www.instagram.com/reel/CxYz123AbC", "Instagram", "https://www.instagram.com/reel/CxYz123AbC/embed/"},
		{"https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3kqx5l7c2ys2c", "Bluesky",
			"https://embed.bsky.app/embed/did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3kqx5l7c2ys2c"},
		{"https://mastodon.social/@Gargron/109393442958543017", "Mastodon", "https://mastodon.social/@Gargron/109393442958543017/embed"},
		{"https://www.tiktok.com/@scout2015/video/6718335390845095173", "TikTok", "https://www.tiktok.com/embed/v2/6718335390845095173"},
		{"https://www.facebook.com/20531316728/posts/10154009990506729/", "Facebook",
			"https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2F20531316728%2Fposts%2F10154009990506729%2F"},
		{"https://www.facebook.com/facebook/videos/10153231379946729/", "Facebook",
			"https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Ffacebook%2Fvideos%2F10153231379946729%2F"},
		{"https://soundcloud.com/forss/flickermood", "SoundCloud", "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fforss%2Fflickermood"},
		{"https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=x", "Spotify", "https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC"},
		{"https://podcasts.apple.com/us/podcast/the-daily/id1200361736?i=1000600000000", "Apple Podcasts",
			"https://embed.podcasts.apple.com/us/podcast/the-daily/id1200361736?i=1000600000000"},
		{"https://datawrapper.dwcdn.net/AbC12/3/", "Datawrapper", "https://datawrapper.dwcdn.net/AbC12/"},
		{"https://www.datawrapper.de/_/AbC12/", "Datawrapper", "https://datawrapper.dwcdn.net/AbC12/"},
		{"https://public.flourish.studio/visualisation/1234567/", "Flourish", "https://flo.uriit.ch/visualisation/1234567/embed"},
		{"https://www.documentcloud.org/documents/20059068-the-mueller-report", "DocumentCloud",
			"https://embed.documentcloud.org/documents/20059068-the-mueller-report/"},
		{"https://www.google.com/maps/place/Eiffel+Tower/@48.8,2.29,17z", "Google Maps", "https://maps.google.com/maps?output=embed&q=Eiffel+Tower"},
		{"https://www.google.com/maps/embed?pb=!1m18!1m12", "Google Maps", "https://www.google.com/maps/embed?pb=!1m18!1m12"},
	}
	src := regexp.MustCompile(SrcPattern())
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			e, ok := Lookup(tt.url)
			if !ok || e.Provider != tt.provider || e.Src != tt.src {
				t.Fatalf("Lookup(%q) = %+v, %v, want provider %q and src %q", tt.url, e, ok, tt.provider, tt.src)
			}
			if !src.MatchString(e.Src) {
				t.Errorf("SrcPattern does not match %q", e.Src)
			}
		})
	}
}

func TestLookupRefuses(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"https://example.com/video", "javascript:alert(1)", "https://www.youtube.com/", "https://www.youtube.com/watch?v=<x>",
		"https://user:pw@youtube.com/watch?v=dQw4w9WgXcQ", "ftp://youtu.be/dQw4w9WgXcQ", "https://twitter.com/jack",
		"https://vimeo.com/about", "https://www.google.com/search?q=maps", "https://evil.example/@a/123456789/../../x",
		"https://www.facebook.com/", "https://soundcloud.com/", "https://example.com/@user/12", strings.Repeat("https://x.y/", 300),
	} {
		if e, ok := Lookup(u); ok {
			t.Errorf("Lookup(%q) = %+v, want no embed", u, e)
		}
	}
}

func TestHTML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		embed    bool
	}{
		{"autolink alone", `<p><a href="https://youtu.be/dQw4w9WgXcQ">https://youtu.be/dQw4w9WgXcQ</a></p>`, true},
		{"bare address alone", "<p>https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=5</p>", true},
		{"link with words", `<p><a href="https://youtu.be/dQw4w9WgXcQ">Watch this</a></p>`, false},
		{"address inside a sentence", `<p>See <a href="https://youtu.be/dQw4w9WgXcQ">https://youtu.be/dQw4w9WgXcQ</a> now</p>`, false},
		{"unknown provider", `<p><a href="https://example.com/v">https://example.com/v</a></p>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := HTML(tt.in)
			if has := strings.Contains(got, `class="embed-facade"`); has != tt.embed {
				t.Errorf("HTML(%q) = %q, want an embed: %v", tt.in, got, tt.embed)
			}
		})
	}
	got := HTML("<p>https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=5</p>")
	for _, want := range []string{`href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=5"`,
		`data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=5"`, `data-provider="YouTube"`, "Video on YouTube"} {
		if !strings.Contains(got, want) {
			t.Errorf("facade %q lacks %q", got, want)
		}
	}
}

// FuzzLookup checks that every frame address Lookup gives is one the sanitiser admits.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"https://youtu.be/dQw4w9WgXcQ", "https://x.com/a/status/1", "https://m.example/@a/1234567",
		"https://www.google.com/maps?q=a%20b", "https://podcasts.apple.com/us/podcast/x/id1"} {
		f.Add(s)
	}
	src := regexp.MustCompile(SrcPattern())
	f.Fuzz(func(t *testing.T, u string) {
		if e, ok := Lookup(u); ok && !src.MatchString(e.Src) {
			t.Errorf("Lookup(%q).Src = %q, which SrcPattern refuses", u, e.Src)
		}
	})
}

func TestFrames(t *testing.T) {
	t.Parallel()
	body := HTML("<p>https://youtu.be/dQw4w9WgXcQ</p><p>https://vimeo.com/1</p><p>https://www.youtube.com/watch?v=aaaaaaaaaaa</p>")
	got := strings.Join(Frames(body), " ")
	if want := "https://player.vimeo.com https://www.youtube-nocookie.com"; got != want {
		t.Errorf("Frames = %q, want %q", got, want)
	}
	if f := Frames("<p>no embeds</p>"); f != nil {
		t.Errorf("Frames of a plain body = %q", f)
	}
}

func TestImmediate(t *testing.T) {
	t.Parallel()
	yt, _ := Lookup("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
	dw, _ := Lookup("https://www.datawrapper.de/_/AbC12/")
	// As the sanitiser writes it: attributes in name order.
	sanitised := func(e Embed, card *Card) string {
		f := Facade(e, card)
		return strings.Replace(f, `href="`+e.URL+`" data-embed="`+e.Src+`" data-provider="`+e.Provider+`"`,
			`data-embed="`+e.Src+`" data-provider="`+e.Provider+`" href="`+e.URL+`"`, 1)
	}
	body := sanitised(yt, nil) + sanitised(dw, &Card{Title: "Rents &amp; wages"})
	got := Immediate(body, []string{"Datawrapper"})
	if !strings.Contains(got, `<a class="embed-facade" data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"`) {
		t.Errorf("the YouTube facade was replaced:\n%s", got)
	}
	want := `<iframe class="embed-frame" src="https://datawrapper.dwcdn.net/AbC12/" title="Datawrapper: Rents &amp;amp; wages" loading="lazy"`
	if !strings.Contains(got, want) || strings.Count(got, "<iframe") != 1 {
		t.Errorf("Immediate = %s\nwant the Datawrapper frame %s", got, want)
	}
	if Immediate(body, nil) != body {
		t.Error("with no provider chosen the body changed")
	}
}
