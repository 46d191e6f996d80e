package importer_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/importer"
	"github.com/broadsheet/broadsheet/internal/sanitize"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
	"github.com/broadsheet/broadsheet/internal/wxr"
)

// now is the tests' clock: records without a date are dated by it.
var now = time.Date(2026, 3, 22, 9, 30, 0, 0, time.UTC)

// newStore opens an empty site database in a temporary directory.
func newStore(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("sqlite.Open = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// options are the tests' import options.
func options() importer.Options {
	return importer.Options{Renderer: article.NewRenderer(sanitize.New()), Location: time.UTC,
		Now: func() time.Time { return now }}
}

// open opens files (relative to testdata unless absolute) as import inputs.
func open(t testing.TB, names ...string) []importer.File {
	t.Helper()
	var files []importer.File
	for _, n := range names {
		path := n
		if !filepath.IsAbs(n) {
			path = filepath.Join("testdata", n)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		st, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, importer.File{Name: filepath.Base(n), R: f, Size: st.Size()})
	}
	return files
}

// importFiles imports files into st and fails the test on an error.
func importFiles(t testing.TB, st store.Store, opt importer.Options, names ...string) []*importer.Summary {
	t.Helper()
	sums, err := importer.Import(t.Context(), st, open(t, names...), opt)
	if err != nil {
		t.Fatalf("Import(%v) = %v", names, err)
	}
	return sums
}

// bySlug reads an article and fails the test when it is missing.
func bySlug(t testing.TB, st store.Store, slug string) *article.Article {
	t.Helper()
	a, err := st.ArticleBySlug(t.Context(), slug)
	if err != nil {
		t.Fatalf("ArticleBySlug(%q) = %v", slug, err)
	}
	return a
}

// comments lists an article's comments, oldest first.
func comments(t testing.TB, st store.Store, id int64) []*comment.Comment {
	t.Helper()
	list, _, err := st.ListComments(t.Context(), store.CommentQuery{ArticleID: id, Oldest: true})
	if err != nil {
		t.Fatalf("ListComments(%d) = %v", id, err)
	}
	return list
}

// counts is what a store holds, to compare before and after.
type counts struct {
	Articles, Comments int
	Latest             int64
}

func countAll(t testing.TB, st store.Store) counts {
	t.Helper()
	_, a, err := st.ListArticles(t.Context(), store.ArticleQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, c, err := st.ListComments(t.Context(), store.CommentQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	seq, err := st.LatestChange(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return counts{a, c, seq}
}

func TestWordPress(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	sums := importFiles(t, st, options(), "site.xml")
	s := sums[0]
	wantCreated := map[string]int{importer.KindStory: 7, importer.KindPage: 1, importer.KindComment: 4,
		importer.KindPingback: 1, importer.KindAuthor: 2, importer.KindSection: 2, importer.KindTag: 3}
	if diff := cmp.Diff(wantCreated, s.Created); diff != "" {
		t.Errorf("Created (-want +got):\n%s", diff)
	}
	wantSkipped := []importer.Skip{
		{Reason: "post type nav_menu_item", Count: 1, Examples: []string{"Home"}},
	}
	if diff := cmp.Diff(wantSkipped, s.Skipped); diff != "" {
		t.Errorf("Skipped (-want +got):\n%s", diff)
	}
	// A trashed post is kept, unpublished, under WordPress's marked slug (leaving the plain one
	// for a live post), and the summary says so; its old URLs lead nowhere, as on the old site.
	if a := bySlug(t, st, "binned-trashed"); a.Status != article.Unpublished {
		t.Errorf("trashed post's status = %v, want %v", a.Status, article.Unpublished)
	}
	wantHeld := importer.Skip{Reason: "trashed on the old site: imported unpublished, so nothing is lost", Count: 1, Examples: []string{"Binned"}}
	if !slices.ContainsFunc(s.Held, func(h importer.Skip) bool { return cmp.Equal(h, wantHeld) }) {
		t.Errorf("Held = %+v, want it to list %+v", s.Held, wantHeld)
	}
	if s.Format != importer.WXR || s.Source != "wxr:https://old.example" {
		t.Errorf("Format, Source = %q, %q; want %q, %q", s.Format, s.Source, importer.WXR, "wxr:https://old.example")
	}

	t.Run("story", func(t *testing.T) {
		a := bySlug(t, st, "election-night")
		want := &article.Article{Kind: article.Story, Slug: "election-night", Title: "Election night: the count",
			Standfirst: "Who won, ward by ward & why.", Status: article.Published,
			PublishedAt: time.Date(2024, 5, 1, 20, 30, 0, 0, time.UTC), UpdatedAt: time.Date(2024, 5, 2, 7, 0, 0, 0, time.UTC),
			Authors:  []article.Author{{Name: "Alice Author", Slug: "alice"}},
			Section:  article.Section{Name: "News", Slug: "news", Description: "What happened today."},
			Tags:     []article.Tag{{Name: "Election", Slug: "election"}, {Name: "Politics", Slug: "politics"}},
			ImageURL: "https://old.example/wp-content/uploads/crowd.jpg", ImageAlt: "A crowd at the count",
			CommentsOpen: true}
		opts := cmp.Options{cmpopts.IgnoreFields(article.Article{}, "ID", "Body", "BodyHTML", "BodyText", "CreatedAt", "Version"),
			cmpopts.IgnoreFields(article.Author{}, "ID"), cmpopts.IgnoreFields(article.Section{}, "ID"),
			cmpopts.IgnoreFields(article.Tag{}, "ID"), cmpopts.EquateEmpty()}
		if diff := cmp.Diff(want, a, opts); diff != "" {
			t.Errorf("election-night (-want +got):\n%s", diff)
		}
		for _, frag := range []string{
			"went on *all night*", // text, not Markdown emphasis
			"&amp; went on",
			`<figure class="wp-caption alignright"><img alt="A crowd at the count"`,
			"<figcaption>The crowd at the town hall</figcaption></figure>",
			"<pre>North   1200\n\nSouth    900</pre>",
			`<a href="/2024/04/30/the-candidates/">`, // relative links intact
		} {
			if !strings.Contains(a.BodyHTML, frag) {
				t.Errorf("BodyHTML lacks %q:\n%s", frag, a.BodyHTML)
			}
		}
	})

	t.Run("blocks and encodings", func(t *testing.T) {
		a := bySlug(t, st, "städte-wachsen")
		if strings.Contains(a.BodyHTML, "wp:") || !strings.Contains(a.BodyHTML, "<h2>Warum?</h2>") ||
			!strings.Contains(a.BodyHTML, "Mieten &amp; Arbeit.") {
			t.Errorf("städte-wachsen BodyHTML = %q, want the blocks' HTML without their comments", a.BodyHTML)
		}
		if a.Section.Name != "Sport & Leisure" || a.CommentsOpen || len(a.Authors) != 1 || a.Authors[0].Slug != "bob-smith" {
			t.Errorf("städte-wachsen section %q, comments open %v, bylines %v", a.Section.Name, a.CommentsOpen, a.Authors)
		}
	})

	t.Run("statuses and pages", func(t *testing.T) {
		tests := []struct {
			slug   string
			kind   article.Kind
			status article.Status
			path   string
		}{
			{"about", article.Page, article.Published, "/about/"},
			{"unfinished", article.Story, article.Draft, "/unfinished/"},
			{"tomorrows-count", article.Story, article.Scheduled, "/2030/01/01/tomorrows-count/"},
			{"staff-only", article.Story, article.Unpublished, "/2024/05/03/staff-only/"},
			{"hello-world", article.Story, article.Published, "/2009/12/01/hello-world/"},
		}
		for _, tc := range tests {
			a := bySlug(t, st, tc.slug)
			if a.Kind != tc.kind || a.Status != tc.status || a.Path(time.UTC) != tc.path {
				t.Errorf("%s: kind %s, status %s, path %s; want %s, %s, %s", tc.slug, a.Kind, a.Status, a.Path(time.UTC), tc.kind, tc.status, tc.path)
			}
		}
	})

	t.Run("comments", func(t *testing.T) {
		a := bySlug(t, st, "election-night")
		list := comments(t, st, a.ID)
		type row struct {
			Author, Parent, Email, IP string
			Type                      comment.Type
			Status                    comment.Status
			Content                   string
		}
		names := map[int64]string{}
		for _, c := range list {
			names[c.ID] = c.AuthorName
		}
		var got []row
		for _, c := range list {
			got = append(got, row{c.AuthorName, names[c.ParentID], c.AuthorEmail, c.AuthorIP, c.Type, c.Status, c.Content})
		}
		want := []row{
			{"Dan Reader", "", "dan@example.net", "192.0.2.11", comment.Regular, comment.Approved, "Turnout was the story.\n\nNobody expected 71%."},
			{"Carol Reader", "Dan Reader", "carol@example.net", "192.0.2.10", comment.Regular, comment.Approved,
				"I agree with Dan.\n\n> Turnout was the story.\n\nSee the figures (https://stats.example.org/turnout)."},
			{"Another Blog » Results", "", "", "198.51.100.7", comment.Pingback, comment.Approved, "[…] the count went on all night […]"},
			{"Cheap Pills", "", "pills@spam.example", "203.0.113.5", comment.Regular, comment.Spam, "Buy now"},
			{"Erin Reader", "", "erin@example.net", "192.0.2.12", comment.Regular, comment.Pending, "Waiting for moderation."},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("comments on election-night (-want +got):\n%s", diff)
		}
		if len(list) > 0 && !list[0].CreatedAt.Equal(time.Date(2024, 5, 2, 5, 0, 0, 0, time.UTC)) {
			t.Errorf("first comment's date = %v, want its GMT date", list[0].CreatedAt)
		}
	})

	t.Run("old URLs", func(t *testing.T) {
		tests := []struct{ from, to string }{
			{"/?p=10", "/2024/05/01/election-night/"},
			{"/?p=11", "/2024/05/02/städte-wachsen/"},
			{"/?p=12", "/about/"},
			{"/?page_id=12", "/about/"},
			{"/hello_world/", "/2009/12/01/hello-world/"},
			{"/hello_world/feed/", "/2009/12/01/hello-world/feed/"},
			{"/2009/12/01/hello_world/", "/2009/12/01/hello-world/"},
			{"/category/news/", "/section/news/"},
			{"/category/news/politics/", "/tag/politics/"},
			{"/category/news/politics/feed/", "/tag/politics/feed/"},
			{"/category/politics/", "/tag/politics/"},
			{"/?cat=2", "/section/news/"},
			{"/?cat=3", "/tag/politics/"},
			{"/?tag=st%C3%A4dte", "/tag/städte/"},
			{"/author/bob_smith/", "/author/bob-smith/"},
			{"/feed/rss2/", "/feed/"},
			{"/?feed=rss2", "/feed/"},
		}
		for _, tc := range tests {
			if got, err := st.Redirect(t.Context(), tc.from); err != nil || got != tc.to {
				t.Errorf("Redirect(%q) = %q, %v; want %q", tc.from, got, err, tc.to)
			}
		}
		// Drafts and private posts had no public address.
		for _, from := range []string{"/?p=13", "/?p=15", "/staff-only/"} {
			if got, err := st.Redirect(t.Context(), from); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Redirect(%q) = %q, %v; want ErrNotFound", from, got, err)
			}
		}
	})
}

func TestReimportUpdates(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	importFiles(t, st, options(), "site.xml", "disqus.xml")
	before := countAll(t, st)
	a := bySlug(t, st, "election-night")
	a.Title = "Edited here"
	if err := st.UpdateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	sums := importFiles(t, st, options(), "site.xml", "disqus.xml")
	after := countAll(t, st)
	if after.Articles != before.Articles || after.Comments != before.Comments {
		t.Errorf("after a second import: %d articles and %d comments, want %d and %d", after.Articles, after.Comments, before.Articles, before.Comments)
	}
	for _, s := range sums {
		for _, k := range []string{importer.KindStory, importer.KindPage, importer.KindComment, importer.KindPingback} {
			if s.Created[k] != 0 {
				t.Errorf("%s: second import created %d %s, want none", s.File, s.Created[k], k)
			}
		}
	}
	if got := sums[0].Updated; got[importer.KindStory] != 7 || got[importer.KindPage] != 1 || got[importer.KindComment] != 4 {
		t.Errorf("site.xml again: Updated = %v, want 7 stories (one trashed), 1 page, 4 comments", got)
	}
	if got := bySlug(t, st, "election-night").Title; got != "Election night: the count" {
		t.Errorf("title after re-import = %q, want the file's", got)
	}
}

func TestSecondSiteKeepsTheFirst(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	importFiles(t, st, options(), "site.xml")
	before := countAll(t, st)
	// The same posts under another site's address: new stories beside the old ones.
	other := strings.ReplaceAll(readFile(t, "testdata/site.xml"), "https://old.example", "https://other.example")
	sums, err := importer.Import(t.Context(), st, []importer.File{{Name: "other.xml", R: strings.NewReader(other)}}, options())
	if err != nil {
		t.Fatal(err)
	}
	after := countAll(t, st)
	if after.Articles != 2*before.Articles || after.Comments != 2*before.Comments {
		t.Errorf("after a second site: %d articles, %d comments; want %d and %d", after.Articles, after.Comments, 2*before.Articles, 2*before.Comments)
	}
	if got := sums[0].Created[importer.KindStory]; got != 7 {
		t.Errorf("second site created %d stories, want 7", got)
	}
	if r := sums[0].Renamed; len(r) != 1 || r[0].Count != 8 || r[0].Examples[0] != "election-night → election-night-2" {
		t.Errorf("Renamed = %+v, want the 8 articles whose slugs the first site holds", r)
	}
	if a := bySlug(t, st, "election-night-2"); a.Title != "Election night: the count" {
		t.Errorf("the second site's story took slug %q; want election-night-2", a.Slug)
	}
	if a := bySlug(t, st, "election-night"); a.Path(time.UTC) != "/2024/05/01/election-night/" {
		t.Errorf("the first site's story moved to %s", a.Path(time.UTC))
	}
}

func TestDisqus(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	sums := importFiles(t, st, options(), "site.xml", "disqus.xml")
	s := sums[1]
	if s.Format != importer.Disqus || s.Created[importer.KindComment] != 6 {
		t.Errorf("disqus.xml: format %q, %d comments; want %q, 6", s.Format, s.Created[importer.KindComment], importer.Disqus)
	}
	want := []importer.Thread{{URL: "https://old.example/2024/03/01/gone/", Title: "A story that was deleted", Posts: 1}}
	if diff := cmp.Diff(want, s.Unmatched); diff != "" {
		t.Errorf("Unmatched (-want +got):\n%s", diff)
	}
	tests := []struct {
		slug string
		want []string // author ← parent author, status
	}{
		// By link; the reply that came before its parent waited for it.
		{"election-night", []string{"Fay Reader ←  approved", "Hal Reader ← Fay Reader approved", "Gus Reader ← Hal Reader approved"}},
		// By identifier: "11 https://old.example/?p=11".
		{"städte-wachsen", []string{"Spammer ←  spam", "Ivy Reader ←  trash"}},
		// By an old URL the WordPress import kept.
		{"hello-world", []string{"Kim Reader ←  approved"}},
	}
	for _, tc := range tests {
		a := bySlug(t, st, tc.slug)
		names := map[int64]string{}
		var got []string
		for _, c := range comments(t, st, a.ID) {
			names[c.ID] = c.AuthorName
			if strings.HasSuffix(c.AuthorEmail, "@old.example") || c.AuthorEmail == "" || c.Type != comment.Regular {
				continue // the WordPress comments
			}
			if strings.Contains(c.AuthorEmail, "example.net") && c.AuthorIP == "" {
				t.Errorf("%s: %s lost the IP address", tc.slug, c.AuthorName)
			}
			if c.AuthorName == "Dan Reader" || c.AuthorName == "Carol Reader" || c.AuthorName == "Erin Reader" || c.AuthorName == "Cheap Pills" {
				continue
			}
			got = append(got, c.AuthorName+" ← "+names[c.ParentID]+" "+string(c.Status))
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Disqus comments on %s (-want +got):\n%s", tc.slug, diff)
		}
	}
}

func TestFeeds(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	sums := importFiles(t, st, options(), "feed.rss", "feed.atom")
	if sums[0].Format != importer.RSS || sums[1].Format != importer.Atom {
		t.Errorf("formats = %q, %q; want %q, %q", sums[0].Format, sums[1].Format, importer.RSS, importer.Atom)
	}
	tests := []struct {
		slug, title, standfirst, body, canonical string
		published                                time.Time
		tags                                     []string
	}{
		{"reouverture-du-marche", "Réouverture du marché", "Le marché rouvre samedi.",
			"<p>Le marché rouvre <strong>samedi</strong> à 8\u00a0h.</p>" + `<p><a href="/plan/">Voir le plan</a>.</p>`,
			"https://cafe.example/2024/06/01/reouverture-du-marche/", time.Date(2024, 6, 1, 5, 30, 0, 0, time.UTC), []string{"marche", "ville"}},
		{"breve-pluie", "Brève : pluie", "", "<p>Il pleuvra dimanche.</p>\n<p>Prenez un parapluie.</p>",
			"https://elsewhere.example/meteo/pluie", time.Date(2024, 6, 2, 6, 0, 0, 0, time.UTC), nil},
		{"ferry-timetable-changes", "Ferry timetable changes", "Summer sailings start Monday.",
			"<p>Summer sailings start <em>Monday</em>.</p>", "https://harbour.example/ferry-timetable/",
			time.Date(2024, 7, 1, 8, 0, 0, 0, time.UTC), []string{"ferries"}},
		{"fish-market-closed", "Fish market closed", "", "<p>Closed for repairs until Friday.</p>",
			"https://harbour.example/fish-market-closed/", time.Date(2024, 7, 2, 9, 0, 0, 0, time.UTC), nil},
	}
	for _, tc := range tests {
		a := bySlug(t, st, tc.slug)
		var tags []string
		for _, tg := range a.Tags {
			tags = append(tags, tg.Slug)
		}
		if a.Title != tc.title || a.Standfirst != tc.standfirst || a.BodyHTML != tc.body || !a.PublishedAt.Equal(tc.published) ||
			!cmp.Equal(tags, tc.tags, cmpopts.EquateEmpty()) || a.Status != article.Published {
			t.Errorf("%s = title %q, standfirst %q, body %q, published %v, tags %v, status %s\nwant %q, %q, %q, %v, %v, published",
				tc.slug, a.Title, a.Standfirst, a.BodyHTML, a.PublishedAt, tags, a.Status, tc.title, tc.standfirst, tc.body, tc.published, tc.tags)
		}
		keys, err := st.ArticleImportKeys(t.Context(), a.ID)
		if err != nil || len(keys) != 1 || keys[0].URL != tc.canonical {
			t.Errorf("ArticleImportKeys(%s) = %+v, %v; want the item's link %q", tc.slug, keys, err, tc.canonical)
		}
	}
	// The site's own item keeps its old address; another site's link does not become ours.
	if got, err := st.Redirect(t.Context(), "/ferry-timetable/"); err != nil || got != "/2024/07/01/ferry-timetable-changes/" {
		t.Errorf(`Redirect("/ferry-timetable/") = %q, %v`, got, err)
	}
	if _, err := st.Redirect(t.Context(), "/meteo/pluie"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf(`Redirect("/meteo/pluie") = %v, want ErrNotFound`, err)
	}
}

func TestJSONLines(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	sums := importFiles(t, st, options(), "corpus.jsonl")
	if got := sums[0].Created[importer.KindStory]; got != 3 {
		t.Errorf("corpus.jsonl created %d stories, want 3", got)
	}
	a := bySlug(t, st, "harbour-wall-repaired")
	if a.Section.Name != "Local" || a.BodyHTML != "<p>The harbour wall is repaired.</p>\n<p>Work took *six* weeks.</p>" ||
		!a.PublishedAt.Equal(time.Date(2024, 7, 3, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("harbour-wall-repaired: section %q, body %q, published %v", a.Section.Name, a.BodyHTML, a.PublishedAt)
	}
	brief := bySlug(t, st, "a-headline-less-brief-about-the-tides")
	if !brief.PublishedAt.Equal(now) || brief.Section.Slug != "" {
		t.Errorf("undated record: published %v, section %q; want the import's time and none", brief.PublishedAt, brief.Section.Slug)
	}
	// Imported again later, an undated story keeps its date and so its address.
	opt := options()
	opt.Now = func() time.Time { return now.Add(48 * time.Hour) }
	importFiles(t, st, opt, "corpus.jsonl")
	if got := bySlug(t, st, brief.Slug); !got.PublishedAt.Equal(now) {
		t.Errorf("undated record imported again: published %v, want %v", got.PublishedAt, now)
	}
}

func TestBrokenFilesChangeNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want string // the error's end
	}{
		{"site-broken.xml", "site-broken.xml: wxr: line 196, column 19: element <menu_order> closed by </menu_ordr>"},
		{"broken.rss", "broken.rss: RSS feed: line 11, column 29: element <description> closed by </descriptio>"}, // the "</" of the wrong end tag
		{"broken-entity.rss", "broken-entity.rss: RSS feed: line 11, column 23: invalid character entity &chips;"},
		{"broken-utf8.rss", "broken-utf8.rss: RSS feed: line 6, column 15: invalid UTF-8"},
		{"broken.jsonl", "broken.jsonl: JSON Lines: line 2, column 72: unexpected end of JSON input"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			st := newStore(t)
			importFiles(t, st, options(), "corpus.jsonl")
			before := countAll(t, st)
			// The good file first: all or nothing means it goes too.
			_, err := importer.Import(t.Context(), st, open(t, "site.xml", tc.file), options())
			if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
				t.Fatalf("Import(site.xml, %s) = %v, want an error ending %q", tc.file, err, tc.want)
			}
			if after := countAll(t, st); after != before {
				t.Errorf("after a failed import the store holds %+v, want %+v as before", after, before)
			}
			var wx *wxr.SyntaxError
			var ix *importer.SyntaxError
			if !errors.As(err, &wx) && !errors.As(err, &ix) {
				t.Errorf("error %v is no SyntaxError", err)
			}
		})
	}
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	before := countAll(t, st)
	opt := options()
	opt.DryRun = true
	sums := importFiles(t, st, opt, "site.xml")
	if sums[0].Created[importer.KindStory] != 7 {
		t.Errorf("dry run reports %d stories, want 7 (one trashed, kept unpublished)", sums[0].Created[importer.KindStory])
	}
	if after := countAll(t, st); after != before {
		t.Errorf("after a dry run the store holds %+v, want %+v", after, before)
	}
}

func TestUsers(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	opt := options()
	opt.Users = true
	sums := importFiles(t, st, opt, "site.xml")
	if got := sums[0].Created[importer.KindUser]; got != 1 {
		t.Errorf("Created[%s] = %d, want 1 (Bob Smith has no email address)", importer.KindUser, got)
	}
	u, err := st.UserByEmail(t.Context(), "alice@old.example")
	if err != nil {
		t.Fatalf("UserByEmail = %v", err)
	}
	au, err := st.AuthorBySlug(t.Context(), "alice")
	if err != nil || u.AuthorID != au.ID || u.PasswordHash != "" || u.Role != "author" {
		t.Errorf("user %+v, byline %+v, %v; want an author without a password, linked to the byline", u, au, err)
	}
	// Without the flag, no accounts.
	st2 := newStore(t)
	importFiles(t, st2, options(), "site.xml")
	if users, err := st2.Users(t.Context()); err != nil || len(users) != 0 {
		t.Errorf("Users() without --users = %d, %v; want none", len(users), err)
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	opt := options()
	var last importer.Progress
	calls := 0
	opt.Progress = func(p importer.Progress) {
		if p.Done < last.Done && p.File == last.File {
			t.Errorf("progress went back from %d to %d bytes", last.Done, p.Done)
		}
		last = p
		calls++
	}
	files := open(t, "site.xml")
	importFiles(t, st, opt, "site.xml")
	if calls < 10 || last.Done != files[0].Size || last.Total != files[0].Size || last.Items == 0 {
		t.Errorf("%d progress calls, last %+v; want at least 10 ending at %d bytes", calls, last, files[0].Size)
	}
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestSummaryGolden(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	var b strings.Builder
	for _, s := range importFiles(t, st, options(), "site.xml", "disqus.xml", "feed.rss", "corpus.jsonl") {
		s.Duration = 0
		if _, err := s.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
	}
	golden := filepath.Join("testdata", "summary.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(readFile(t, golden), b.String()); diff != "" {
		t.Errorf("summaries (-%s +got):\n%s", golden, diff)
	}
}

// FuzzImport feeds any bytes to the importer: it must answer summaries or an error, never panic,
// and a dry run must leave the store as it was. Under -fuzz the coverage counters of the SQLite
// driver make each run slow (a few a second); the parsers have fast fuzz tests of their own.
func FuzzImport(f *testing.F) {
	for _, n := range []string{"site.xml", "disqus.xml", "feed.rss", "feed.atom", "corpus.jsonl", "broken.jsonl"} {
		f.Add([]byte(readFile(f, filepath.Join("testdata", n))))
	}
	st := newStore(f)
	before := countAll(f, st)
	opt := options()
	opt.DryRun = true
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = importer.Import(t.Context(), st, []importer.File{{Name: "fuzz", R: bytes.NewReader(b)}}, opt)
		if after := countAll(t, st); after != before {
			t.Fatalf("a dry run changed the store: %+v, want %+v", after, before)
		}
	})
}

// TestDisqusCommentUnderTwoThreads imports a Disqus export where a story had two threads (its
// permalink and its plain link) holding the same comment: it is attached once, its reply
// hangs on it, and the summary counts the merge.
func TestDisqusCommentUnderTwoThreads(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	sums := importFiles(t, st, options(), "site.xml", "disqus-twice.xml")
	if s := sums[1]; s.Merged != 1 || s.Created[importer.KindComment] != 2 {
		t.Errorf("disqus-twice.xml: %d merged, %d comments created; want 1 and 2", s.Merged, s.Created[importer.KindComment])
	}
	var got []string
	names := map[int64]string{}
	for _, c := range comments(t, st, bySlug(t, st, "election-night").ID) {
		names[c.ID] = c.AuthorName
		if c.AuthorIP == "192.0.2.40" { // the Disqus file's
			got = append(got, c.AuthorName+" ← "+names[c.ParentID])
		}
	}
	if diff := cmp.Diff([]string{"Joe Reader ← ", "Liz Reader ← Joe Reader"}, got); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}
}

// TestTitlesArePlainText imports titles with markup and posts without a title: the markup goes,
// its words stay; an untitled draft is "Untitled draft" and an untitled post takes the start
// of its text, never a <!--more--> mark or a tag.
func TestTitlesArePlainText(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	importFiles(t, st, options(), "titles.xml")
	list, _, err := st.ListArticles(t.Context(), store.ArticleQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, a := range list {
		titles = append(titles, string(a.Status)+": "+a.Title)
	}
	slices.Sort(titles)
	want := []string{"draft: Untitled draft", "published: Foo & bar", "published: The harbour reopened today after the long strike."}
	if diff := cmp.Diff(want, titles); diff != "" {
		t.Errorf("titles (-want +got):\n%s", diff)
	}
}
