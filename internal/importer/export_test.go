package importer

import (
	"os"

	"github.com/broadsheet/broadsheet/internal/wxr"
)

// WordPressBody is the Markdown source the importer makes of WordPress post content.
func WordPressBody(content string) string {
	return markdownSafe(wordpressHTML(wxr.Converter{}, content))
}

// ArchiveDir is the temporary folder of a .tar.gz source, "" for another source.
func ArchiveDir(s Source) string {
	if t, ok := s.(*tarSource); ok {
		return t.dir
	}
	return ""
}

// ArchiveCopies lists the files a .tar.gz source copied out of its archive.
func ArchiveCopies(s Source) []string {
	t, ok := s.(*tarSource)
	if !ok {
		return nil
	}
	entries, _ := os.ReadDir(t.dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
