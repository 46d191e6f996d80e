package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/importer"
)

// importData is the importer's own test data: a small WordPress site and its Disqus comments.
func importData(name string) string {
	return filepath.Join("..", "..", "internal", "importer", "testdata", name)
}

// cli runs a command line against the site of m, as another process would, and returns its
// exit code and output.
func cli(t *testing.T, m *Main, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append([]string{args[0], "--data", m.Config.Data}, args[1:]...)
	code := run(t.Context(), args, &stdout, &stderr, func(string) string { return "" })
	return code, stdout.String(), stderr.String()
}

// TestImportKeepsOldURLs imports a WordPress site and its Disqus comments into a running site
// with the demo newsroom, and asks the server for the old site's addresses.
func TestImportKeepsOldURLs(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	_, front := get(t, m, "/")
	demo := storyLinks(parse(t, front))
	code, out, errOut := cli(t, m, "import", importData("site.xml"), importData("disqus.xml"))
	if code != 0 {
		t.Fatalf("import = %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"stories               7 new", "comments              4 new", "old URLs kept"} {
		if !strings.Contains(out, want) {
			t.Errorf("import summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "site.xml 100%") {
		t.Errorf("progress on a pipe = %q, want log lines ending at 100%%", errOut)
	}

	tests := []struct{ path, to string }{
		{"/?p=10", "/2024/05/01/election-night/"},
		{"/?page_id=12", "/about-2/"}, // the demo newsroom has an /about/ page
		{"/election-night/", "/2024/05/01/election-night/"},
		{"/hello_world/", "/2009/12/01/hello-world/"},
		{"/2009/12/01/hello_world/", "/2009/12/01/hello-world/"},
		{"/hello_world/feed/", "/2009/12/01/hello-world/feed/"},
		{"/category/news/", "/section/news/"},
		{"/category/news/politics/", "/tag/politics/"},
		{"/category/politics/", "/tag/politics/"},
		{"/category/news/politics/feed/", "/tag/politics/feed/"},
		{"/?cat=3", "/tag/politics/"},
		{"/?tag=st%C3%A4dte", "/tag/st%C3%A4dte/"}, // non-ASCII is percent-encoded in Location
		{"/author/bob_smith/", "/author/bob-smith/"},
		{"/feed/rss2/", "/feed/"},
		{"/?feed=rss2", "/feed/"},
	}
	for _, tc := range tests {
		resp, _ := get(t, m, tc.path)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != tc.to {
			t.Errorf("GET %s = %d to %q, want 301 to %q", tc.path, resp.StatusCode, resp.Header.Get("Location"), tc.to)
		}
	}
	for _, path := range []string{"/2024/05/01/election-night/", "/2024/05/02/st%C3%A4dte-wachsen/", "/about-2/", "/tag/politics/",
		"/section/news/", "/author/bob-smith/", "/2024/05/01/election-night/feed/"} {
		mustGet(t, m, path, http.StatusOK)
	}
	for _, path := range []string{"/staff-only/", "/unfinished/", "/?p=13"} {
		if resp, _ := get(t, m, path); resp.StatusCode == http.StatusMovedPermanently {
			t.Errorf("GET %s = 301 to %s; drafts and private posts had no address to keep", path, resp.Header.Get("Location"))
		}
	}

	story := mustGet(t, m, "/2024/05/01/election-night/", http.StatusOK)
	for _, want := range []string{"Carol Reader", "Dan Reader", "Fay Reader", "Gus Reader", "A crowd at the count"} {
		if !strings.Contains(story, want) {
			t.Errorf("story page lacks %q", want)
		}
	}
	for _, hidden := range []string{"Another Blog", "Cheap Pills", "Waiting for moderation", "carol@example.net", "192.0.2.10"} {
		if strings.Contains(story, hidden) {
			t.Errorf("story page shows %q: pingbacks, spam, held comments and private data stay off it", hidden)
		}
	}
	// The demo newsroom is still there.
	for _, link := range demo {
		mustGet(t, m, link, http.StatusOK)
	}

	// Importing again updates.
	code, out, _ = cli(t, m, "import", importData("site.xml"))
	if code != 0 || !strings.Contains(out, "stories               0 new, 7 updated") {
		t.Errorf("import again = %d:\n%s", code, out)
	}
}

func TestImportRefusesBrokenFiles(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	before := mustGet(t, m, "/", http.StatusOK)
	code, out, errOut := cli(t, m, "import", importData("site.xml"), importData("site-broken.xml"))
	if code != 1 || !strings.Contains(errOut, "site-broken.xml: wxr: line 196, column 19") || !strings.Contains(errOut, "Nothing was imported") {
		t.Errorf("import of a broken file = %d\n%s\n%s; want 1 and the line and column", code, out, errOut)
	}
	if _, err := m.Store.ArticleBySlug(t.Context(), "election-night"); err == nil {
		t.Error("the good file before the broken one was imported; want all or nothing")
	}
	if after := mustGet(t, m, "/", http.StatusOK); after != before {
		t.Error("the front page changed after a failed import")
	}
	for _, args := range [][]string{{"import"}, {"import", "--nope", "x"}, {"export", "--format", "csv"}, {"export", "stray"}} {
		if code, _, _ := cli(t, m, args...); code != 2 {
			t.Errorf("%v = %d, want 2", args, code)
		}
	}
	if code, _, errOut := cli(t, m, "import", "--dry-run", importData("site.xml")); code != 0 {
		t.Errorf("dry run = %d: %s", code, errOut)
	}
	if _, err := m.Store.ArticleBySlug(t.Context(), "election-night"); err == nil {
		t.Error("a dry run saved a story")
	}
}

func TestExportCommand(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	if code, _, errOut := cli(t, m, "import", importData("site.xml")); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	dir := t.TempDir()
	tests := []struct {
		args    []string
		file    string
		want    []string
		private bool
	}{
		{[]string{"export", "--format", "wxr", "--out", filepath.Join(dir, "site.xml")}, "site.xml",
			[]string{"<wp:wxr_version>1.2</wp:wxr_version>", "Election night: the count"}, false},
		{[]string{"export", "--format", "wxr", "--private", "--out", filepath.Join(dir, "private.xml")}, "private.xml",
			[]string{"Election night: the count"}, true},
		{[]string{"export", "--format", "jsonl", "--out", filepath.Join(dir, "site.jsonl")}, "site.jsonl",
			[]string{`"title":"Election night: the count"`}, false},
	}
	for _, tc := range tests {
		code, out, errOut := cli(t, m, tc.args...)
		if code != 0 || !strings.Contains(out, "Exported") {
			t.Fatalf("%v = %d\n%s\n%s", tc.args, code, out, errOut)
		}
		b, err := os.ReadFile(filepath.Join(dir, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !bytes.Contains(b, []byte(w)) {
				t.Errorf("%s lacks %q", tc.file, w)
			}
		}
		if got := bytes.Contains(b, []byte("carol@example.net")); got != tc.private {
			t.Errorf("%s holds a commenter's email: %v, want %v", tc.file, got, tc.private)
		}
	}
	// To standard output, and back into an empty site.
	code, out, _ := cli(t, m, "export", "--format", "jsonl")
	if code != 0 || !strings.Contains(out, "election-night") {
		t.Errorf("export to standard output = %d, %.200q", code, out)
	}
	cfg := DefaultConfig()
	cfg.Data, cfg.Demo = t.TempDir(), false
	empty := NewMain(cfg)
	if code, _, errOut := cli(t, empty, "import", filepath.Join(dir, "site.xml")); code != 0 {
		t.Fatalf("import of the export = %s", errOut)
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    importer.Progress
		bar  bool
		want string
	}{
		{"start", importer.Progress{File: "site.xml", Total: 10 << 20}, true,
			"site.xml [........................]   0% 0.0 MB of 10.0 MB, 0 items"},
		{"half", importer.Progress{File: "site.xml", Done: 5 << 20, Total: 10 << 20, Items: 1000, Elapsed: 10 * time.Second}, true,
			"site.xml [############............]  50% 5.0 MB of 10.0 MB, 1000 items, 100 items/s, 0.5 MB/s, 10s left"},
		{"log line", importer.Progress{File: "site.xml", Done: 5 << 20, Total: 10 << 20, Items: 1000, Elapsed: 10 * time.Second}, false,
			"site.xml  50% 5.0 MB of 10.0 MB, 1000 items, 100 items/s, 0.5 MB/s, 10s left"},
		{"unknown size", importer.Progress{File: "-", Done: 1 << 20, Items: 3, Elapsed: time.Second}, false,
			"- 1.0 MB, 3 items, 3 items/s, 1.0 MB/s"},
	}
	for _, tc := range tests {
		if got := progressLine(tc.p, tc.bar); got != tc.want {
			t.Errorf("%s: progressLine = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestProgressBarOnATerminal(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	clock := time.Unix(0, 0)
	bar := newProgressBar(&b, true, func() time.Time { return clock })
	for i := range 10 {
		clock = clock.Add(50 * time.Millisecond)
		bar.update(importer.Progress{File: "a.xml", Done: int64(i), Total: 10, Items: i})
	}
	bar.update(importer.Progress{File: "b.xml", Done: 1, Total: 10, Items: 1})
	bar.finish()
	out := b.String()
	if n := strings.Count(out, "\r"); n < 5 || n > 9 {
		t.Errorf("%d redraws for 11 updates 50ms apart, want one every 100ms or so:\n%q", n, out)
	}
	if strings.Count(out, "\n") != 2 || !strings.Contains(out, "a.xml [####") || !strings.HasSuffix(out, "\x1b[K\n") {
		t.Errorf("output = %q, want one finished line per file", out)
	}
}

// TestImportCheckURLs imports a site with --check-urls and --json: the report lists the old
// URLs that would not answer, and the command fails because of them.
func TestImportCheckURLs(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	list := filepath.Join(t.TempDir(), "old-urls.txt")
	urls := "# from the old sitemap\nhttps://old.example/?p=10\n/hello_world/feed/\n\n/2009/12/\n/never-was-here/\n"
	if err := os.WriteFile(list, []byte(urls), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, m, "import", "--json", "--check-urls", list, importData("site.xml"))
	if code == 0 {
		t.Fatalf("import --check-urls with an unknown URL = 0, want a failure\n%s", out)
	}
	var report struct {
		Files []struct {
			Redirects int
			Created   map[string]int
		} `json:"files"`
		Checked int      `json:"urls_checked"`
		Failed  []answer `json:"urls_not_answering"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("--json output = %v\n%s", err, out)
	}
	if len(report.Files) != 1 || report.Files[0].Created["stories"] != 7 || report.Files[0].Redirects == 0 {
		t.Errorf("--json files = %+v, want one file with 7 stories (one trashed, kept unpublished) and its old URLs", report.Files)
	}
	want := []answer{{URL: "/never-was-here/", Code: http.StatusNotFound, Chain: "404"}}
	if diff := cmp.Diff(want, report.Failed); report.Checked != 4 || diff != "" {
		t.Errorf("checked %d old URLs, want 4; not answering (-want +got):\n%s", report.Checked, diff)
	}
	if !strings.Contains(errOut, "1 of 4 old URLs would not answer") {
		t.Errorf("stderr = %q, want the count of URLs not answering", errOut)
	}
}

// TestFailedImportLeavesNothing imports a broken file, and dry-runs a good one, into a data
// directory that does not exist yet: neither leaves a database (or the directory) behind.
func TestFailedImportLeavesNothing(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{importData("site-broken.xml")}, {"--dry-run", importData("site.xml")}} {
		data := filepath.Join(t.TempDir(), "new-site")
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), append([]string{"import", "--data", data}, args...), &stdout, &stderr, func(string) string { return "" })
		if wantCode := map[bool]int{true: 0, false: 1}[args[0] == "--dry-run"]; code != wantCode {
			t.Errorf("import %v = %d, want %d\n%s", args, code, wantCode, stderr.String())
		}
		if _, err := os.Stat(data); !os.IsNotExist(err) {
			entries, _ := os.ReadDir(data)
			t.Errorf("import %v into a new data directory left it behind: %v, %v", args, err, entries)
		}
	}
}

// TestWordPressAddressForms imports a WordPress site and asks for the forms of address the site
// answers itself: date archives, search, pagination and the feed of a renamed permalink.
func TestWordPressAddressForms(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	if code, out, errOut := cli(t, m, "import", importData("site.xml")); code != 0 {
		t.Fatalf("import = %d\n%s\n%s", code, out, errOut)
	}
	for _, path := range []string{"/2024/", "/2024/05/", "/2024/05/01/"} {
		if body := mustGet(t, m, path, http.StatusOK); !strings.Contains(body, "Election night") {
			t.Errorf("GET %s lacks the story of 1 May 2024", path)
		}
	}
	if body := mustGet(t, m, "/2009/12/", http.StatusOK); strings.Contains(body, "Election night") {
		t.Error("GET /2009/12/ lists a story of 2024")
	}
	for _, path := range []string{"/2024/13/", "/2023/02/30/", "/0999/"} {
		mustGet(t, m, path, http.StatusNotFound)
	}
	tests := []struct{ path, to string }{
		{"/?s=the+count", "/search?q=the+count"},
		{"/?m=202405", "/2024/05/"},
		{"/page/2/", "/"}, // WordPress's posts 11-20 are on the first page of twelve
		{"/category/news/page/3/", "/section/news/?page=2"},
		{"/2009/12/01/hello_world/feed/", "/2009/12/01/hello-world/feed/"},
	}
	for _, tc := range tests {
		resp, _ := get(t, m, tc.path)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != tc.to {
			t.Errorf("GET %s = %d to %q, want 301 to %q", tc.path, resp.StatusCode, resp.Header.Get("Location"), tc.to)
		}
	}
}
