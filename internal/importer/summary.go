package importer

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
)

// The kinds of thing a Summary counts.
const (
	KindStory     = "stories"
	KindPage      = "pages"
	KindComment   = "comments"
	KindPingback  = "pingbacks"
	KindTrackback = "trackbacks"
	KindAuthor    = "bylines"
	KindSection   = "sections"
	KindTag       = "tags"
	KindUser      = "staff accounts"
)

// kinds is the order in which a summary lists its counts.
func kinds() []string {
	return []string{KindStory, KindPage, KindComment, KindPingback, KindTrackback, KindAuthor, KindSection, KindTag, KindUser}
}

// maxExamples is how many examples a Skip keeps.
const maxExamples = 3

// Summary is what the import of one file did.
type Summary struct {
	File   string
	Format Format
	// Source is the site, forum or feed the file came from, as its import keys name it.
	Source string
	// Site is the old site's address where its files are (a WordPress export's WordPress
	// address), from which its pictures can be fetched; "" when the file does not say.
	Site string `json:",omitempty"`
	// Created and Updated count records by kind (KindStory, KindComment, …). Updated counts
	// records an earlier import of the same source created.
	Created, Updated map[string]int
	// Redirects counts the old URLs kept.
	Redirects int
	// Skipped lists the records left out, grouped by reason.
	Skipped []Skip
	// Renamed lists the articles whose slug another article held, so that they were imported
	// under another (slug-2); their old addresses lead to the article that was there first.
	Renamed []Skip
	// Held lists the records imported but held back for a person to look at (a feed item
	// without a readable date, as a draft; a password-protected post, unpublished), by reason.
	Held []Skip
	// Merged counts the Disqus comments met under two threads of one story (its old and new
	// address), attached once.
	Merged int
	// Unmatched lists the Disqus threads no story was found for; their comments are skipped.
	Unmatched []Thread
	// Shortcodes counts the WordPress shortcodes the importer does not turn into HTML, by name:
	// their text ([gallery ids="1,2"]) shows in the stories until an editor replaces it.
	Shortcodes map[string]int
	// ShortcodeStories are the stories that hold them, in the file's order, for an editor to fix.
	ShortcodeStories []ShortcodeStory
	// Warnings are what a person should check before the old site goes away.
	Warnings []string
	// Attachments are the WordPress attachment pages of the file, whose pictures ImportMedia
	// moves in.
	Attachments []Attachment `json:"-"`
	// Bytes is the size of the file read, Duration the time it took.
	Bytes    int64
	Duration time.Duration
}

// Attachment is a WordPress attachment's page: its old URLs and the picture it showed.
type Attachment struct {
	// From are the page's old URL paths (its plain links, permalink and REST address).
	From []string
	// Upload is the picture's path under wp-content/uploads, or "" when it lived elsewhere;
	// URL, its address as the export gives it.
	Upload, URL string
	// Alt, Caption and Description are the words WordPress kept with the picture, which the
	// library keeps with it; a Broadsheet export adds its Credit, its Name as uploaded and its
	// focal point. Date is when it was uploaded.
	Alt, Caption, Description string
	Credit, Name              string
	FocusX, FocusY            float64
	Date                      time.Time
}

// Skip is a reason records were left out, with how many and a few of them.
type Skip struct {
	Reason   string
	Count    int
	Examples []string
}

// ShortcodeStory is a story imported with shortcodes left as text.
type ShortcodeStory struct {
	ID    int64
	Title string
	// Shortcodes counts them by name.
	Shortcodes map[string]int
}

// maxShortcodeStories bounds the stories the text summary lists; Summary holds them all.
const maxShortcodeStories = 100

// Thread is a Disqus thread left unmatched.
type Thread struct {
	URL   string
	Title string
	Posts int
}

func newSummary(file string, f Format) *Summary {
	return &Summary{File: file, Format: f, Created: map[string]int{}, Updated: map[string]int{}}
}

// skip records that example was left out for reason.
func (s *Summary) skip(reason, example string) { addSkip(&s.Skipped, reason, example) }

// hold records that example was imported as a draft for reason.
func (s *Summary) hold(reason, example string) { addSkip(&s.Held, reason, example) }

// addSkip counts example under reason in list.
func addSkip(list *[]Skip, reason, example string) {
	for i := range *list {
		if k := &(*list)[i]; k.Reason == reason {
			k.Count++
			if len(k.Examples) < maxExamples && example != "" {
				k.Examples = append(k.Examples, example)
			}
			return
		}
	}
	k := Skip{Reason: reason, Count: 1}
	if example != "" {
		k.Examples = []string{example}
	}
	*list = append(*list, k)
}

// reShortcode matches a shortcode's opening: [name, then a space and attributes without
// markup, "]" or "/]". ("[and see <a href=…>this</a>]" is prose.)
var reShortcode = regexp.MustCompile(`\[([a-zA-Z][a-zA-Z0-9_-]*)(?:\s[^\[\]<>]*)?/?\]`)

// rePre is a preformatted block, whose brackets are code, not shortcodes.
var rePre = regexp.MustCompile(`(?is)<pre\b.*?</pre>`)

// leftShortcodes counts, by name, the shortcodes that WordPress content still holds once
// converted (wordpressHTML): those the importer leaves as text. A bracket counts as one when
// it is closed ([/name]) or carries attributes (name="…"), so that "[sic]" and "[1]" in prose
// do not, nor brackets in code.
func leftShortcodes(converted string) map[string]int {
	if !strings.Contains(converted, "[") {
		return nil
	}
	converted = rePre.ReplaceAllString(converted, "")
	var left map[string]int
	for _, m := range reShortcode.FindAllStringSubmatch(converted, -1) {
		if !strings.Contains(m[0], "=") && !strings.Contains(converted, "[/"+m[1]+"]") {
			continue
		}
		if left == nil {
			left = map[string]int{}
		}
		left[strings.ToLower(m[1])]++
	}
	return left
}

// shortcodes records the shortcodes left in story a (leftShortcodes).
func (s *Summary) shortcodes(left map[string]int, a *article.Article) {
	if len(left) == 0 {
		return
	}
	if s.Shortcodes == nil {
		s.Shortcodes = map[string]int{}
	}
	for name, n := range left {
		s.Shortcodes[name] += n
	}
	s.ShortcodeStories = append(s.ShortcodeStories, ShortcodeStory{ID: a.ID, Title: a.Title, Shortcodes: left})
}

// warn records a warning.
func (s *Summary) warn(msg string) { s.Warnings = append(s.Warnings, msg) }

// rename records that an article was given slug instead of the one it asked for.
func (s *Summary) rename(asked, slug string) {
	example := asked + " → " + slug
	if len(s.Renamed) == 0 {
		s.Renamed = []Skip{{Reason: "address taken by another article, imported under another slug"}}
	}
	k := &s.Renamed[0]
	k.Count++
	if len(k.Examples) < maxExamples {
		k.Examples = append(k.Examples, example)
	}
}

// count records one record of kind, created or updated.
func (s *Summary) count(kind string, created bool) {
	if created {
		s.Created[kind]++
	} else {
		s.Updated[kind]++
	}
}

// Items is the number of records created or updated.
func (s *Summary) Items() int {
	n := 0
	for _, v := range s.Created {
		n += v
	}
	for _, v := range s.Updated {
		n += v
	}
	return n
}

// WriteTo writes the summary for a person to read.
func (s *Summary) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s", s.File, s.Format)
	if s.Source != "" {
		fmt.Fprintf(&b, " of %s", s.Source)
	}
	fmt.Fprintf(&b, "): %s in %s\n", bytesText(s.Bytes), s.Duration.Round(time.Millisecond))
	for _, k := range kinds() {
		c, u := s.Created[k], s.Updated[k]
		if c == 0 && u == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %-15s %7d new", k, c)
		if u > 0 {
			fmt.Fprintf(&b, ", %d updated", u)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "  %-15s %7d\n", "old URLs kept", s.Redirects)
	for _, k := range s.Renamed {
		writeSkip(&b, "renamed", k)
	}
	for _, k := range s.Skipped {
		writeSkip(&b, "skipped", k)
	}
	for _, k := range s.Held {
		writeSkip(&b, "held", k)
	}
	if s.Merged > 0 {
		fmt.Fprintf(&b, "  merged %d: Disqus comments under two threads of one story, attached once\n", s.Merged)
	}
	if len(s.Unmatched) > 0 {
		fmt.Fprintf(&b, "  %d Disqus threads match no story; their comments were skipped:\n", len(s.Unmatched))
		for _, t := range s.Unmatched {
			fmt.Fprintf(&b, "    %s (%d comments)\n", t.URL, t.Posts)
		}
	}
	if len(s.Shortcodes) > 0 {
		var list []string
		for name, n := range sorted(s.Shortcodes) {
			list = append(list, fmt.Sprintf("[%s] %d", name, n))
		}
		fmt.Fprintf(&b, "  unknown shortcodes, left as text: %s; readers see them as written until an editor replaces them, in %d stories:\n",
			strings.Join(list, ", "), len(s.ShortcodeStories))
		for i, st := range s.ShortcodeStories {
			if i == maxShortcodeStories {
				fmt.Fprintf(&b, "    … and %d more\n", len(s.ShortcodeStories)-i)
				break
			}
			list = list[:0]
			for name, n := range sorted(st.Shortcodes) {
				list = append(list, fmt.Sprintf("[%s] %d", name, n))
			}
			fmt.Fprintf(&b, "    /admin/stories/%d/ %s: %s\n", st.ID, st.Title, strings.Join(list, ", "))
		}
	}
	for _, m := range s.Warnings {
		fmt.Fprintf(&b, "  warning: %s\n", m)
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// writeSkip writes one line of skipped or renamed records with their examples.
func writeSkip(b *strings.Builder, what string, k Skip) {
	fmt.Fprintf(b, "  %s %d: %s", what, k.Count, k.Reason)
	if len(k.Examples) > 0 {
		fmt.Fprintf(b, " (%s", strings.Join(k.Examples, "; "))
		if k.Count > len(k.Examples) {
			b.WriteString("; …")
		}
		b.WriteByte(')')
	}
	b.WriteByte('\n')
}

// bytesText is a size for people: "1.2 MB".
func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
