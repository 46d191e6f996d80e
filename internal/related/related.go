// Package related finds the stories most related to a story: content-based,
// entity-aware, time-aware and explainable.
//
// A caller analyses each story into weighted terms (package text does this
// for the product) and adds it to an Index as a Document. Each story keeps
// its MaxTerms heaviest terms in an in-memory inverted index (term IDs and
// 8-bit frequencies; each story's terms and each term's postings
// delta-encoded as varints in one byte slice). A search scores the stories that
// share terms with the query story by BM25: for each shared term, its
// inverse document frequency times its saturated, length-normalised
// frequency in both stories, as Lucene's more-like-this does with a story
// for a query. Terms found in most stories are dropped. A recency factor
// relative to the query story's own date follows, and a heap keeps the best
// k. Every result carries its reason: the shared terms that contributed
// most, entities first.
//
// TrainTopics adds latent topics: a truncated SVD of the archive's
// story–term matrix gives every story a short vector, and a search re-ranks
// its best candidates by blending in the cosine of those vectors, so that
// stories on one subject in different words come closer. New stories are
// projected on the trained model as they come; a snapshot keeps the model.
//
// Stories are added, updated and removed one at a time, without a rebuild.
// Corpus statistics (document frequencies, lengths) are kept exactly, what a
// story keeps depends on the story alone, and all weights that depend on the
// corpus are computed at query time, so an index built by any sequence of
// changes answers exactly like one built from scratch from the same stories
// (with the same latent-topic model, which depends on the stories it was
// trained on, not on their order).
package related

import (
	"cmp"
	"errors"
	"math"
	"slices"
	"strings"
	"time"
)

// Term is a weighted term of a story. It has the same fields as text.Term,
// so the product converts one into the other with related.Term(t).
type Term struct {
	// Key identifies the term across stories (a stem, or a phrase).
	Key string
	// Surface is how the term is displayed in a reason ("Xi Jinping").
	Surface string
	// Entity marks a name; names are boosted and listed first in reasons.
	Entity bool
	// Weight is the term's field-weighted frequency in the story. The index
	// keeps it (times EntityBoost for an entity) in quarters, from 0.25 to
	// 63.75; BM25 saturation makes larger values count almost alike.
	Weight float64
}

// Document is a story as the index sees it.
type Document interface {
	// ID identifies the story.
	ID() int64
	// Date is when the story was published; the zero Time means unknown.
	Date() time.Time
	// Terms are the story's analysed terms, in any order. A key listed twice
	// counts once, with the weights summed.
	Terms() []Term
}

// NewDocument returns a Document with the given fields.
func NewDocument(id int64, date time.Time, terms []Term) Document {
	return document{id, date, terms}
}

type document struct {
	id    int64
	date  time.Time
	terms []Term
}

func (d document) ID() int64       { return d.id }
func (d document) Date() time.Time { return d.date }
func (d document) Terms() []Term   { return d.terms }

// Result is one related story.
type Result struct {
	// ID identifies the related story.
	ID int64
	// Date is the related story's date, truncated to the second, or the zero
	// Time when unknown.
	Date time.Time
	// Score orders results; it is comparable only within one search.
	Score float64
	// Reason holds the surface forms of the shared terms that contributed
	// most, entities first.
	Reason []string
}

// Why returns the reason as one line: "Putin · Xi Jinping · Ukraine".
func (r Result) Why() string { return strings.Join(r.Reason, " · ") }

var (
	// ErrNotFound is returned when a story is not in the index.
	ErrNotFound = errors.New("related: story not in the index")
	// ErrExists is returned by Add when a story is already in the index.
	ErrExists = errors.New("related: story already in the index")
	// ErrFull is returned when the index holds too many distinct terms.
	ErrFull = errors.New("related: too many distinct terms")
)

// noDate marks a story without a date.
const noDate = math.MinInt64

// prepared is one term of a story before it enters the index.
type prepared struct {
	key, surface string
	entity       bool
	tf           uint8 // in 1/tfUnit
}

// prepare merges, boosts, quantises and prunes the terms of a story and
// returns the kept terms with the story's length. It depends on the story
// alone, never on the rest of the index.
func (c *Config) prepare(terms []Term) ([]prepared, float64) {
	type weighted struct {
		prepared
		w float64
		i int
	}
	ws := make([]weighted, 0, len(terms))
	var dl float64
	for _, t := range terms {
		if t.Key == "" || !(t.Weight > 0) || math.IsInf(t.Weight, 0) {
			continue
		}
		dl += t.Weight
		ws = append(ws, weighted{prepared{key: t.Key, surface: t.Surface, entity: t.Entity}, t.Weight, len(ws)})
	}
	byKey := func(a, b weighted) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	}
	if !slices.IsSortedFunc(ws, byKey) {
		slices.SortFunc(ws, byKey)
	}
	merged := ws[:0]
	for _, w := range ws {
		if n := len(merged); n > 0 && merged[n-1].key == w.key {
			merged[n-1].w += w.w
			merged[n-1].entity = merged[n-1].entity || w.entity
			continue
		}
		merged = append(merged, w)
	}
	ps := make([]prepared, len(merged))
	for i, w := range merged {
		p := w.prepared
		if p.surface == "" {
			p.surface = p.key
		}
		if p.entity {
			w.w *= c.EntityBoost
		}
		p.tf = uint8(min(max(math.Round(w.w*tfUnit), 1), math.MaxUint8))
		ps[i] = p
	}
	if c.MaxTerms >= 0 && len(ps) > c.MaxTerms {
		// Rank by frequency, then length, then key (ps is sorted by key),
		// packed in one integer: tf | key length | inverted index.
		ranks := make([]uint64, len(ps))
		for i, p := range ps {
			ranks[i] = uint64(p.tf)<<48 | uint64(min(len(p.key), math.MaxUint16))<<32 | uint64(math.MaxUint32-uint32(i))
		}
		slices.Sort(ranks)
		kept := make([]prepared, c.MaxTerms)
		for i := range kept {
			kept[i] = ps[math.MaxUint32-uint32(ranks[len(ranks)-1-i])]
		}
		ps = kept
	}
	return ps, dl
}

func unixDate(t time.Time) int64 {
	if t.IsZero() {
		return noDate
	}
	return t.Unix()
}

func timeOf(sec int64) time.Time {
	if sec == noDate {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
