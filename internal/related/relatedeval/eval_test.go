package relatedeval

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestJudge(t *testing.T) {
	t.Parallel()
	rel := func(r int) bool { return r%2 == 0 } // even stories are relevant
	tests := []struct {
		name    string
		results []int
		k       int
		total   int
		want    Quality
	}{
		{"all relevant", []int{2, 4, 6}, 3, 10, Quality{PrecisionAtK: 1, NDCGAtK: 1, MRR: 1, RecallAt10: 0.3, Coverage: 1}},
		{"none relevant", []int{1, 3}, 2, 10, Quality{Coverage: 1}},
		{"second relevant", []int{1, 2}, 2, 1, Quality{PrecisionAtK: 0.5, NDCGAtK: 1 / math.Log2(3), MRR: 0.5, RecallAt10: 1, Coverage: 1}},
		{"short list", []int{2}, 2, 5, Quality{PrecisionAtK: 0.5, NDCGAtK: 1 / (1 + 1/math.Log2(3)), MRR: 1, RecallAt10: 0.2}},
		{"no relevant story exists", []int{1}, 1, 0, Quality{Coverage: 1}},
		{"first relevant below k", []int{1, 3, 5, 8, 9}, 2, 2, Quality{MRR: 0.25, RecallAt10: 0.5, Coverage: 1}},
		{"recall counts at most 10", []int{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20}, 1, 400, Quality{PrecisionAtK: 1, NDCGAtK: 1, MRR: 1, RecallAt10: 1, Coverage: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := judge(tt.results, tt.k, rel, tt.total)
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })); diff != "" {
				t.Errorf("judge(%v, %d) (-want +got):\n%s", tt.results, tt.k, diff)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	ds := []time.Duration{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{50, 5}, {99, 10}, {10, 1}, {100, 10}} {
		if got := percentile(ds, tt.p); got != tt.want {
			t.Errorf("percentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil) = %v, want 0", got)
	}
}

func TestCommand(t *testing.T) {
	t.Parallel()
	corpus := filepath.Join("testdata", "mini.jsonl")
	var out, errOut bytes.Buffer
	if err := Command(t.Context(), []string{"--corpus", corpus, "--k", "2", "--json"}, &out, &errOut); err != nil {
		t.Fatalf("Command: %v (stderr %s)", err, errOut.String())
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if rep.Stories != 13 || rep.Labels != 3 || rep.Queries != 12 || rep.Distractors != 1 || rep.K != 2 {
		t.Errorf("report = %d stories, %d labels, %d queries, %d distractors, k=%d; want 13, 3, 12, 1, 2",
			rep.Stories, rep.Labels, rep.Queries, rep.Distractors, rep.K)
	}
	if diff := cmp.Diff(map[string]int{dropDuplicate: 1}, rep.Dropped); diff != "" {
		t.Errorf("dropped (-want +got):\n%s", diff)
	}
	var names []string
	for _, e := range rep.Engines {
		names = append(names, e.Engine)
		if e.PerLabel != nil {
			t.Errorf("%s: per-label figures without --per-label", e.Engine)
		}
		for _, v := range []float64{e.Micro.PrecisionAtK, e.Micro.NDCGAtK, e.Micro.MRR, e.Micro.RecallAt10, e.Micro.Coverage,
			e.Macro.PrecisionAtK, e.Macro.MRR} {
			if v < 0 || v > 1 {
				t.Errorf("%s: measure %v outside [0, 1]", e.Engine, v)
			}
		}
	}
	if diff := cmp.Diff([]string{"broadsheet", "tag overlap (Hugo)", "tf-idf cosine (exact)"}, names); diff != "" {
		t.Errorf("engines (-want +got):\n%s", diff)
	}
	if rep.Engines[0].Micro.PrecisionAtK < 0.5 {
		t.Errorf("broadsheet precision@2 = %v on a corpus of obvious topics", rep.Engines[0].Micro.PrecisionAtK)
	}

	out.Reset()
	if err := Command(t.Context(), []string{"--corpus", corpus, "--per-label", "--exact"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"13 stories, 12 queries in 3 labels", "1 distractors", "dropped 1 records: marked duplicate_of",
		"tag overlap (Hugo)", "P@5", "R@10", "macro P@5", "broadsheet per label: worst P@5", "economy    4", "recall@10 of broadsheet against exact"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCommandSynthetic(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	args := []string{"--corpus", filepath.Join("testdata", "mini.jsonl"), "--synthetic", "300", "--queries", "20", "--json"}
	if err := Command(t.Context(), args, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var rep syntheticReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if rep.Stories != 300 || rep.Sources != 12 || rep.ResultsPerQuery <= 0 {
		t.Errorf("report = %+v, want 300 stories from 12 sources with results", rep)
	}
}

func TestCommandErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.jsonl.gz") // not gzip despite its name
	if err := os.WriteFile(bad, []byte("{\"id\":\"a\",\"category\":\"c\"}\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no corpus", nil, "--corpus is required"},
		{"bad k", []string{"--corpus", empty, "--k", "0"}, "--k 0"},
		{"unknown flag", []string{"--nope"}, "flag provided but not defined"},
		{"extra argument", []string{"--corpus", empty, "extra"}, `unexpected argument "extra"`},
		{"missing file", []string{"--corpus", filepath.Join(dir, "missing.jsonl")}, "no such file"},
		{"empty corpus", []string{"--corpus", empty}, "no labelled stories"},
		{"malformed line", []string{"--corpus", bad}, "line 2: malformed JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Command(t.Context(), tt.args, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Command(%q) error = %v, want one containing %q", tt.args, err, tt.want)
			}
		})
	}
}

// TestRealCorpora runs the evaluation on the shared corpora, when present.
// It checks that the command works on real data; the figures it prints are
// measured, never asserted.
func TestRealCorpora(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	t.Parallel()
	data := filepath.Join("..", "..", "..", "..", "shared", "data")
	for _, path := range []string{
		filepath.Join(data, "bbc-news", "bbc-news.jsonl"),
		filepath.Join(data, "reuters-21578", "reuters-21578.jsonl.gz"),
	} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			if _, err := os.Stat(path); err != nil {
				t.Skipf("shared corpus not available: %v", err)
			}
			var out bytes.Buffer
			if err := Command(t.Context(), []string{"--corpus", path, "--limit", "400"}, &out, &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
			t.Logf("\n%s", out.String())
		})
	}
}

// TestCommandOddStories runs the whole pipeline on stories that are empty,
// one word long, in other scripts, in mixed languages or 5 MB long.
func TestCommandOddStories(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("The Harbour Council met in Port Vell about the ferry. ", 5<<20/54)
	records := []map[string]any{
		{"id": "empty", "title": "", "body": "", "category": "a"},
		{"id": "word", "title": "Ferry", "body": "", "category": "a"},
		{"id": "word2", "title": "", "body": "Ferry", "category": "a"},
		{"id": "zh", "title": "习近平访问莫斯科", "body": "中国国家主席习近平抵达莫斯科，开始对俄罗斯进行国事访问。", "category": "b"},
		{"id": "ru", "title": "Путин и Си Цзиньпин", "body": "Владимир Путин встретился с Си Цзиньпином в Москве.", "category": "b"},
		{"id": "ar", "title": "بوتين وشي", "body": "التقى بوتين وشي جين بينغ في موسكو.", "category": "b"},
		{"id": "mixed", "title": "Putin meets 习近平", "body": "Putin met 习近平 in Москва; the talks ended.", "category": "b"},
		{"id": "big", "title": "Ferry council", "body": big, "category": "a"},
	}
	var in bytes.Buffer
	for _, r := range records {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		in.Write(b)
		in.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "odd.jsonl")
	if err := os.WriteFile(path, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Command(t.Context(), []string{"--corpus", path, "--k", "2", "--json"}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if rep.Stories != len(records)-1 || rep.Dropped[dropEmpty] != 1 {
		t.Errorf("report counts %d stories and %d dropped as empty, want %d and 1", rep.Stories, rep.Dropped[dropEmpty], len(records)-1)
	}
}
