package feed

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mmcdole/gofeed"
)

// feedsDir is where the shared real-world feeds live, relative to this package.
var feedsDir = filepath.Join("..", "..", "..", "shared", "data", "feeds")

// fromGofeed converts a feed that gofeed read into this package's input,
// the way an importer would: bodies as HTML, authors by name only.
func fromGofeed(gf *gofeed.Feed) Feed {
	f := Feed{Title: gf.Title, Description: gf.Description, Link: gf.Link,
		FeedURL: gf.FeedLink, Language: gf.Language}
	for _, gi := range gf.Items {
		it := Item{ID: gi.GUID, Title: gi.Title, Link: gi.Link,
			ContentHTML: gi.Content, Categories: gi.Categories}
		if it.ContentHTML == "" {
			it.ContentHTML = gi.Description
		}
		for _, p := range gi.Authors {
			// Feeds never carry addresses: drop any name that is one.
			if p.Name != "" && !strings.Contains(p.Name, "@") {
				it.Authors = append(it.Authors, Person{Name: p.Name})
			}
		}
		if gi.PublishedParsed != nil {
			it.Published = *gi.PublishedParsed
		}
		if gi.UpdatedParsed != nil {
			it.Updated = *gi.UpdatedParsed
		}
		if gi.Image != nil {
			it.ImageURL = gi.Image.URL
		}
		f.Items = append(f.Items, it)
	}
	return f
}

// TestRealFeeds reads publishers' feeds, writes each in every format, and
// checks that gofeed reads back the same stories: real headlines, scripts,
// entities and markup, not only the fixtures written here.
func TestRealFeeds(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(feedsDir)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("shared data %s is absent; see /work/shared/data/README.md", feedsDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(feedsDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		gf, err := gofeed.NewParser().Parse(bytes.NewReader(data))
		if err != nil {
			// Two fixtures are kept malformed on purpose.
			t.Logf("%s: not readable by gofeed, skipped: %v", e.Name(), err)
			continue
		}
		read++
		f := fromGofeed(gf)
		for _, fm := range formats() {
			t.Run(e.Name()+"."+fm.name, func(t *testing.T) {
				t.Parallel()
				got := readFeed(t, render(t, fm.write, f))
				if diff := cmp.Diff(expect(f, fm.name), got); diff != "" {
					t.Errorf("gofeed read of %s mismatch (-want +got):\n%s", fm.name, diff)
				}
			})
		}
	}
	if read < 10 {
		t.Errorf("read %d shared feeds, want at least 10", read)
	}
}
