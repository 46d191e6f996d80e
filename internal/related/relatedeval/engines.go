package relatedeval

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/broadsheet/broadsheet/internal/related"
	"github.com/broadsheet/broadsheet/internal/text"
)

// corpus is a labelled corpus after text analysis.
type corpus struct {
	stories  []story
	queries  []int            // the stories scored as queries
	terms    [][]related.Term // by story
	sketches []related.Sketch // by story
	keywords [][]string       // title term keys, for the tag-overlap baseline
}

// analyse returns the terms of a story, weighted as the product weighs them.
func analyse(a *text.Analyzer, s story) []related.Term {
	return convert(a.Analyze(text.StoryFields(s.title, "", s.body, nil, "")...))
}

func sketch(s story) related.Sketch {
	return related.NewSketch(text.StoryTokens(s.title, s.body))
}

func titleKeywords(a *text.Analyzer, s story) []string {
	ts := a.Analyze(text.Prose(s.title, 1))
	keys := make([]string, len(ts))
	for i, t := range ts {
		keys[i] = t.Key
	}
	return keys
}

// engine answers related-story queries over a corpus, by story index.
type engine interface {
	related(q, k int) []int
}

// indexEngine is the related package's Index.
type indexEngine struct{ ix *related.Index }

func buildIndex(c *corpus, cfg related.Config) (indexEngine, error) {
	ix := related.New(cfg)
	for i, s := range c.stories {
		if err := ix.Add(related.NewSketchedDocument(int64(i), s.date, c.terms[i], c.sketches[i])); err != nil {
			return indexEngine{}, err
		}
	}
	// The product trains the latent topics on the archive once it is loaded.
	if err := ix.TrainTopics(context.Background()); err != nil {
		return indexEngine{}, err
	}
	return indexEngine{ix}, nil
}

func (e indexEngine) related(q, k int) []int {
	rs, err := e.ix.Related(int64(q), k)
	if err != nil {
		panic(err) // every story of the corpus is indexed
	}
	out := make([]int, len(rs))
	for i, r := range rs {
		out[i] = int(r.ID)
	}
	return out
}

// scored is a candidate of a baseline engine.
type scored struct {
	doc   int
	score float64
}

// topK returns the k best of cands by score, then newer date, then index.
func topK(cands []scored, k int, dates []int64) []int {
	slices.SortFunc(cands, func(a, b scored) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		if dates[a.doc] != dates[b.doc] {
			return cmp.Compare(dates[b.doc], dates[a.doc])
		}
		return cmp.Compare(a.doc, b.doc)
	})
	out := make([]int, 0, k)
	for _, c := range cands[:min(k, len(cands))] {
		out = append(out, c.doc)
	}
	return out
}

func datesOf(stories []story) []int64 {
	d := make([]int64, len(stories))
	for i, s := range stories {
		if s.date.IsZero() {
			d[i] = math.MinInt64
		} else {
			d[i] = s.date.Unix()
		}
	}
	return d
}

// postingList maps a term to the stories that have it, with a weight.
type postingList struct {
	docs    []int32
	weights []float32
}

// sparse is a story's vector: term numbers and weights.
type sparse struct {
	terms   []int32
	weights []float32
}

// accumulate adds, for every story sharing a term with v, the products of
// weights, and returns the candidates other than self.
func accumulate(v sparse, postings []postingList, acc []float64, self int) []scored {
	var touched []int
	for i, t := range v.terms {
		w := float64(v.weights[i])
		p := postings[t]
		for j, d := range p.docs {
			if acc[d] == 0 {
				touched = append(touched, int(d))
			}
			acc[d] += w * float64(p.weights[j])
		}
	}
	cands := make([]scored, 0, len(touched))
	for _, d := range touched {
		if d != self && acc[d] > 0 {
			cands = append(cands, scored{d, acc[d]})
		}
		acc[d] = 0
	}
	return cands
}

// keywordEngine is tag overlap as Hugo's related content scores it: the
// number of keywords a story shares with the query, ties to the newer story.
// Corpora without tags use the title's terms as keywords.
type keywordEngine struct {
	docs     []sparse
	postings []postingList
	dates    []int64
	acc      []float64
}

func buildKeywords(c *corpus) *keywordEngine {
	e := &keywordEngine{dates: datesOf(c.stories), acc: make([]float64, len(c.stories))}
	ids := make(map[string]int32)
	for d, kws := range c.keywords {
		var v sparse
		for _, k := range kws {
			id, ok := ids[k]
			if !ok {
				id = int32(len(e.postings))
				ids[k] = id
				e.postings = append(e.postings, postingList{})
			}
			v.terms = append(v.terms, id)
			v.weights = append(v.weights, 1)
			e.postings[id].docs = append(e.postings[id].docs, int32(d))
			e.postings[id].weights = append(e.postings[id].weights, 1)
		}
		e.docs = append(e.docs, v)
	}
	return e
}

func (e *keywordEngine) related(q, k int) []int {
	return topK(accumulate(e.docs[q], e.postings, e.acc, q), k, e.dates)
}

// cosineEngine is exact cosine similarity over full TF-IDF vectors
// ((1 + ln tf) · ln(N/df), every term of every story), evaluated
// exhaustively.
type cosineEngine struct {
	docs     []sparse
	postings []postingList
	dates    []int64
	acc      []float64
}

func buildCosine(c *corpus) *cosineEngine {
	n := len(c.stories)
	e := &cosineEngine{dates: datesOf(c.stories), acc: make([]float64, n)}
	ids := make(map[string]int32)
	var df []int
	for _, ts := range c.terms {
		for _, t := range ts {
			id, ok := ids[t.Key]
			if !ok {
				id = int32(len(df))
				ids[t.Key] = id
				df = append(df, 0)
			}
			df[id]++
		}
	}
	e.postings = make([]postingList, len(df))
	for d, ts := range c.terms {
		var v sparse
		var norm float64
		ws := make([]float64, len(ts))
		for i, t := range ts {
			tf := t.Weight
			if tf >= 1 {
				tf = 1 + math.Log(tf)
			}
			ws[i] = tf * math.Log(float64(n)/float64(df[ids[t.Key]]))
			norm += ws[i] * ws[i]
		}
		norm = math.Sqrt(norm)
		for i, t := range ts {
			if ws[i] <= 0 {
				continue
			}
			id := ids[t.Key]
			w := float32(ws[i] / norm)
			v.terms = append(v.terms, id)
			v.weights = append(v.weights, w)
			e.postings[id].docs = append(e.postings[id].docs, int32(d))
			e.postings[id].weights = append(e.postings[id].weights, w)
		}
		e.docs = append(e.docs, v)
	}
	return e
}

func (e *cosineEngine) related(q, k int) []int {
	return topK(accumulate(e.docs[q], e.postings, e.acc, q), k, e.dates)
}

// timed returns how long f took.
func timed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}
