package importer

// WordPressBody is the Markdown source the importer makes of WordPress post content.
func WordPressBody(content string) string { return markdownSafe(wordpressHTML(content)) }
