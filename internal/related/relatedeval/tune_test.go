package relatedeval

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/related"
	"github.com/broadsheet/broadsheet/internal/text"
)

var (
	tune       = flag.Bool("tune", false, "run TestTune: the engine's settings measured on the shared corpora")
	tuneVary   = flag.String("tune-vary", "", "TestTune: rewrite the stories first (see --vary)")
	tuneCorpus = flag.String("tune-corpus", "", "TestTune: measure only the shared corpus of this name (bbc, basil, reuters, bbc+reuters, basil+bbc)")
	tuneOnly   = flag.String("tune-only", "", "TestTune: measure only the variant of this name (default, b=0.5, …)")
)

// TestTune prints the engine's quality under variations of its settings on
// every shared corpus, beside exact TF-IDF cosine. It measures; it asserts
// nothing about the figures.
func TestTune(t *testing.T) {
	if !*tune {
		t.Skip("run with -tune")
	}
	variants := []struct {
		name string
		cfg  func(*related.Config)
	}{
		{"default", func(*related.Config) {}},
		{"b=0.5", func(c *related.Config) { c.B = 0.5 }},
		{"b=0.9", func(c *related.Config) { c.B = 0.9 }},
		{"k1=1.2", func(c *related.Config) { c.K1 = 1.2 }},
		{"k1=2", func(c *related.Config) { c.K1 = 2 }},
		{"entity=1.6", func(c *related.Config) { c.EntityBoost = 1.6 }},
		{"entity=1", func(c *related.Config) { c.EntityBoost = 1 }},
		{"maxdf=0.2", func(c *related.Config) { c.MaxDocFreq = 0.2 }},
		{"maxterms=96", func(c *related.Config) { c.MaxTerms = 96 }},
		{"no topics", func(c *related.Config) { c.Topics = -1 }},
		{"topics=32", func(c *related.Config) { c.Topics = 32 }},
		{"topics=96", func(c *related.Config) { c.Topics = 96 }},
		{"topicweight=1.5", func(c *related.Config) { c.TopicWeight = 1.5 }},
		{"topicdepth=50", func(c *related.Config) { c.TopicDepth = 50 }},
	}
	for _, co := range sharedCorpora() {
		if *tuneCorpus != "" && co.name != *tuneCorpus {
			continue
		}
		c := loadCorpus(t, co)
		sizes := labelSizes(c)
		cos, err := judgeEngine(t.Context(), c, buildCosine(c), 5, sizes)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("%-8s %-24s P@5 %.3f nDCG %.3f MRR %.3f R@10 %.3f p99cpu %.3fms\n", co.name, "cosine", cos.Micro.PrecisionAtK, cos.Micro.NDCGAtK, cos.Micro.MRR, cos.Micro.RecallAt10, cos.QueryCPUP99Ms)
		for _, v := range variants {
			if *tuneOnly != "" && v.name != *tuneOnly {
				continue
			}
			cfg := related.DefaultConfig()
			cfg.MinEvidence = 0 // the ranking alone
			v.cfg(&cfg)
			ix, err := buildIndex(c, cfg)
			if err != nil {
				t.Fatal(err)
			}
			r, err := judgeEngine(t.Context(), c, ix, 5, sizes)
			if err != nil {
				t.Fatal(err)
			}
			m := r.Micro
			fmt.Printf("%-8s %-24s P@5 %.3f nDCG %.3f MRR %.3f R@10 %.3f p99cpu %.3fms  ΔP@5 %+.3f ΔMRR %+.3f\n", co.name, v.name, m.PrecisionAtK, m.NDCGAtK, m.MRR, m.RecallAt10, r.QueryCPUP99Ms,
				m.PrecisionAtK-cos.Micro.PrecisionAtK, m.MRR-cos.Micro.MRR)
		}
	}
}

// sharedCorpus is a corpus of ../shared/data; when distractors is set, the
// first 2,000 stories of that corpus join the pool without a label.
type sharedCorpus struct{ name, path, label, distractors string }

// sharedCorpora lists the labelled corpora of ../shared/data.
func sharedCorpora() []sharedCorpus {
	data := filepath.Join("..", "..", "..", "..", "shared", "data")
	return []sharedCorpus{
		{"bbc", filepath.Join(data, "bbc-news", "bbc-news.jsonl"), "category", ""},
		{"basil", filepath.Join(data, "events", "basil.jsonl"), "category", ""},
		{"reuters", filepath.Join(data, "reuters-21578", "reuters-21578.jsonl.gz"), "category", ""},
		{"bbc+reuters", filepath.Join(data, "bbc-news", "bbc-news.jsonl"), "category", filepath.Join(data, "reuters-21578", "reuters-21578.jsonl.gz")},
		{"basil+bbc", filepath.Join(data, "events", "basil.jsonl"), "category", filepath.Join(data, "bbc-news", "bbc-news.jsonl")},
	}
}

// loadCorpus reads and analyses a corpus without dates (content alone); its
// queries are the stories whose label another story shares.
func loadCorpus(t *testing.T, co sharedCorpus) *corpus {
	t.Helper()
	stories, _, err := readCorpusFile(t.Context(), co.path, co.label, 0, false, &nopWriter{})
	if err != nil {
		t.Fatal(err)
	}
	if co.distractors != "" {
		more, _, err := readCorpusFile(t.Context(), co.distractors, co.label, 2000, false, &nopWriter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range more {
			s.label = ""
			stories = append(stories, s)
		}
	}
	if err := vary(stories, *tuneVary); err != nil {
		t.Fatal(err)
	}
	a := text.NewAnalyzer(text.English())
	c := &corpus{stories: stories, terms: make([][]related.Term, len(stories)),
		sketches: make([]related.Sketch, len(stories)), keywords: make([][]string, len(stories))}
	for i, s := range stories {
		stories[i].date = time.Time{}
		c.terms[i] = analyse(a, s)
		c.sketches[i] = sketch(s)
	}
	sizes := labelSizes(c)
	for i, s := range stories {
		if s.label != "" && sizes[s.label] >= 2 {
			c.queries = append(c.queries, i)
		}
	}
	return c
}

func labelSizes(c *corpus) map[string]int {
	sizes := map[string]int{}
	for _, s := range c.stories {
		if s.label != "" {
			sizes[s.label]++
		}
	}
	return sizes
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

var reasons = flag.Bool("reasons", false, "run TestReasons: print the reasons of links chosen at random")

// TestReasons prints the reasons of ten links chosen at random on each shared
// corpus, for a reader to judge.
func TestReasons(t *testing.T) {
	if !*reasons {
		t.Skip("run with -reasons")
	}
	data := filepath.Join("..", "..", "..", "..", "shared", "data")
	for _, path := range []string{filepath.Join(data, "bbc-news", "bbc-news.jsonl"), filepath.Join(data, "events", "basil.jsonl"),
		filepath.Join(data, "reuters-21578", "reuters-21578.jsonl.gz")} {
		stories, _, err := readCorpusFile(t.Context(), path, "category", 0, false, &nopWriter{})
		if err != nil {
			t.Fatal(err)
		}
		a := text.NewAnalyzer(text.English())
		ix := related.New(related.DefaultConfig())
		for i, s := range stories {
			if err := ix.Add(related.NewDocument(int64(i), time.Time{}, analyse(a, s))); err != nil {
				t.Fatal(err)
			}
		}
		rng := rand.New(rand.NewPCG(16, 16))
		for range 10 {
			q := rng.IntN(len(stories))
			rs, err := ix.Related(int64(q), 5)
			if err != nil || len(rs) == 0 {
				continue
			}
			r := rs[rng.IntN(len(rs))]
			fmt.Printf("%s | %.50q → %.50q: %s\n", filepath.Base(path), stories[q].title, stories[r.ID].title, r.Why())
		}
	}
}

var evidence = flag.Bool("evidence", false, "run TestEvidence: precision and coverage under minimum-evidence thresholds")

// TestEvidence prints, on every shared corpus and for several MinEvidence
// thresholds, the precision of the links shown (of the top 5), how many are
// shown per story and the share of stories shown at least one. It measures;
// it asserts nothing about the figures.
func TestEvidence(t *testing.T) {
	if !*evidence {
		t.Skip("run with -evidence")
	}
	for _, co := range sharedCorpora() {
		c := loadCorpus(t, co)
		for _, min := range []float64{0, 0.1, 0.15, 0.2, 0.25} {
			cfg := related.DefaultConfig()
			cfg.MinEvidence = min
			ix, err := buildIndex(c, cfg)
			if err != nil {
				t.Fatal(err)
			}
			sh := measureShown(c, ix, 5)
			fmt.Printf("%-8s min evidence %.2f: precision of shown links %.3f, links per story %.2f, stories with a link %.3f\n",
				co.name, min, sh.Precision, sh.LinksPerStory, sh.StoriesWithLinks)
		}
	}
}
