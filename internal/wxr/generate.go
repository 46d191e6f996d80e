package wxr

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Generate writes a synthetic, valid WXR 1.2 file to w: three authors, five
// categories, twenty tags, then posts items, each with commentsPerPost
// comments of which about a third reply to an earlier one. The output
// depends only on the arguments, and it is streamed: memory does not grow
// with posts, so it can produce files of many gigabytes for import tests.
// Comment e-mail addresses use example.invalid and IP addresses 192.0.2.0/24.
func Generate(w io.Writer, posts, commentsPerPost int, seed int64) error {
	if posts < 0 || commentsPerPost < 0 {
		return fmt.Errorf("wxr: generate %d posts with %d comments each: counts must not be negative", posts, commentsPerPost)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	out, err := NewWriter(w, Site{
		Title: "Generated Gazette", Link: "https://gazette.example", Description: "Synthetic news for tests",
		PubDate: "Thu, 01 Jan 2026 00:00:00 +0000", Language: "en-GB",
		BaseSiteURL: "https://gazette.example", BaseBlogURL: "https://gazette.example",
	})
	if err != nil {
		return err
	}
	authors := [...]string{"desk", "correspondent", "editor"}
	for i, login := range authors {
		err := out.WriteAuthor(&Author{ID: int64(i + 1), Login: login, Email: login + "@gazette.example",
			DisplayName: strings.ToUpper(login[:1]) + login[1:]})
		if err != nil {
			return err
		}
	}
	sections := [...]string{"world", "politics", "business", "science", "culture"}
	for i, s := range sections {
		err := out.WriteCategory(&Category{TermID: int64(i + 1), Nicename: s, Name: strings.ToUpper(s[:1]) + s[1:]})
		if err != nil {
			return err
		}
	}
	const tags = 20
	for i := range tags {
		if err := out.WriteTag(&Tag{TermID: int64(100 + i), Slug: fmt.Sprintf("topic-%d", i), Name: fmt.Sprintf("Topic %d", i)}); err != nil {
			return err
		}
	}
	vocab := strings.Fields(words)
	start := time.Date(2020, 1, 1, 6, 0, 0, 0, time.UTC)
	var body strings.Builder
	var commentID int64
	for p := range posts {
		id := int64(p + 1)
		date := start.Add(time.Duration(p) * 3 * time.Hour)
		slug := fmt.Sprintf("story-%d", id)
		section := sections[rng.IntN(len(sections))]
		tag := rng.IntN(tags)
		body.Reset()
		for para := range 3 + rng.IntN(5) {
			if para > 0 {
				body.WriteString("\n\n")
			}
			sentence(&body, rng, vocab, 20+rng.IntN(60))
		}
		it := &Item{
			Title:   title(rng, vocab),
			Link:    fmt.Sprintf("https://gazette.example/%s/%s/", date.Format("2006/01/02"), slug),
			PubDate: date.Format(time.RFC1123Z), Creator: authors[rng.IntN(len(authors))],
			GUID: fmt.Sprintf("https://gazette.example/?p=%d", id), Content: body.String(),
			PostID: id, PostDate: date, PostDateGMT: date, PostModified: date, PostModifiedGMT: date,
			CommentStatus: "open", PingStatus: "open", PostName: slug, Status: "publish", PostType: "post",
			Categories: []ItemTerm{
				{Domain: "category", Nicename: section, Name: strings.ToUpper(section[:1]) + section[1:]},
				{Domain: "post_tag", Nicename: fmt.Sprintf("topic-%d", tag), Name: fmt.Sprintf("Topic %d", tag)},
			},
			Postmeta: []Meta{{Key: "_edit_last", Value: "1"}},
			Comments: make([]Comment, commentsPerPost),
		}
		for c := range it.Comments {
			commentID++
			var parent int64
			if c > 0 && rng.IntN(3) == 0 {
				parent = it.Comments[rng.IntN(c)].ID
			}
			reader := rng.IntN(500)
			var text strings.Builder
			sentence(&text, rng, vocab, 5+rng.IntN(40))
			when := date.Add(time.Duration(c+1) * 7 * time.Minute)
			it.Comments[c] = Comment{
				ID: commentID, Author: fmt.Sprintf("Reader %d", reader),
				AuthorEmail: fmt.Sprintf("reader-%d@example.invalid", reader),
				AuthorIP:    fmt.Sprintf("192.0.2.%d", reader%256),
				Date:        when, DateGMT: when, Content: text.String(), Approved: "1", Type: "comment", Parent: parent,
			}
		}
		if err := out.WriteItem(it); err != nil {
			return err
		}
	}
	return out.Close()
}

// words is the vocabulary of generated text.
const words = "the a of to in and minister said on for government after court vote report market election " +
	"police city council talks ministers week year people new state health school energy prices " +
	"climate agreement leaders border trade inquiry budget strike workers union hospital river storm " +
	"rescue team match final season museum festival film science study researchers data space mission"

func sentence(b *strings.Builder, rng *rand.Rand, vocab []string, n int) {
	for i := range n {
		w := vocab[rng.IntN(len(vocab))]
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		if i == n-1 || rng.IntN(12) == 0 {
			b.WriteByte('.')
		}
	}
}

func title(rng *rand.Rand, vocab []string) string {
	var b strings.Builder
	sentence(&b, rng, vocab, 4+rng.IntN(6))
	return strings.TrimSuffix(b.String(), ".")
}
