package exporter

// Post meta keys a Broadsheet WXR export adds, so that importing it into Broadsheet loses nothing;
// WordPress keeps them as hidden custom fields.
const (
	// MetaMarkdown holds the story's Markdown source; the content is its rendered HTML.
	MetaMarkdown = "_broadsheet_markdown"
	// MetaAuthors holds every byline as a JSON list of Term, since WordPress has one author.
	MetaAuthors = "_broadsheet_authors"
	// MetaNotes holds the story's updates and corrections as a JSON list of Note.
	MetaNotes = "_broadsheet_notes"
	// MetaRedirects holds the old URLs that lead to the story, as a JSON list of Redirect whose
	// To is relative to the story's path ("" for the story, "feed/" for its comment feed). The
	// old URLs that lead elsewhere travel in the term meta of the one term of RedirectTaxonomy,
	// with absolute To paths ("" for one that answers 410 Gone).
	MetaRedirects = "_broadsheet_redirects"
	// MetaImage holds the featured image's address as the story has it, which may be a path on
	// the site; the attachment has it absolute, as WordPress needs.
	MetaImage = "_broadsheet_image"
)

// RedirectTaxonomy is the taxonomy of the term whose meta (MetaRedirects) carries the old URLs
// that lead to no story. WordPress's importer skips terms of a taxonomy it does not know.
const RedirectTaxonomy = "broadsheet_redirects"

// Redirect is an old URL path kept by an import and where it leads.
type Redirect struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Record is one line of Broadsheet JSON Lines. Its first six fields are the article corpus
// format of shared/data (id, title, body as plain text, category, published, source); the
// others make an export complete enough to import again without loss. Programs that read the
// corpus format ignore them; package importer reads both.
type Record struct {
	// ID is unique within Source: the article's ID in the site that wrote the file.
	ID    string `json:"id"`
	Title string `json:"title"`
	// Body is the story's plain text, paragraphs separated by blank lines.
	Body string `json:"body"`
	// Category is the section's name, or null.
	Category *string `json:"category"`
	// Published is the publication time in RFC 3339, or null when the story has none.
	Published *string `json:"published"`
	// Source names the site or corpus the record comes from.
	Source string `json:"source"`

	Kind       string `json:"kind,omitempty"`
	Slug       string `json:"slug,omitempty"`
	Status     string `json:"status,omitempty"`
	URL        string `json:"url,omitempty"`
	Standfirst string `json:"standfirst,omitempty"`
	// Markdown is the body as its editor wrote it; the importer prefers it to Body.
	Markdown     string    `json:"markdown,omitempty"`
	Section      *Term     `json:"section,omitempty"`
	Tags         []Term    `json:"tags,omitempty"`
	Authors      []Term    `json:"authors,omitempty"`
	Updated      string    `json:"updated,omitempty"`
	ImageURL     string    `json:"image_url,omitempty"`
	ImageAlt     string    `json:"image_alt,omitempty"`
	CommentsOpen *bool     `json:"comments_open,omitempty"`
	Notes        []Note    `json:"notes,omitempty"`
	Comments     []Comment `json:"comments,omitempty"`
	// Redirects are the old URLs that lead to the story, To relative to its path (see
	// MetaRedirects). The record of Kind KindRedirects carries those that lead elsewhere.
	Redirects []Redirect `json:"redirects,omitempty"`
	// Picture is set on a record of Kind KindPicture, which is no story: one picture of the
	// library.
	Picture *Picture `json:"picture,omitempty"`
}

// KindPicture is the Kind of a record that holds one picture of the library (in Picture); such
// records follow the stories. Their ID is "picture:" and the item's ID.
const KindPicture = "picture"

// Picture is a library item in JSON Lines: where its original is, and its words.
type Picture struct {
	// URL is the original's absolute address; File, its path under /media/ (HASH/name.jpg), as
	// export --media-dir writes it.
	URL         string  `json:"url"`
	File        string  `json:"file"`
	Name        string  `json:"name,omitempty"`
	Alt         string  `json:"alt,omitempty"`
	Caption     string  `json:"caption,omitempty"`
	Credit      string  `json:"credit,omitempty"`
	Description string  `json:"description,omitempty"`
	FocusX      float64 `json:"focus_x,omitempty"`
	FocusY      float64 `json:"focus_y,omitempty"`
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	Created     string  `json:"created"`
}

// KindRedirects is the Kind of the last record of an export that kept old URLs leading to no
// story: it holds only them, in Redirects, with absolute To paths.
const KindRedirects = "redirects"

// Term is a section, tag or byline.
type Term struct {
	Name        string `json:"name"`
	Slug        string `json:"slug"`
	Description string `json:"description,omitempty"`
}

// Note is an update or correction of a story.
type Note struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
	At   string `json:"at"`
}

// Comment is a comment on the record's story.
type Comment struct {
	// ID is unique within the record's Source; Parent is the ID of the comment replied to.
	ID     int64  `json:"id"`
	Parent int64  `json:"parent,omitempty"`
	Type   string `json:"type"`
	Status string `json:"status"`
	Author string `json:"author"`
	// Email is PRIVATE: written only by an administrator's export (Options.Private).
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
	// IP is PRIVATE, like Email.
	IP      string `json:"ip,omitempty"`
	Content string `json:"content"`
	Created string `json:"created"`
}
