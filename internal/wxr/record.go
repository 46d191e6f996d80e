// Package wxr reads and writes WordPress eXtended RSS (WXR) export files,
// versions 1.0 to 1.2, as a stream of records, so that a file of any size is
// read and written in bounded memory.
//
// A Reader returns one *Site, then the *Author, *Category, *Tag, *Term and
// *Item records in document order. A Writer produces WXR 1.2 that
// WordPress's own importer accepts; Generate writes synthetic exports of any
// size. Autop, StripBlockComments and Shortcodes turn WordPress post content
// into plain HTML.
//
// Records carry private data: Author.Email, Comment.AuthorEmail and
// Comment.AuthorIP must never be published.
package wxr

import "time"

// Record is one of *Site, *Author, *Category, *Tag, *Term or *Item.
type Record interface {
	record()
}

// Site is the channel header of an export: it is always the first record.
type Site struct {
	Title       string
	Link        string
	Description string
	// PubDate is the export date as written (RFC 1123 in WordPress exports).
	PubDate  string
	Language string
	// WXRVersion is "1.0", "1.1" or "1.2" in WordPress exports; it is empty
	// when the file has no wp:wxr_version element.
	WXRVersion  string
	BaseSiteURL string
	BaseBlogURL string
}

// Author is a wp:author element (WXR 1.1 and later).
type Author struct {
	ID    int64
	Login string
	// Email is PRIVATE: never publish it.
	Email       string
	DisplayName string
	FirstName   string
	LastName    string
}

// Category is a wp:category element, a term of the "category" taxonomy.
type Category struct {
	TermID   int64
	Nicename string
	// Parent is the nicename of the parent category, or empty.
	Parent      string
	Name        string
	Description string
	Meta        []Meta
}

// Tag is a wp:tag element, a term of the "post_tag" taxonomy.
type Tag struct {
	TermID      int64
	Slug        string
	Name        string
	Description string
	Meta        []Meta
}

// Term is a wp:term element, a term of any other taxonomy (nav_menu,
// post_format, custom taxonomies).
type Term struct {
	TermID   int64
	Taxonomy string
	Slug     string
	// Parent is the slug of the parent term, or empty.
	Parent      string
	Name        string
	Description string
	Meta        []Meta
}

// Item is an RSS item: a post, page, attachment, menu item or any other post
// type, with its terms, metadata and comments.
//
// PostDate and PostModified are wall-clock times in the site's own time zone,
// which the file does not record: they carry time.UTC as a placeholder.
// PostDateGMT and PostModifiedGMT are true UTC times. A date written as
// "0000-00-00 00:00:00" (a draft never published) is the zero time.
type Item struct {
	Title string
	Link  string
	// PubDate is the RSS date as written. WordPress ignores it on import and
	// real exports contain invalid values ("Wed, 30 Nov -0001 00:00:00 +0000"),
	// so it is not parsed: use PostDateGMT.
	PubDate string
	// Creator is the author's login (dc:creator).
	Creator         string
	GUID            string
	GUIDIsPermaLink bool
	Description     string
	// Content is content:encoded: HTML, Gutenberg block markup, or text
	// that WordPress formats with wpautop (see Autop).
	Content         string
	Excerpt         string
	PostID          int64
	PostDate        time.Time
	PostDateGMT     time.Time
	PostModified    time.Time
	PostModifiedGMT time.Time
	CommentStatus   string
	PingStatus      string
	// PostName is the slug.
	PostName   string
	Status     string
	PostParent int64
	MenuOrder  int64
	PostType   string
	// PostPassword is PRIVATE: the password that protects the post.
	PostPassword  string
	IsSticky      bool
	Categories    []ItemTerm
	Postmeta      []Meta
	AttachmentURL string
	Comments      []Comment
}

// ItemTerm is a category element of an item: one term the item belongs to.
type ItemTerm struct {
	// Domain is the taxonomy: "category", "post_tag" (written "tag" in WXR
	// 1.0, reported as "post_tag"), "post_format" or another taxonomy.
	Domain   string
	Nicename string
	Name     string
}

// Meta is one key/value pair of post, comment or term metadata. Values are
// kept as written, including PHP-serialized arrays.
type Meta struct {
	Key   string
	Value string
}

// Comment is a wp:comment element of an item.
type Comment struct {
	ID     int64
	Author string
	// AuthorEmail is PRIVATE: never publish it.
	AuthorEmail string
	AuthorURL   string
	// AuthorIP is PRIVATE: never publish it.
	AuthorIP string
	// Date is wall-clock time in the site's zone (see Item); DateGMT is UTC.
	Date    time.Time
	DateGMT time.Time
	Content string
	// Approved is "1" (approved), "0" (held for moderation), "spam" or
	// "trash".
	Approved string
	// Type is "" or "comment" for a comment, "pingback" or "trackback".
	Type string
	// Parent is the ID of the comment this one replies to, or 0.
	Parent int64
	// UserID is the ID of the registered user who wrote the comment, or 0.
	UserID int64
	Meta   []Meta
}

func (*Site) record()     {}
func (*Author) record()   {}
func (*Category) record() {}
func (*Tag) record()      {}
func (*Term) record()     {}
func (*Item) record()     {}
