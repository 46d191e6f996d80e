package wxr

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestAutop checks Autop against outputs of WordPress's wpautop. The port
// was also compared with wpautop run by PHP 8.2 on the content of every
// shared export and on 100,000 random compositions of the markup wpautop
// treats specially: no output differed.
func TestAutop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"white space only", " \n\t\n ", ""},
		{"one line", "Hello", "<p>Hello</p>\n"},
		{"two paragraphs", "One\n\nTwo", "<p>One</p>\n<p>Two</p>\n"},
		{"many blank lines", "One\n\n\n\n  \nTwo\n", "<p>One</p>\n<p>Two</p>\n"},
		{"line break", "Line one\nLine two", "<p>Line one<br />\nLine two</p>\n"},
		{"carriage returns", "One\r\n\r\nTwo\rThree", "<p>One</p>\n<p>Two<br />\nThree</p>\n"},
		{"br pairs become paragraphs", "One<br><br />Two", "<p>One</p>\n<p>Two</p>\n"},
		{"br normalised", "One<br>\nTwo", "<p>One<br />\nTwo</p>\n"},
		{"blockquote", "<blockquote>Quote</blockquote>", "<blockquote><p>Quote</p></blockquote>\n"},
		{"blockquote with paragraphs", "Said:\n<blockquote>One\n\nTwo</blockquote>\nEnd",
			"<p>Said:</p>\n<blockquote><p>One</p>\n<p>Two</p></blockquote>\n<p>End</p>\n"},
		{"list", "Intro\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\nOutro",
			"<p>Intro</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<p>Outro</p>\n"},
		{"ordered list on one line", "<ol><li>a</li><li>b</li></ol>", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n"},
		{"heading", "<h2>Title</h2>\nText", "<h2>Title</h2>\n<p>Text</p>\n"},
		{"pre untouched", "Code:\n\n<pre>a\n\nb\n</pre>\n\nDone", "<p>Code:</p>\n<pre>a\n\nb\n</pre>\n<p>Done</p>\n"},
		{"two pre", "<pre>1\n\n2</pre>x<pre>3\n\n4</pre>", "<pre>1\n\n2</pre>\n<p>x</p>\n<pre>3\n\n4</pre>\n"},
		{"figure", `<figure><img src="a.jpg" alt=""><figcaption>Cap</figcaption></figure>`,
			"<figure><img src=\"a.jpg\" alt=\"\"><figcaption>Cap</figcaption></figure>\n"},
		{"table", "<table><tr><td>1</td></tr></table>", "<table>\n<tr>\n<td>1</td>\n</tr>\n</table>\n"},
		{"div with text", "<div>Text</div>", "<div>Text</div>\n"},
		{"hr", "One<hr />Two", "<p>One</p>\n<hr />\n<p>Two</p>\n"},
		{"inline elements wrapped", `<a href="x">link</a> and <em>more</em>`, "<p><a href=\"x\">link</a> and <em>more</em></p>\n"},
		{"newline inside a tag kept", "<a\nhref=\"x\">link</a>", "<p><a\nhref=\"x\">link</a></p>\n"},
		{"newline inside a comment kept", "Text <!-- a\nb --> more", "<p>Text <!-- a\nb --> more</p>\n"},
		{"script lines kept", "<script>\nvar a;\nvar b;\n</script>", "<p><script>\nvar a;\nvar b;\n</script></p>\n"},
		{"image on its own", `<img src="a.jpg" />`, "<p><img src=\"a.jpg\" /></p>\n"},
		{"shortcode on its own line", "Text\n\n[gallery ids=\"1,2\"]\n\nMore", "<p>Text</p>\n<p>[gallery ids=\"1,2\"]</p>\n<p>More</p>\n"},
		{"option lines collapsed", "<select>\n<option>a</option>\n<option>b</option>\n</select>",
			"<p><select><option>a</option><option>b</option></select></p>\n"},
		{"figcaption lines collapsed", "<figure>\n<img src=\"a\">\n<figcaption>\nCap\n</figcaption>\n</figure>",
			"<figure>\n<img src=\"a\"><figcaption>\nCap<br />\n</figcaption></figure>\n"},
		{"br after br kept once", "a<br />\nb", "<p>a<br />\nb</p>\n"},
		{"unicode", "Ça va ?\n\n¿Qué?", "<p>Ça va ?</p>\n<p>¿Qué?</p>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Autop(tt.in); got != tt.want {
				t.Errorf("Autop(%q) =\n%q, want\n%q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStripBlockComments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"no blocks", "<p>Plain</p>", "<p>Plain</p>"},
		{"paragraph", "<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>Two</p>\n<!-- /wp:paragraph -->",
			"<p>One</p>\n\n<p>Two</p>\n"},
		{"attributes", `<!-- wp:heading {"level":3,"className":"x"} --><h3 class="x">H</h3><!-- /wp:heading -->`, `<h3 class="x">H</h3>`},
		{"multi-line attributes", "<!-- wp:image {\"id\":5,\n\"sizeSlug\":\"large\"} -->\n<figure><img src=\"a\"/></figure>\n<!-- /wp:image -->",
			"<figure><img src=\"a\"/></figure>\n"},
		{"self-closing", `<p>a</p><!-- wp:latest-posts {"postsToShow":3} /--><p>b</p>`, "<p>a</p><p>b</p>"},
		{"self-closing without attributes", "<!-- wp:separator /-->", ""},
		{"namespaced", "<!-- wp:jetpack/slideshow {\"ids\":[1]} -->\n<div>s</div>\n<!-- /wp:jetpack/slideshow -->", "<div>s</div>\n"},
		{"nested", "<!-- wp:group -->\n<div><!-- wp:paragraph -->\n<p>x</p>\n<!-- /wp:paragraph --></div>\n<!-- /wp:group -->",
			"<div><p>x</p>\n</div>\n"},
		{"other comments kept", "<p>a</p><!--more--><!-- note --><!-- wpnl -->", "<p>a</p><!--more--><!-- note --><!-- wpnl -->"},
		{"not a block", "<!-- wp: -->x<!--wp:paragraph-->", "<!-- wp: -->x<!--wp:paragraph-->"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := StripBlockComments(tt.in); got != tt.want {
				t.Errorf("StripBlockComments(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHasBlocks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"<!-- wp:paragraph --><p>x</p><!-- /wp:paragraph -->", true},
		{"<p>x</p><!--more-->", false},
		{"Plain text\n\nwith paragraphs", false},
	}
	for _, tt := range tests {
		if got := HasBlocks(tt.in); got != tt.want {
			t.Errorf("HasBlocks(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestShortcodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"no shortcode", "Plain [text] here", "Plain [text] here"},
		{"caption", `[caption id="attachment_5" align="alignright" width="300"]<img src="a.jpg" alt="A" width="300" /> The harbour at dawn[/caption]`,
			`<figure class="wp-caption alignright"><img src="a.jpg" alt="A" width="300" /><figcaption>The harbour at dawn</figcaption></figure>`},
		{"caption with link", `Before [caption width="150"]<a href="big.jpg"><img src="a.jpg" /></a> Linked <em>photo</em>[/caption] after`,
			`Before <figure class="wp-caption"><a href="big.jpg"><img src="a.jpg" /></a><figcaption>Linked <em>photo</em></figcaption></figure> after`},
		{"caption attribute", `[caption align="aligncenter" caption="From the attribute"]<img src="a.jpg" />[/caption]`,
			`<figure class="wp-caption aligncenter"><img src="a.jpg" /><figcaption>From the attribute</figcaption></figure>`},
		{"caption without text", `[caption width="300"]<img src="a.jpg" />[/caption]`, `<img src="a.jpg" />`},
		{"old wp_caption", `[wp_caption]<img src="a.jpg" /> Old[/wp_caption]`,
			`<figure class="wp-caption"><img src="a.jpg" /><figcaption>Old</figcaption></figure>`},
		{"two captions", `[caption]<img src="1" /> One[/caption][caption]<img src="2" /> Two[/caption]`,
			`<figure class="wp-caption"><img src="1" /><figcaption>One</figcaption></figure><figure class="wp-caption"><img src="2" /><figcaption>Two</figcaption></figure>`},
		{"embed", "[embed]https://www.youtube.com/watch?v=abc&t=1[/embed]",
			`<a href="https://www.youtube.com/watch?v=abc&amp;t=1">https://www.youtube.com/watch?v=abc&amp;t=1</a>`},
		{"embed with attributes and spaces", `[embed width="640"] http://example.com/v [/embed]`, `<a href="http://example.com/v">http://example.com/v</a>`},
		{"embed src", `[embed src="https://example.com/a" /]`, `<a href="https://example.com/a">https://example.com/a</a>`},
		{"embed of no URL kept", "[embed]javascript:alert(1)[/embed]", "[embed]javascript:alert(1)[/embed]"},
		{"unknown shortcodes kept", `[gallery ids="1,2,3"] and [contact-form-7 id="5"]`, `[gallery ids="1,2,3"] and [contact-form-7 id="5"]`},
		{"audio", `[audio mp3="https://e.x/a.mp3"][/audio]`,
			`<audio controls preload="none" src="https://e.x/a.mp3"><a href="https://e.x/a.mp3">https://e.x/a.mp3</a></audio>`},
		{"audio of no address kept", `[audio mp3="a.mp3"][/audio]`, `[audio mp3="a.mp3"][/audio]`},
		{"video", `[video width="640" height="360" mp4="/wp-content/uploads/v.mp4" poster="/p.jpg" autoplay="on"][/video]`,
			`<video controls preload="none" src="/wp-content/uploads/v.mp4" poster="/p.jpg" width="640" height="360"><a href="/wp-content/uploads/v.mp4">/wp-content/uploads/v.mp4</a></video>`},
		{"language shortcode keeps indentation", "[csharp]\npublic class A<T>\n{\n    [DataMember] int X;\n}\n[/csharp]",
			"<pre><code class=\"language-csharp\">public class A&lt;T&gt;\n{\n    [DataMember] int X;\n}</code></pre>"},
		{"visual editor code is decoded once", "[javascript]if (a &amp;&amp; b &lt; 2) {}[/javascript]",
			`<pre><code class="language-javascript">if (a &amp;&amp; b &lt; 2) {}</code></pre>`},
		{"sourcecode language", `[sourcecode language="python"]print(1)[/sourcecode]`, `<pre><code class="language-python">print(1)</code></pre>`},
		{"code of unknown language", `[code lang="brainfuck"]+[/code]`, `<pre><code class="language-text">+</code></pre>`},
		{"language name in prose", "Plain [text] and [php] here", "Plain [text] and [php] here"},
		{"brush pre", `<pre class="brush: csharp; gutter: false">var x = a &lt; b;</pre>`,
			`<pre><code class="language-csharp">var x = a &lt; b;</code></pre>`},
		{"jetpack youtube", "[youtube=https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;w=640]",
			`<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;w=640">https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;w=640</a>`},
		{"youtube id", "[youtube dQw4w9WgXcQ]", `<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">https://www.youtube.com/watch?v=dQw4w9WgXcQ</a>`},
		{"object player", `<object width="425" height="344"><param name="movie" value="http://www.youtube.com/v/dQw4w9WgXcQ&hl=en"></param><embed src="http://www.youtube.com/v/dQw4w9WgXcQ&hl=en" type="application/x-shockwave-flash"></embed></object>`,
			`<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">https://www.youtube.com/watch?v=dQw4w9WgXcQ</a>`},
		{"vimeo moogaloop", `<object><param name="movie" value="http://vimeo.com/moogaloop.swf?clip_id=1234567&amp;server=vimeo.com" /></object>`,
			`<a href="https://vimeo.com/1234567">https://vimeo.com/1234567</a>`},
		{"iframe player", `<p><iframe src="//www.youtube-nocookie.com/embed/dQw4w9WgXcQ?rel=0" width="560"></iframe></p>`,
			`<p><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></p>`},
		{"unknown player becomes a link", `<embed src="https://media.example.org/player.swf?f=1" />`,
			`<a href="https://media.example.org/player.swf?f=1">https://media.example.org/player.swf?f=1</a>`},
		{"player of no address leaves a note", `<object><param name="x" value="y"/></object>`, `<p>[embedded media]</p>`},
		{"escaped shortcode", "[[caption]<img /> x[/caption]]", "[caption]<img /> x[/caption]"},
		{"escaped embed", "[[embed]]", "[embed]"},
		{"longer name is another shortcode", "[captions]x[/captions] [embed-pdf]y[/embed-pdf]", "[captions]x[/captions] [embed-pdf]y[/embed-pdf]"},
		{"unclosed", "[caption width=\"1\"<img />", "[caption width=\"1\"<img />"},
		{"opening tag alone", "[embed] text", "[embed] text"},
		{"caption around an embed", `[caption]<img src="a" /> See [embed]https://e.x/v[/embed][/caption]`,
			`<figure class="wp-caption"><img src="a" /><figcaption>See <a href="https://e.x/v">https://e.x/v</a></figcaption></figure>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Shortcodes(tt.in); got != tt.want {
				t.Errorf("Shortcodes(%q) =\n%q, want\n%q", tt.in, got, tt.want)
			}
		})
	}
}

// TestContentShared runs the helpers over the content of the shared
// exports: block markup disappears, captions become figures.
func TestContentShared(t *testing.T) {
	t.Parallel()
	dir := sharedDir(t)
	for _, name := range []string{"wptt-64-block-test-data.xml", "wptt-themeunittestdata.wordpress.xml",
		"cclabs-blog-2007-2014.wordpress.xml", "mythz-blog-servicestack.wordpress.xml", "wpimporter-a11y-unit-test-data.xml"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			recs, err := readAll(NewReader(f))
			if err != nil {
				t.Fatal(err)
			}
			blocks, captions, figures, before, players := 0, 0, 0, 0, 0
			for _, rec := range recs {
				it, ok := rec.(*Item)
				if !ok {
					continue
				}
				html := Shortcodes(it.Content)
				captions += strings.Count(it.Content, "[/caption]")
				figures += strings.Count(html, `<figure class="wp-caption`)
				if HasBlocks(html) {
					blocks++
					html = StripBlockComments(html)
				} else {
					html = Autop(html)
				}
				if strings.Contains(html, "<!-- wp:") || strings.Contains(html, "<!-- /wp:") {
					t.Errorf("post %d: block delimiters left after StripBlockComments", it.PostID)
				}
				if strings.Contains(html, "[caption") && !strings.Contains(it.Content, "[[caption") {
					t.Errorf("post %d: [caption] left after Shortcodes", it.PostID)
				}
				before += len(convertedShortcodes(it.Content))
				if left := convertedShortcodes(html); len(left) > 0 {
					t.Errorf("post %d: shortcodes left after Shortcodes: %q", it.PostID, left)
				}
				players += len(rePlayer.FindAllString(it.Content, -1))
				if rePlayer.MatchString(html) {
					t.Errorf("post %d: a player left after Shortcodes", it.PostID)
				}
			}
			t.Logf("%s: %d posts with blocks, %d captions, %d figures, %d converted shortcodes and %d players before, none after",
				name, blocks, captions, figures, before, players)
			if captions > 0 && figures == 0 {
				t.Errorf("%d captions but no figure", captions)
			}
		})
	}
}

// reShortcodeTag finds the opening tags of shortcodes, and of escaped ones.
var reShortcodeTag = regexp.MustCompile(`\[\[?([a-z_][a-z0-9_-]*)[\s=\]]`)

// convertedShortcodes lists the opening tags in s of the shortcodes Shortcodes converts, leaving
// out escaped ones ([[code]]) and language names that stand alone in prose ("[text]").
func convertedShortcodes(s string) []string {
	var found []string
	for _, m := range reShortcodeTag.FindAllStringSubmatchIndex(s, -1) {
		tag, name := s[m[0]:m[1]], s[m[2]:m[3]]
		if strings.HasPrefix(tag, "[[") || !knownShortcode(name) {
			continue
		}
		if isCodeShortcode(name) && !strings.Contains(s[m[1]:], "[/"+name+"]") {
			continue
		}
		found = append(found, tag)
	}
	return found
}
