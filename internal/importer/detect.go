package importer

import (
	"bytes"
	"errors"
	"fmt"
)

// ErrUnknownFormat is wrapped by the error Detect returns for a file it does not recognise.
var ErrUnknownFormat = errors.New("not a WordPress export, Disqus export, RSS or Atom feed, or JSON Lines file")

// Detect recognises a file by its first bytes (a few kilobytes are enough), never by its name:
// JSON Lines starts with "{"; an XML file is known by its root element (rss with WordPress's
// export namespace, rss or RDF, feed, disqus).
func Detect(head []byte) (Format, error) {
	b := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return "", fmt.Errorf("empty file: %w", ErrUnknownFormat)
	}
	if b[0] == '{' {
		return JSONLines, nil
	}
	root := rootElement(b)
	switch root {
	case "rss":
		if bytes.Contains(b, []byte("wordpress.org/export/")) {
			return WXR, nil
		}
		return RSS, nil
	case "RDF":
		return RSS, nil
	case "feed":
		return Atom, nil
	case "disqus":
		return Disqus, nil
	case "":
		return "", ErrUnknownFormat
	}
	return "", fmt.Errorf("XML with root element %q: %w", root, ErrUnknownFormat)
}

// rootElement returns the local name of the first element of an XML document, skipping the
// declaration, processing instructions, comments and the document type, or "" when b holds none.
func rootElement(b []byte) string {
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		if len(b) == 0 || b[0] != '<' {
			return ""
		}
		var end []byte
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			end = []byte("?>")
		case bytes.HasPrefix(b, []byte("<!--")):
			end = []byte("-->")
		case bytes.HasPrefix(b, []byte("<!")):
			end = []byte(">")
		default:
			name := b[1:]
			i := 0
			for i < len(name) && bytes.IndexByte([]byte(" \t\r\n/>"), name[i]) < 0 {
				i++
			}
			name = name[:i]
			if j := bytes.IndexByte(name, ':'); j >= 0 {
				name = name[j+1:]
			}
			return string(name)
		}
		i := bytes.Index(b, end)
		if i < 0 {
			return ""
		}
		b = b[i+len(end):]
	}
}
