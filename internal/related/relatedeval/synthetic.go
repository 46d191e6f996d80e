package relatedeval

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/related"
	"github.com/broadsheet/broadsheet/internal/text"
)

// syntheticReport is the result of a scale run.
type syntheticReport struct {
	Corpus          string  `json:"corpus"`
	Sources         int     `json:"source_stories"`
	Stories         int     `json:"stories"`
	TermsPerStory   float64 `json:"terms_per_story"`
	BuildSeconds    float64 `json:"build_seconds"`
	BuildCPUSeconds float64 `json:"build_cpu_seconds"`
	// TopicsSeconds is the time to train the latent topics on the built
	// index and fold every story in.
	TopicsSeconds    float64 `json:"topics_seconds"`
	TopicsCPUSeconds float64 `json:"topics_cpu_seconds"`
	BytesPerStory    float64 `json:"bytes_per_story"`
	QueryP50Ms       float64 `json:"query_p50_ms"`
	QueryP99Ms       float64 `json:"query_p99_ms"`
	QueryCPUP50Ms    float64 `json:"query_cpu_p50_ms"`
	QueryCPUP99Ms    float64 `json:"query_cpu_p99_ms"`
	UpdateP50Ms      float64 `json:"update_p50_ms"`
	UpdateP99Ms      float64 `json:"update_p99_ms"`
	UpdateCPUP50Ms   float64 `json:"update_cpu_p50_ms"`
	UpdateCPUP99Ms   float64 `json:"update_cpu_p99_ms"`
	ResultsPerQuery  float64 `json:"results_per_query"`
	// AnalysisMsPerStory is the time to analyse one source story's text,
	// which a start without a snapshot spends on every story besides the
	// build.
	AnalysisMsPerStory float64 `json:"analysis_ms_per_story"`
	SnapshotBytes      int64   `json:"snapshot_bytes"`
	SnapshotWriteSecs  float64 `json:"snapshot_write_seconds"`
	SnapshotReadSecs   float64 `json:"snapshot_read_seconds"`
	SnapshotReadCPU    float64 `json:"snapshot_read_cpu_seconds"`
}

// resampler makes new stories from the paragraphs of real ones: the title
// and first half of one story followed by the second half of another story
// with the same label.
type resampler struct {
	titles  [][]related.Term
	paras   [][][]related.Term
	byLabel [][]int // source index → indices of sources with its label
	rng     *rand.Rand
	start   time.Time
}

func newResampler(stories []story, seed uint64) *resampler {
	a := text.NewAnalyzer(text.English())
	r := &resampler{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	groups := make(map[string][]int)
	for i, s := range stories {
		r.titles = append(r.titles, convert(a.Analyze(text.Prose(s.title, text.TitleWeight))))
		var ps [][]related.Term
		for _, p := range strings.Split(s.body, "\n") {
			if strings.TrimSpace(p) != "" {
				ps = append(ps, convert(a.Analyze(text.Prose(p, text.BodyWeight))))
			}
		}
		r.paras = append(r.paras, ps)
		groups[s.label] = append(groups[s.label], i)
	}
	r.byLabel = make([][]int, len(stories))
	for i, s := range stories {
		r.byLabel[i] = groups[s.label]
	}
	return r
}

func convert(ts []text.Term) []related.Term {
	out := make([]related.Term, len(ts))
	for i, t := range ts {
		out[i] = related.Term(t)
	}
	return out
}

// story returns a new story with the given ID.
func (r *resampler) story(id int64) related.Document {
	a := r.rng.IntN(len(r.titles))
	group := r.byLabel[a]
	b := group[r.rng.IntN(len(group))]
	var parts [][]related.Term
	parts = append(parts, r.titles[a])
	pa, pb := r.paras[a], r.paras[b]
	parts = append(parts, pa[:(len(pa)+1)/2]...)
	parts = append(parts, pb[len(pb)/2:]...)
	merged := make(map[string]related.Term, 256)
	for _, p := range parts {
		for _, t := range p {
			m, ok := merged[t.Key]
			if !ok {
				m = t
			} else {
				m.Weight += t.Weight
				m.Entity = m.Entity || t.Entity
			}
			merged[t.Key] = m
		}
	}
	terms := make([]related.Term, 0, len(merged))
	for _, t := range merged {
		terms = append(terms, t)
	}
	slices.SortFunc(terms, func(x, y related.Term) int { return strings.Compare(x.Key, y.Key) })
	date := r.start.Add(time.Duration(r.rng.Int64N(int64(3 * 365 * 24 * time.Hour))))
	// A sketch of its kept words, to count the memory a story's sketch takes.
	words := make([]string, len(terms))
	for i, t := range terms {
		words[i] = t.Key
	}
	return related.NewSketchedDocument(id, date, terms, related.NewSketch(words))
}

func runSynthetic(ctx context.Context, stories []story, o options) (*syntheticReport, error) {
	gen := newResampler(stories, o.seed)
	rep := &syntheticReport{Corpus: o.corpus, Sources: len(stories), Stories: o.synthetic}
	ix := related.New(related.DefaultConfig())
	before := heapInUse()
	var build stopwatch
	var terms int
	var err error
	batch := make([]related.Document, 0, 1000)
	for i := 0; i < o.synthetic; i += cap(batch) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		batch = batch[:0]
		for j := i; j < min(i+cap(batch), o.synthetic); j++ {
			doc := gen.story(int64(j))
			terms += len(doc.Terms())
			batch = append(batch, doc)
		}
		sw := processTimed(func() {
			for _, doc := range batch {
				if err = ix.Add(doc); err != nil {
					return
				}
			}
		})
		if err != nil {
			return nil, err
		}
		build.wall += sw.wall
		build.cpu += sw.cpu
	}
	batch = nil
	// The product trains the latent topics once the archive is loaded.
	train := processTimed(func() { err = ix.TrainTopics(ctx) })
	if err != nil {
		return nil, err
	}
	rep.TopicsSeconds, rep.TopicsCPUSeconds = train.wall.Seconds(), train.cpu.Seconds()
	after := heapInUse()
	runtime.KeepAlive(ix)
	rep.TermsPerStory = float64(terms) / float64(o.synthetic)
	rep.BuildSeconds, rep.BuildCPUSeconds = build.wall.Seconds(), build.cpu.Seconds()
	rep.BytesPerStory = float64(int64(after)-int64(before)) / float64(o.synthetic)

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var lat latencies
	var results int
	for range o.queries {
		id := gen.rng.Int64N(int64(o.synthetic))
		var rs []related.Result
		var err error
		lat.add(threadTimed(func() { rs, err = ix.Related(id, 5) }))
		if err != nil {
			return nil, err
		}
		results += len(rs)
	}
	rep.QueryP50Ms, rep.QueryP99Ms = ms(percentile(lat.wall, 50)), ms(percentile(lat.wall, 99))
	rep.QueryCPUP50Ms, rep.QueryCPUP99Ms = ms(percentile(lat.cpu, 50)), ms(percentile(lat.cpu, 99))
	rep.ResultsPerQuery = float64(results) / float64(o.queries)

	var upd latencies
	for range o.queries {
		doc := gen.story(gen.rng.Int64N(int64(o.synthetic)))
		var err error
		upd.add(threadTimed(func() { err = ix.Update(doc) }))
		if err != nil {
			return nil, err
		}
	}
	rep.UpdateP50Ms, rep.UpdateP99Ms = ms(percentile(upd.wall, 50)), ms(percentile(upd.wall, 99))
	rep.UpdateCPUP50Ms, rep.UpdateCPUP99Ms = ms(percentile(upd.cpu, 50)), ms(percentile(upd.cpu, 99))
	runtime.UnlockOSThread()

	var snap bytes.Buffer
	write := processTimed(func() { rep.SnapshotBytes, err = ix.WriteTo(&snap) })
	if err != nil {
		return nil, err
	}
	var back *related.Index
	read := processTimed(func() { back, err = related.ReadIndex(bytes.NewReader(snap.Bytes()), related.DefaultConfig()) })
	if err != nil {
		return nil, err
	}
	if back.Len() != ix.Len() {
		return nil, fmt.Errorf("relatedeval: snapshot read back %d stories of %d", back.Len(), ix.Len())
	}
	rep.SnapshotWriteSecs, rep.SnapshotReadSecs, rep.SnapshotReadCPU = write.wall.Seconds(), read.wall.Seconds(), read.cpu.Seconds()

	a := text.NewAnalyzer(text.English())
	n := min(len(stories), 2000)
	analysis := processTimed(func() {
		for _, st := range stories[:n] {
			analyse(a, st)
		}
	})
	rep.AnalysisMsPerStory = ms(analysis.cpu) / float64(n)
	return rep, nil
}

func (r *syntheticReport) write(w io.Writer, asJSON bool) error {
	if asJSON {
		return writeJSON(w, r)
	}
	_, err := fmt.Fprintf(w, `synthetic corpus: %d stories resampled from %d stories of %s (%s, GOMAXPROCS=%d)
terms per story:  %.1f
build:            %.2fs, %.2fs cpu (index only, analysis excluded)
latent topics:    %.2fs, %.2fs cpu to train and fold in
memory:           %.0f bytes per story
query (k=5):      p50 %.3fms, p99 %.3fms; cpu p50 %.3fms, p99 %.3fms (%.1f results per query)
update:           p50 %.3fms, p99 %.3fms; cpu p50 %.3fms, p99 %.3fms
snapshot:         %.1f MB (%.0f bytes per story); write %.2fs; read back %.2fs, %.2fs cpu
start without:    analysis %.3fms cpu per story, so about %.1fs cpu to analyse %d stories, plus the build
`, r.Stories, r.Sources, r.Corpus, runtime.Version(), runtime.GOMAXPROCS(0), r.TermsPerStory,
		r.BuildSeconds, r.BuildCPUSeconds, r.TopicsSeconds, r.TopicsCPUSeconds, r.BytesPerStory,
		r.QueryP50Ms, r.QueryP99Ms, r.QueryCPUP50Ms, r.QueryCPUP99Ms, r.ResultsPerQuery,
		r.UpdateP50Ms, r.UpdateP99Ms, r.UpdateCPUP50Ms, r.UpdateCPUP99Ms,
		float64(r.SnapshotBytes)/1e6, float64(r.SnapshotBytes)/float64(r.Stories), r.SnapshotWriteSecs, r.SnapshotReadSecs, r.SnapshotReadCPU,
		r.AnalysisMsPerStory, r.AnalysisMsPerStory*float64(r.Stories)/1000, r.Stories)
	return err
}
