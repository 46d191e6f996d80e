// Package relatedeval measures the related-stories engine on a labelled
// corpus, beside two baselines, and at synthetic scale.
//
// It implements the command
//
//	broadsheet related eval --corpus FILE.jsonl[.gz] [--k 5] [--label category] [--json] [--limit N]
//	broadsheet related eval --corpus FILE.jsonl[.gz] --synthetic N [--json]
//
// The first form treats stories with the same label as relevant to each
// other and prints precision@k, nDCG@k, MRR, coverage, build time, query
// latency and memory per story for the engine, for tag overlap scored as
// Hugo does it and for exact TF-IDF cosine, with the recall of the engine's
// top 10 against the exhaustive top 10 of its own weighting. The second
// builds an index of N stories resampled from the corpus to measure build
// time, latency, update time and memory at scale.
package relatedeval

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/broadsheet/broadsheet/internal/related"
	"github.com/broadsheet/broadsheet/internal/text"
)

// options are the command's flags.
type options struct {
	corpus    string
	k         int
	label     string
	json      bool
	limit     int
	synthetic int
	queries   int
	seed      uint64
}

// Command runs "broadsheet related eval" with args, the arguments after
// "eval". It writes the report to stdout and warnings to stderr.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("related eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.corpus, "corpus", "", "labelled corpus, JSON Lines, plain or gzip `FILE`")
	fs.IntVar(&o.k, "k", 5, "results per story")
	fs.StringVar(&o.label, "label", "category", "record `field` whose equal values mark related stories")
	fs.BoolVar(&o.json, "json", false, "print JSON instead of a table")
	fs.IntVar(&o.limit, "limit", 0, "read at most `N` stories (0: all)")
	fs.IntVar(&o.synthetic, "synthetic", 0, "build an index of `N` stories resampled from the corpus and measure it")
	fs.IntVar(&o.queries, "queries", 1000, "queries and updates to time in --synthetic mode")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed for --synthetic")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case o.corpus == "":
		return errors.New("relatedeval: --corpus is required")
	case o.k < 1:
		return fmt.Errorf("relatedeval: --k %d: must be at least 1", o.k)
	case fs.NArg() > 0:
		return fmt.Errorf("relatedeval: unexpected argument %q", fs.Arg(0))
	}
	stories, err := readCorpusFile(ctx, o.corpus, o.label, o.limit, stderr)
	if err != nil {
		return err
	}
	if o.synthetic > 0 {
		rep, err := runSynthetic(ctx, stories, o)
		if err != nil {
			return err
		}
		return rep.write(stdout, o.json)
	}
	rep, err := evaluate(ctx, stories, o)
	if err != nil {
		return err
	}
	return rep.write(stdout, o.json)
}

// EngineReport holds the measures of one engine. Times are wall-clock;
// the CPU variants count the CPU time of the work alone, which on a shared
// machine shows its cost without the time spent waiting for a core.
type EngineReport struct {
	Engine          string  `json:"engine"`
	PrecisionAtK    float64 `json:"precision_at_k"`
	NDCGAtK         float64 `json:"ndcg_at_k"`
	MRR             float64 `json:"mrr"`
	Coverage        float64 `json:"coverage"`
	BuildSeconds    float64 `json:"build_seconds"`
	BuildCPUSeconds float64 `json:"build_cpu_seconds"`
	QueryP50Ms      float64 `json:"query_p50_ms"`
	QueryP99Ms      float64 `json:"query_p99_ms"`
	QueryCPUP50Ms   float64 `json:"query_cpu_p50_ms"`
	QueryCPUP99Ms   float64 `json:"query_cpu_p99_ms"`
	BytesPerStory   float64 `json:"bytes_per_story"`
}

// report is the result of an evaluation.
type report struct {
	Corpus          string         `json:"corpus"`
	Stories         int            `json:"stories"`
	Labels          int            `json:"labels"`
	K               int            `json:"k"`
	AnalysisSeconds float64        `json:"analysis_seconds"`
	Engines         []EngineReport `json:"engines"`
	// RecallAt10 is the share of the exact top 10 of the engine's own
	// weighting over the terms each story keeps (every story that can reach
	// the top 10 scored in full) that the engine returns in its top 10.
	RecallAt10 float64 `json:"recall_at_10_vs_exact"`
	// RecallAt10Full is the same against exact scoring over every term of
	// every story (no MaxTerms, no MaxDocFreq).
	RecallAt10Full float64 `json:"recall_at_10_vs_exact_full_vectors"`
}

func evaluate(ctx context.Context, stories []story, o options) (*report, error) {
	a := text.NewAnalyzer(text.English())
	c := &corpus{stories: stories, terms: make([][]related.Term, len(stories)), keywords: make([][]string, len(stories))}
	analysis := timed(func() {
		for i, s := range stories {
			c.terms[i] = analyse(a, s)
			c.keywords[i] = titleKeywords(a, s)
		}
	})
	labels := make(map[string]int)
	for _, s := range stories {
		labels[s.label]++
	}
	rep := &report{Corpus: o.corpus, Stories: len(stories), Labels: len(labels), K: o.k, AnalysisSeconds: analysis.Seconds()}

	ours, buildOurs, memOurs, err := measureBuild(func() (indexEngine, error) { return buildIndex(c, related.DefaultConfig()) })
	if err != nil {
		return nil, err
	}
	keywords, buildKw, memKw, _ := measureBuild(func() (*keywordEngine, error) { return buildKeywords(c), nil })
	cosine, buildCos, memCos, _ := measureBuild(func() (*cosineEngine, error) { return buildCosine(c), nil })
	engines := []struct {
		name  string
		e     engine
		build stopwatch
		mem   int64
	}{
		{"broadsheet", ours, buildOurs, memOurs},
		{"tag overlap (Hugo)", keywords, buildKw, memKw},
		{"tf-idf cosine (exact)", cosine, buildCos, memCos},
	}
	for _, e := range engines {
		er, err := judgeEngine(ctx, c, e.e, o.k, labels)
		if err != nil {
			return nil, err
		}
		er.Engine = e.name
		er.BuildSeconds, er.BuildCPUSeconds = e.build.wall.Seconds(), e.build.cpu.Seconds()
		er.BytesPerStory = float64(e.mem) / float64(len(stories))
		rep.Engines = append(rep.Engines, er)
	}

	exact := related.DefaultConfig()
	exact.Candidates = -1
	full := exact
	full.MaxTerms, full.MaxDocFreq = -1, 1
	for _, r := range []struct {
		cfg related.Config
		to  *float64
	}{{exact, &rep.RecallAt10}, {full, &rep.RecallAt10Full}} {
		if *r.to, err = recallAgainst(ctx, c, ours, r.cfg); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// recallAgainst returns the mean recall of e's top 10 against the top 10 of
// an index built with cfg.
func recallAgainst(ctx context.Context, c *corpus, e engine, cfg related.Config) (float64, error) {
	ref, err := buildIndex(c, cfg)
	if err != nil {
		return 0, err
	}
	var sum float64
	for q := range c.stories {
		if q%256 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		sum += recall(e.related(q, 10), ref.related(q, 10))
	}
	return sum / float64(len(c.stories)), nil
}

// judgeEngine runs every story as a query against e.
func judgeEngine(ctx context.Context, c *corpus, e engine, k int, labels map[string]int) (EngineReport, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var total quality
	var lat latencies
	for q, s := range c.stories {
		if q%256 == 0 {
			if err := ctx.Err(); err != nil {
				return EngineReport{}, err
			}
		}
		var res []int
		lat.add(threadTimed(func() { res = e.related(q, k) }))
		total.add(judge(res, k, func(r int) bool { return c.stories[r].label == s.label }, labels[s.label]-1))
	}
	total.scale(1 / float64(len(c.stories)))
	return EngineReport{
		PrecisionAtK:  total.precision,
		NDCGAtK:       total.ndcg,
		MRR:           total.mrr,
		Coverage:      total.coverage,
		QueryP50Ms:    ms(percentile(lat.wall, 50)),
		QueryP99Ms:    ms(percentile(lat.wall, 99)),
		QueryCPUP50Ms: ms(percentile(lat.cpu, 50)),
		QueryCPUP99Ms: ms(percentile(lat.cpu, 99)),
	}, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r *report) write(w io.Writer, asJSON bool) error {
	if asJSON {
		return writeJSON(w, r)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "corpus %s: %d stories, %d labels, k=%d, analysis %.2fs (%s, GOMAXPROCS=%d)\n",
		r.Corpus, r.Stories, r.Labels, r.K, r.AnalysisSeconds, runtime.Version(), runtime.GOMAXPROCS(0))
	fmt.Fprintf(tw, "engine\tP@%d\tnDCG@%d\tMRR\tcoverage\tbuild\tbuild cpu\tp50\tp99\tp50 cpu\tp99 cpu\tbytes/story\n", r.K, r.K)
	for _, e := range r.Engines {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%5.2fs\t%5.2fs\t%6.3fms\t%6.3fms\t%6.3fms\t%6.3fms\t%6.0f\n",
			e.Engine, e.PrecisionAtK, e.NDCGAtK, e.MRR, e.Coverage, e.BuildSeconds, e.BuildCPUSeconds,
			e.QueryP50Ms, e.QueryP99Ms, e.QueryCPUP50Ms, e.QueryCPUP99Ms, e.BytesPerStory)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "recall@10 of broadsheet against exact scoring of the terms each story keeps: %.3f; of every term: %.3f\n",
		r.RecallAt10, r.RecallAt10Full)
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
