package feed

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
)

// Namespaces the XML formats use.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"
	nsSitemap = "http://www.sitemaps.org/schemas/sitemap/0.9"
	nsNews    = "http://www.google.com/schemas/sitemap-news/0.9"
)

// cdata is element content written as a CDATA section, which keeps HTML
// readable in the document; encoding/xml splits any "]]>" in it.
type cdata struct {
	Text string `xml:",cdata"`
}

// mediaContent is a Media RSS image (<media:content medium="image">), which
// feed readers use as the story's picture.
type mediaContent struct {
	URL    string `xml:"url,attr"`
	Medium string `xml:"medium,attr"`
}

// newMedia returns the media:content element for url, or nil when url is
// empty.
func newMedia(url string) *mediaContent {
	if url == "" {
		return nil
	}
	return &mediaContent{URL: url, Medium: "image"}
}

// writeXML writes the XML declaration and v, indented by two spaces, to w.
// format names the document in errors.
func writeXML(w io.Writer, format string, v any) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(xml.Header); err != nil {
		return fmt.Errorf("feed: writing %s: %w", format, err)
	}
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("feed: writing %s: %w", format, err)
	}
	if err := bw.WriteByte('\n'); err != nil {
		return fmt.Errorf("feed: writing %s: %w", format, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("feed: writing %s: %w", format, err)
	}
	return nil
}
