package related

import "time"

// Config tunes an Index. The zero value of a field means its default, so
// Config{} behaves like DefaultConfig() except where a zero is documented as
// meaningful (RecencyWeight, NoNewer, MinEvidence).
type Config struct {
	// MaxTerms is how many terms each story keeps in the index: its heaviest
	// by field-weighted frequency (entities boosted), ties going to longer
	// words. Bounding it bounds memory per story. Zero means 128; negative
	// means no bound.
	MaxTerms int
	// QueryTerms, when positive, is how many of a story's kept terms a search
	// uses: the most salient by BM25 weight in the story times inverse
	// document frequency, as Lucene's more-like-this does. Zero or negative
	// means all, which costs little (see Candidates).
	QueryTerms int
	// Candidates bounds the work of a search: once the seed terms (see
	// SeedTerms) have found candidates, only this many of them, those with
	// the best partial scores, are scored in full. Zero means 200. Negative
	// means an exact search: every story that can still reach the top k is
	// scored in full, which is slower on large indexes.
	Candidates int
	// SeedTerms is how many of a search's terms, those that can add most to
	// a score, find candidates; the others only complete the candidates'
	// scores, unless fewer than Candidates/4 stories have been found. Zero
	// means 24; negative means as many as an exact search needs. It applies
	// only when Candidates is positive.
	SeedTerms int
	// SeedPostings keeps common terms from seeding: a term kept by more
	// stories than this is used after the rarer terms, if candidates are
	// still too few, and otherwise only completes scores. It bounds the cost
	// of a search on large indexes. Zero means 5000; negative means no
	// bound. It applies only when Candidates is positive.
	SeedPostings int
	// K1 is the BM25 term-frequency saturation: a term's weight approaches
	// its limit after about K1 occurrences. Zero means 1.5.
	K1 float64
	// B is the BM25 length normalisation, from 0 (none) to 1 (full). Zero
	// means 0.75; use a tiny positive value for "almost none".
	B float64
	// EntityBoost multiplies the weight of entity terms (names). Zero means 1.25.
	EntityBoost float64
	// MaxDocFreq drops, at query time, terms found in more than this fraction
	// of the indexed stories: they tell no stories apart. Zero means 0.5. It
	// applies to indexes of 10 stories or more.
	MaxDocFreq float64
	// HalfLife is the time after which the recency factor of a story, relative
	// to the date of the story it is related to, has lost half of
	// RecencyWeight. Zero means 30 days.
	HalfLife time.Duration
	// RecencyWeight is the share of the score that depends on closeness in
	// time: a candidate's score is multiplied by
	// (1 - RecencyWeight) + RecencyWeight * 2^(-|Δt| / HalfLife).
	// Zero disables recency; DefaultConfig uses 0.3. Stories without a date
	// are not affected.
	RecencyWeight float64
	// NoNewer, when true, never relates a story to a story dated after it.
	// Stories without a date are not affected.
	NoNewer bool
	// MinEvidence leaves out links whose evidence is weak: a story is not
	// related unless its score, before recency, is at least this share of
	// the score the query story would have against itself (its own terms,
	// all shared). Zero shows every link; DefaultConfig uses 0.15, which on
	// the labelled corpora measured keeps a link for at least 97% of stories
	// while raising the precision of the links shown.
	MinEvidence float64
	// ReasonTerms is how many shared terms explain each result. Zero means 3.
	ReasonTerms int
	// CopyOverlap keeps near-copies (wire copies, re-posts, a story imported
	// twice) out of the results: a story is left out when, of the terms it or
	// the query story keeps, this share or more are kept by both. Zero means
	// 0.9; negative lists copies like any other story.
	CopyOverlap float64
	// CopyResemblance keeps near-copies out by their text, for stories whose
	// Documents give a Sketch: a story is left out when the two texts share
	// this share or more of their shingles (see Sketch), such as a wire copy
	// under another headline with a paragraph rewritten. Zero means 0.5;
	// negative lists such copies like any other story. A story is left out
	// when either rule, CopyOverlap or this, tells it a copy.
	CopyResemblance float64
	// Topics is the number of dimensions of the latent-topic model that
	// TrainTopics trains (a truncated SVD of the archive's story–term
	// matrix), from 1 to 256; each story keeps a vector of this many bytes.
	// Zero means 64; negative means no model.
	Topics int
	// TopicWeight is how much the latent topics count: once TrainTopics has
	// trained a model, a search re-ranks its best TopicDepth candidates, each
	// gaining TopicWeight · best score · (1 - the best score's share of the
	// query story's score against itself) · the cosine of the two stories'
	// topic vectors (times the candidate's recency). So a story of few
	// distinctive terms leans on its topics, and one whose best match shares
	// most of its weight (the same event) keeps its order. Zero means 1.
	TopicWeight float64
	// TopicDepth is how many of a search's best candidates the latent topics
	// re-rank. Zero means 30.
	TopicDepth int
}

// DefaultConfig returns the configuration the product uses.
func DefaultConfig() Config {
	return Config{
		MaxTerms:        128,
		Candidates:      200,
		SeedTerms:       24,
		SeedPostings:    5000,
		K1:              1.5,
		B:               0.75,
		EntityBoost:     1.25,
		MaxDocFreq:      0.5,
		HalfLife:        30 * 24 * time.Hour,
		RecencyWeight:   0.3,
		ReasonTerms:     3,
		MinEvidence:     0.15,
		CopyOverlap:     0.9,
		CopyResemblance: 0.5,
		Topics:          64,
		TopicWeight:     1,
		TopicDepth:      30,
	}
}

// withDefaults fills the zero fields that have defaults.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	orDefault(&c.MaxTerms, d.MaxTerms)
	orDefault(&c.Candidates, d.Candidates)
	orDefault(&c.SeedTerms, d.SeedTerms)
	orDefault(&c.SeedPostings, d.SeedPostings)
	orDefault(&c.K1, d.K1)
	orDefault(&c.B, d.B)
	orDefault(&c.EntityBoost, d.EntityBoost)
	orDefault(&c.MaxDocFreq, d.MaxDocFreq)
	orDefault(&c.HalfLife, d.HalfLife)
	orDefault(&c.ReasonTerms, d.ReasonTerms)
	orDefault(&c.CopyOverlap, d.CopyOverlap)
	orDefault(&c.CopyResemblance, d.CopyResemblance)
	orDefault(&c.Topics, d.Topics)
	orDefault(&c.TopicWeight, d.TopicWeight)
	orDefault(&c.TopicDepth, d.TopicDepth)
	c.Topics = min(c.Topics, maxTopicDims)
	if c.QueryTerms <= 0 {
		c.QueryTerms = -1
	}
	return c
}

func orDefault[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}
