// Package relatedeval measures the related-stories engine on a labelled
// corpus, beside two baselines, and at synthetic scale.
//
// It implements the command
//
//	broadsheet related eval --corpus FILE.jsonl[.gz] [--k 5] [--label-field category] [--dates] [--per-label]
//	        [--exact] [--keep-duplicates] [--vary lead=N,notitle,lower,upper] [--json] [--limit N]
//	broadsheet related eval --corpus FILE.jsonl[.gz] --synthetic N [--json]
//
// The first form treats stories with the same label as relevant to each
// other. Stories without a label stay in the pool as distractors and are
// never queries; so are stories whose label no other story has. It prints,
// micro-averaged over queries and macro-averaged over labels, precision@k,
// nDCG@k, MRR, recall@10 and coverage, with build time, query latency and
// memory per story, for the engine, for tag overlap scored as Hugo does it
// and for exact TF-IDF cosine, and the labels where the engine does worst
// and best. Dates are ignored unless --dates is given. The second form
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
	"slices"
	"strings"
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
	dates     bool
	perLabel  bool
	exact     bool
	vary      string
	copies    bool
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
	fs.StringVar(&o.label, "label-field", "category", "record `field` whose equal values mark related stories (category for topics, cluster for same-event sets)")
	fs.StringVar(&o.label, "label", "category", "the same as --label-field")
	fs.BoolVar(&o.dates, "dates", false, "give the engines the stories' published dates (recency)")
	fs.BoolVar(&o.perLabel, "per-label", false, "print the measures of every label")
	fs.BoolVar(&o.exact, "exact", false, "also measure the engine's recall against its own exhaustive search (slow)")
	fs.StringVar(&o.vary, "vary", "", "rewrite the stories first: comma-separated `variations` of lead=N (first N paragraphs), notitle, lower, upper")
	fs.BoolVar(&o.copies, "keep-duplicates", false, "keep the records marked duplicate_of, to count the links to copies")
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
	stories, dropped, err := readCorpusFile(ctx, o.corpus, o.label, o.limit, o.copies, stderr)
	if err != nil {
		return err
	}
	if err := vary(stories, o.vary); err != nil {
		return err
	}
	if !o.dates {
		for i := range stories {
			stories[i].date = time.Time{}
		}
	}
	if o.synthetic > 0 {
		var labelled []story
		for _, s := range stories {
			if s.label != "" {
				labelled = append(labelled, s)
			}
		}
		rep, err := runSynthetic(ctx, labelled, o)
		if err != nil {
			return err
		}
		return rep.write(stdout, o.json)
	}
	rep, err := evaluate(ctx, stories, o)
	if err != nil {
		return err
	}
	rep.Dropped = dropped
	return rep.write(stdout, o)
}

// EngineReport holds the measures of one engine. Times are wall-clock;
// the CPU variants count the CPU time of the work alone, which on a shared
// machine shows its cost without the time spent waiting for a core.
type EngineReport struct {
	Engine string `json:"engine"`
	// Micro averages over queries, Macro over labels (each label's queries
	// averaged first), so that a few large labels cannot hide the others.
	Micro           Quality       `json:"micro"`
	Macro           Quality       `json:"macro"`
	PerLabel        []LabelReport `json:"per_label,omitempty"`
	Worst           LabelReport   `json:"worst_label"` // by precision@k
	Best            LabelReport   `json:"best_label"`
	BuildSeconds    float64       `json:"build_seconds"`
	BuildCPUSeconds float64       `json:"build_cpu_seconds"`
	QueryP50Ms      float64       `json:"query_p50_ms"`
	QueryP99Ms      float64       `json:"query_p99_ms"`
	QueryCPUP50Ms   float64       `json:"query_cpu_p50_ms"`
	QueryCPUP99Ms   float64       `json:"query_cpu_p99_ms"`
	BytesPerStory   float64       `json:"bytes_per_story"`
	// CopyLinks counts the results, among every query's top k, whose body
	// is the query's (non-empty) body.
	CopyLinks int `json:"copy_links"`
}

// LabelReport holds the measures of one label's queries.
type LabelReport struct {
	Label   string  `json:"label"`
	Queries int     `json:"queries"`
	Quality Quality `json:"quality"`
}

// report is the result of an evaluation.
type report struct {
	Corpus          string         `json:"corpus"`
	Variations      string         `json:"variations,omitempty"`
	LabelField      string         `json:"label_field"`
	Dates           bool           `json:"dates"`
	Stories         int            `json:"stories"`
	Labels          int            `json:"labels"`
	Queries         int            `json:"queries"`
	Distractors     int            `json:"distractors"`
	Singletons      int            `json:"singletons"` // labelled stories no other story shares a label with
	K               int            `json:"k"`
	AnalysisSeconds float64        `json:"analysis_seconds"`
	Dropped         map[string]int `json:"dropped"`
	Engines         []EngineReport `json:"engines"`
	// Shown is what readers see of the engine's lists: the links left once
	// the default minimum evidence has dropped the weak ones.
	Shown Shown `json:"shown"`
	// RecallAt10 is the share of the exact top 10 of the engine's own
	// weighting over the terms each story keeps (every story that can reach
	// the top 10 scored in full) that the engine returns in its top 10.
	RecallAt10 float64 `json:"recall_at_10_vs_exact,omitempty"`
	// RecallAt10Full is the same against exact scoring over every term of
	// every story (no MaxTerms, no MaxDocFreq).
	RecallAt10Full float64 `json:"recall_at_10_vs_exact_full_vectors,omitempty"`
}

// Shown measures the links an engine shows, which may be fewer than k.
type Shown struct {
	MinEvidence float64 `json:"min_evidence"`
	// Precision is the share of the links shown that are relevant;
	// PrecisionWithout is the same with no minimum evidence.
	Precision        float64 `json:"precision"`
	PrecisionWithout float64 `json:"precision_without"`
	LinksPerStory    float64 `json:"links_per_story"`
	// StoriesWithLinks is the share of queries shown at least one link.
	StoriesWithLinks float64 `json:"stories_with_links"`
}

// measureShown asks e for k links of every query and measures those it shows.
func measureShown(c *corpus, e engine, k int) Shown {
	var shown, hits, covered int
	for _, q := range c.queries {
		res := e.related(q, k)
		shown += len(res)
		if len(res) > 0 {
			covered++
		}
		for _, r := range res {
			if c.stories[r].label == c.stories[q].label {
				hits++
			}
		}
	}
	n := float64(len(c.queries))
	return Shown{Precision: float64(hits) / float64(max(shown, 1)), LinksPerStory: float64(shown) / n, StoriesWithLinks: float64(covered) / n}
}

func evaluate(ctx context.Context, stories []story, o options) (*report, error) {
	a := text.NewAnalyzer(text.English())
	c := &corpus{stories: stories, terms: make([][]related.Term, len(stories)),
		sketches: make([]related.Sketch, len(stories)), keywords: make([][]string, len(stories))}
	analysis := timed(func() {
		for i, s := range stories {
			c.terms[i] = analyse(a, s)
			c.sketches[i] = sketch(s)
			c.keywords[i] = titleKeywords(a, s)
		}
	})
	sizes := make(map[string]int)
	for _, s := range stories {
		if s.label != "" {
			sizes[s.label]++
		}
	}
	rep := &report{Corpus: o.corpus, Variations: o.vary, LabelField: o.label, Dates: o.dates, Stories: len(stories), K: o.k, AnalysisSeconds: analysis.Seconds()}
	for i, s := range stories {
		switch n := sizes[s.label]; {
		case s.label == "":
			rep.Distractors++
		case n < 2:
			rep.Singletons++
		default:
			c.queries = append(c.queries, i)
		}
	}
	for _, n := range sizes {
		if n >= 2 {
			rep.Labels++
		}
	}
	rep.Queries = len(c.queries)
	if rep.Queries == 0 {
		return nil, fmt.Errorf("relatedeval: %w: no label is shared by two stories", errEmpty)
	}

	// The ranking is measured without the minimum evidence, which shortens
	// lists; its effect is measured apart (see Shown).
	ranking := related.DefaultConfig()
	ranking.MinEvidence = 0
	ours, buildOurs, memOurs, err := measureBuild(func() (indexEngine, error) { return buildIndex(c, ranking) })
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
		er, err := judgeEngine(ctx, c, e.e, o.k, sizes)
		if err != nil {
			return nil, err
		}
		er.Engine = e.name
		er.BuildSeconds, er.BuildCPUSeconds = e.build.wall.Seconds(), e.build.cpu.Seconds()
		er.BytesPerStory = float64(e.mem) / float64(len(stories))
		rep.Engines = append(rep.Engines, er)
	}
	shown, err := buildIndex(c, related.DefaultConfig())
	if err != nil {
		return nil, err
	}
	rep.Shown = measureShown(c, shown, o.k)
	rep.Shown.MinEvidence = related.DefaultConfig().MinEvidence
	rep.Shown.PrecisionWithout = measureShown(c, ours, o.k).Precision
	if !o.exact {
		return rep, nil
	}
	exact := ranking
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
// an index built with cfg, over the queries.
func recallAgainst(ctx context.Context, c *corpus, e engine, cfg related.Config) (float64, error) {
	ref, err := buildIndex(c, cfg)
	if err != nil {
		return 0, err
	}
	var sum float64
	for n, q := range c.queries {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		sum += recall(e.related(q, 10), ref.related(q, 10))
	}
	return sum / float64(len(c.queries)), nil
}

// judgeEngine runs every query against e; sizes holds the number of
// stories of each label.
func judgeEngine(ctx context.Context, c *corpus, e engine, k int, sizes map[string]int) (EngineReport, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var micro Quality
	byLabel := make(map[string]*LabelReport)
	var lat latencies
	copies := 0
	for n, q := range c.queries {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return EngineReport{}, err
			}
		}
		s := c.stories[q]
		var res []int
		lat.add(threadTimed(func() { res = e.related(q, max(k, depth)) }))
		got := judge(res, k, func(r int) bool { return c.stories[r].label == s.label }, sizes[s.label]-1)
		for _, r := range res[:min(k, len(res))] {
			if s.body != "" && c.stories[r].body == s.body {
				copies++
			}
		}
		micro.add(got)
		lr := byLabel[s.label]
		if lr == nil {
			lr = &LabelReport{Label: s.label}
			byLabel[s.label] = lr
		}
		lr.Queries++
		lr.Quality.add(got)
	}
	micro.scale(1 / float64(len(c.queries)))
	var macro Quality
	per := make([]LabelReport, 0, len(byLabel))
	for _, lr := range byLabel {
		lr.Quality.scale(1 / float64(lr.Queries))
		macro.add(lr.Quality)
		per = append(per, *lr)
	}
	macro.scale(1 / float64(len(per)))
	slices.SortFunc(per, func(a, b LabelReport) int { return strings.Compare(a.Label, b.Label) })
	worst, best := extremes(per)
	return EngineReport{
		CopyLinks:     copies,
		Worst:         worst,
		Best:          best,
		Micro:         micro,
		Macro:         macro,
		PerLabel:      per,
		QueryP50Ms:    ms(percentile(lat.wall, 50)),
		QueryP99Ms:    ms(percentile(lat.wall, 99)),
		QueryCPUP50Ms: ms(percentile(lat.cpu, 50)),
		QueryCPUP99Ms: ms(percentile(lat.cpu, 99)),
	}, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r *report) write(w io.Writer, o options) error {
	if !o.perLabel {
		for i := range r.Engines {
			r.Engines[i].PerLabel = nil
		}
	}
	if o.json {
		return writeJSON(w, r)
	}
	dates := "ignored"
	if r.Dates {
		dates = "used"
	}
	if r.Variations != "" {
		fmt.Fprintf(w, "variations: %s\n", r.Variations)
	}
	fmt.Fprintf(w, "corpus %s: %d stories, %d queries in %d labels of field %q, %d distractors, %d with a label no other story has; k=%d; dates %s; analysis %.2fs (%s, GOMAXPROCS=%d)\n",
		r.Corpus, r.Stories, r.Queries, r.Labels, r.LabelField, r.Distractors, r.Singletons, r.K, dates, r.AnalysisSeconds, runtime.Version(), runtime.GOMAXPROCS(0))
	reasons := make([]string, 0, len(r.Dropped))
	for why := range r.Dropped {
		reasons = append(reasons, why)
	}
	slices.Sort(reasons)
	for _, why := range reasons {
		fmt.Fprintf(w, "dropped %d records: %s\n", r.Dropped[why], why)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "engine\tP@%d\tnDCG@%d\tMRR\tR@10\tmacro P@%d\tmacro MRR\tcoverage\tcopies\tbuild\tbuild cpu\tp50\tp99\tp50 cpu\tp99 cpu\tbytes/story\n", r.K, r.K, r.K)
	for _, e := range r.Engines {
		m := e.Micro
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%5.2fs\t%5.2fs\t%6.3fms\t%6.3fms\t%6.3fms\t%6.3fms\t%6.0f\n",
			e.Engine, m.PrecisionAtK, m.NDCGAtK, m.MRR, m.RecallAt10, e.Macro.PrecisionAtK, e.Macro.MRR, m.Coverage, e.CopyLinks,
			e.BuildSeconds, e.BuildCPUSeconds, e.QueryP50Ms, e.QueryP99Ms, e.QueryCPUP50Ms, e.QueryCPUP99Ms, e.BytesPerStory)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range r.Engines {
		fmt.Fprintf(w, "%s per label: worst P@%d %.3f (%s, %d queries), best %.3f (%s, %d queries)\n", e.Engine, r.K,
			e.Worst.Quality.PrecisionAtK, e.Worst.Label, e.Worst.Queries, e.Best.Quality.PrecisionAtK, e.Best.Label, e.Best.Queries)
	}
	if o.perLabel {
		fmt.Fprintf(tw, "label\tqueries")
		for _, e := range r.Engines {
			fmt.Fprintf(tw, "\t%s P@%d\tMRR", e.Engine, r.K)
		}
		fmt.Fprintln(tw)
		for i, lr := range r.Engines[0].PerLabel {
			fmt.Fprintf(tw, "%s\t%d", lr.Label, lr.Queries)
			for _, e := range r.Engines {
				fmt.Fprintf(tw, "\t%.3f\t%.3f", e.PerLabel[i].Quality.PrecisionAtK, e.PerLabel[i].Quality.MRR)
			}
			fmt.Fprintln(tw)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if sh := r.Shown; sh.LinksPerStory > 0 {
		fmt.Fprintf(w, "broadsheet as shown, links with at least %.2f of a story's score against itself: precision %.3f (%.3f without), %.2f links per story, %.3f of stories with a link\n",
			sh.MinEvidence, sh.Precision, sh.PrecisionWithout, sh.LinksPerStory, sh.StoriesWithLinks)
	}
	if r.RecallAt10 > 0 {
		fmt.Fprintf(w, "recall@10 of broadsheet against exact scoring of the terms each story keeps: %.3f; of every term: %.3f\n",
			r.RecallAt10, r.RecallAt10Full)
	}
	return nil
}

// extremes returns the labels with the lowest and highest precision,
// ties going to the label with more queries, then to the first by name.
func extremes(per []LabelReport) (worst, best LabelReport) {
	worst, best = per[0], per[0]
	for _, lr := range per[1:] {
		p := lr.Quality.PrecisionAtK
		if p < worst.Quality.PrecisionAtK || p == worst.Quality.PrecisionAtK && lr.Queries > worst.Queries {
			worst = lr
		}
		if p > best.Quality.PrecisionAtK || p == best.Quality.PrecisionAtK && lr.Queries > best.Queries {
			best = lr
		}
	}
	return worst, best
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
