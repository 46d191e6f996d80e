package feed

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// JSONFeedVersion is the version URL WriteJSON declares.
const JSONFeedVersion = "https://jsonfeed.org/version/1.1"

// WriteJSON writes f to w as a JSON Feed 1.1 document.
//
// Items carry id, url, title, content_html (or content_text with the summary
// when there is no HTML body, as the format requires one of them), summary,
// image, date_published and date_modified in RFC 3339 form, authors (name
// and url, never an email address) and tags.
func WriteJSON(w io.Writer, f Feed) error {
	f = f.cleaned()
	doc := jsonFeed{
		Version:     JSONFeedVersion,
		Title:       f.Title,
		HomePageURL: f.Link,
		FeedURL:     f.FeedURL,
		Description: f.Description,
		Language:    f.Language,
		Icon:        f.Logo,
		Favicon:     f.Icon,
		Items:       make([]jsonItem, 0, len(f.Items)),
	}
	for _, it := range f.Items {
		doc.Items = append(doc.Items, newJSONItem(it))
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("feed: writing json feed: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("feed: writing json feed: %w", err)
	}
	return nil
}

// newJSONItem converts one cleaned item.
func newJSONItem(it Item) jsonItem {
	out := jsonItem{
		ID:            it.id(),
		URL:           it.Link,
		Title:         it.Title,
		ContentHTML:   it.ContentHTML,
		Summary:       it.Summary,
		Image:         it.ImageURL,
		DatePublished: rfc3339(it.Published),
		DateModified:  rfc3339(it.Updated),
		Tags:          it.Categories,
	}
	if it.ContentHTML == "" {
		text := it.Summary
		out.ContentText = &text
	}
	for _, p := range it.Authors {
		out.Authors = append(out.Authors, jsonAuthor(p))
	}
	return out
}

// jsonFeed is the top-level JSON Feed object.
type jsonFeed struct {
	Version     string     `json:"version"`
	Title       string     `json:"title"`
	HomePageURL string     `json:"home_page_url,omitempty"`
	FeedURL     string     `json:"feed_url,omitempty"`
	Description string     `json:"description,omitempty"`
	Language    string     `json:"language,omitempty"`
	Icon        string     `json:"icon,omitempty"`
	Favicon     string     `json:"favicon,omitempty"`
	Items       []jsonItem `json:"items"`
}

// jsonItem is one JSON Feed item.
type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url,omitempty"`
	Title         string       `json:"title,omitempty"`
	ContentHTML   string       `json:"content_html,omitempty"`
	ContentText   *string      `json:"content_text,omitempty"`
	Summary       string       `json:"summary,omitempty"`
	Image         string       `json:"image,omitempty"`
	DatePublished string       `json:"date_published,omitempty"`
	DateModified  string       `json:"date_modified,omitempty"`
	Authors       []jsonAuthor `json:"authors,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
}

// jsonAuthor is a JSON Feed author. Its fields match Person's, so a Person
// converts to it directly; it has no email on purpose.
type jsonAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}
