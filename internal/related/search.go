package related

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Related returns up to k stories related to the indexed story id, best
// first, never the story itself nor the stories in exclude, nor a near-copy
// of the story or of a story listed before it. It returns ErrNotFound if id
// is not indexed.
//
// Results are ordered by score, then by date (newer first), then by ID.
func (ix *Index) Related(id int64, k int, exclude ...int64) ([]Result, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	q, err := ix.stored(id)
	if err != nil {
		return nil, err
	}
	return ix.search(q, k, exclude), nil
}

// stored returns the query of the indexed story id; the caller holds the
// read lock.
func (ix *Index) stored(id int64) (*query, error) {
	slot, ok := ix.slots[id]
	if !ok {
		return nil, fmt.Errorf("related: story %d: %w", id, ErrNotFound)
	}
	refs, tfs := ix.docs[slot].appendTerms(nil, nil)
	q := &query{self: int64(slot), id: ix.ids[slot], date: ix.dates[slot], dl: float64(ix.dls[slot]), sketch: ix.sks[slot],
		terms: make([]queryTerm, len(refs))}
	for i, ref := range refs {
		id := refID(ref)
		q.terms[i] = queryTerm{id: id, tf: tfs[i], entity: refEntity(ref), surface: ix.terms[id].surfaceAt(refSurface(ref))}
	}
	return q, nil
}

// Copies returns the IDs of up to k indexed stories that are near-copies of
// the indexed story id (see Config.CopyOverlap and CopyResemblance), the
// closest first: the stories Related leaves out as copies. It returns
// ErrNotFound if id is not indexed.
func (ix *Index) Copies(id int64, k int) ([]int64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	q, err := ix.stored(id)
	if err != nil {
		return nil, err
	}
	q.copies = true
	var out []int64
	for _, r := range ix.search(q, k, nil) {
		out = append(out, r.ID)
	}
	return out, nil
}

// Similar returns up to k indexed stories related to doc, which need not be
// indexed (a draft, say), as Related does. The story with doc's ID is never
// a result; if it is indexed, it still counts in the corpus statistics.
func (ix *Index) Similar(doc Document, k int, exclude ...int64) []Result {
	ps, dl := ix.cfg.prepare(doc.Terms())
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	q := query{self: -1, id: doc.ID(), date: unixDate(doc.Date()), dl: float64(lengthOf(dl)) / lengthUnit, sketch: sketchOf(doc)}
	for _, p := range ps {
		if id, ok := ix.dict.find(ix.terms, p.key); ok {
			q.terms = append(q.terms, queryTerm{id: id, tf: p.tf, entity: p.entity, surface: p.surface})
		}
	}
	return ix.search(&q, k, exclude)
}

// query is a story to find relations for.
type query struct {
	sorted bool  // terms are sorted by ID
	copies bool  // the search lists the near-copies it would otherwise leave out, and only them
	self   int64 // its slot, or -1 when it is not indexed
	id     int64
	date   int64
	dl     float64
	sketch Sketch
	terms  []queryTerm
}

type queryTerm struct {
	id      uint32
	tf      uint8
	entity  bool
	surface string // as the query story writes it
	idf     float64
	weight  float64 // the term's BM25 weight in the query story times its IDF
	w       float32 // weight·(K1+1): what a story's saturated frequency is multiplied by
	bound   float64 // the most the term adds to any story's score
	ws      float32 // w in units: what a story's saturated frequency adds to its integer score
}

// scratch holds per-search buffers, pooled.
type scratch struct {
	acc      []uint32  // partial score by slot, in units of 1/scale; 0 when untouched
	factor   []float64 // recency factor by slot; 0 unknown, -1 not allowed, 2 allowed
	touched  []uint32
	factored []uint32 // slots whose factor is set
	cands    []uint32
	best     []scoredSlot
	top      []float64
	counts   [1024]int32
	table    []uint32
	pos      []int32
	block    postingBlock
	refs     []uint32 // a story's terms
	tfs      []uint8
	refs2    []uint32 // another story's
}

// Safety margins for comparing rounded sums with bounds.
const (
	boundSlack = 1 + 1e-4
	thetaSlack = 1 - 1e-4
)

// search runs q; the caller holds the read lock.
//
// Scores are sums over the query's selected terms, accumulated as integers
// (fixed point, scaled so that no sum can overflow) so that they do not
// depend on the order of addition. The search first visits the postings of
// the seed terms: those that can add most to a score and are not too common
// (see SeedTerms and SeedPostings), going on while candidates are too few.
// It stops finding candidates there, or as soon as the terms left cannot
// lift an unseen story into the top k (the MaxScore strategy), and then
// completes the scores of the Candidates stories with the best partial
// scores. With Candidates negative it completes every story that can still
// reach the top k, which gives the same top k as scoring every story.
func (ix *Index) search(q *query, k int, exclude []int64) []Result {
	if k <= 0 || ix.live == 0 {
		return nil
	}
	want := k
	if ix.cfg.CopyOverlap > 0 || ix.cfg.CopyResemblance > 0 {
		k += copySlack // room for the copies left out at the end
	}
	model := ix.topics
	if q.copies {
		model = nil
	}
	if model != nil {
		k = max(k, ix.cfg.TopicDepth)
	}
	sel := ix.selectTerms(q)
	if len(sel) == 0 {
		return nil
	}
	seeds := len(sel)
	if ix.cfg.Candidates > 0 {
		seeds = ix.seedFirst(sel)
	}
	sc, _ := ix.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer ix.scratch.Put(sc)
	if len(sc.acc) < len(ix.docs) {
		n := len(ix.docs) + len(ix.docs)/8
		sc.acc, sc.factor = make([]uint32, n), make([]float64, n)
	}
	acc, factor := sc.acc, sc.factor
	c1, c2 := ix.lengthNorm()

	// rest[i] bounds what terms i… add to one story, in units.
	rest := make([]float64, len(sel)+1)
	for i := len(sel) - 1; i >= 0; i-- {
		rest[i] = rest[i+1] + sel[i].bound
	}
	scale := unitScale(rest[0])
	for i := range rest {
		rest[i] *= scale
	}
	for i := range sel {
		sel[i].ws = float32(float64(sel[i].w) * scale)
	}

	// The query story itself accumulates a score too; it is never allowed.
	self := int64(-1)
	if s, ok := ix.slots[q.id]; ok {
		self = int64(s)
	}
	simple := !ix.cfg.NoNewer && len(exclude) == 0
	// allowed reports whether slot may be a result, caching the answer as a
	// factor of -1 (no) or 2 (yes, recency not computed yet).
	allowed := func(s uint32) bool {
		if simple {
			return int64(s) != self
		}
		if f := factor[s]; f != 0 {
			return f > 0
		}
		sc.factored = append(sc.factored, s)
		if ix.allowed(q, s, exclude) {
			factor[s] = 2
			return true
		}
		factor[s] = -1
		return false
	}
	recency := func(s uint32) float64 {
		f := factor[s]
		if f > 0 && f <= 1 {
			return f
		}
		if f == 0 {
			sc.factored = append(sc.factored, s)
		}
		f = ix.recency(q, s)
		factor[s] = f
		return f
	}
	// upper bounds the recency factor of an allowed slot.
	upper := func(s uint32) float64 {
		if f := factor[s]; f > 0 && f <= 1 {
			return f
		}
		return 1
	}
	// theta returns a lower bound of the k-th best final score: the k-th
	// best of partial score times recency among the slots with the best
	// partial scores.
	theta := func(slots []uint32) float64 {
		best := sc.best[:0]
		for _, s := range slots {
			if acc[s] != 0 && allowed(s) {
				best = keepLargest(best, 2*k, scoredSlot{float64(acc[s]), s}, lessScore)
			}
		}
		sc.best = best
		top := sc.top[:0]
		for _, b := range best {
			top = keepLargest(top, k, b.score*recency(b.slot), cmp.Less[float64])
		}
		sc.top = top
		if len(top) < k {
			return 0
		}
		return top[0] * thetaSlack
	}

	// Seeding goes on past the seed terms while candidates are too few.
	need, enough := max(ix.cfg.Candidates, k), max(ix.cfg.Candidates/4, k)
	touched := sc.touched[:0]
	var th, best float64
	lastRest := math.Inf(1)
	i := 0
	for ; i < len(sel); i++ {
		if th > 0 && rest[i] < th || i >= seeds && len(touched) > enough {
			break
		}
		t := &sel[i]
		dls := ix.dls
		pb := &sc.block
		for p, off := ix.terms[t.id].postings, 0; off < len(p); {
			off = pb.decode(p, off)
			for j, s := range pb.slots[:pb.n] {
				a := acc[s]
				if a == 0 {
					touched = append(touched, s)
				}
				a += t.units(pb.tfs[j], c1, c2, dls[s])
				acc[s] = a
				if float64(a) > best {
					best = float64(a)
				}
			}
		}
		if next := rest[i+1]; next < best && next < lastRest*0.8 {
			th, lastRest = theta(touched), next
		}
	}

	final := touched
	if i < len(sel) {
		// No unseen story can reach the top k (or no more are sought):
		// complete the candidates.
		cands := sc.cands[:0]
		for _, s := range touched {
			// The recency factor is at most 1: test the bound without it first.
			if a := float64(acc[s]); a != 0 && (a+rest[i])*boundSlack >= th &&
				allowed(s) && (a+rest[i])*boundSlack*upper(s) >= th {
				cands = append(cands, s)
			} else {
				acc[s] = 0
			}
		}
		if limit := ix.cfg.Candidates; limit > 0 {
			cands = ix.bestCandidates(cands, acc, need, sc)
			ix.complete(cands, sel[i:], acc, c1, c2, sc)
			i = len(sel)
		}
		for ; i < len(sel) && len(cands) > 0; i++ {
			t := &sel[i]
			if len(cands)*8 < int(ix.terms[t.id].df) {
				for _, s := range cands {
					if tf := ix.docs[s].find(t.id); tf > 0 {
						acc[s] += t.units(tf, c1, c2, ix.dls[s])
					}
				}
			} else {
				pb := &sc.block
				for p, off := ix.terms[t.id].postings, 0; off < len(p); {
					off = pb.decode(p, off)
					for j, s := range pb.slots[:pb.n] {
						if acc[s] != 0 {
							acc[s] += t.units(pb.tfs[j], c1, c2, ix.dls[s])
						}
					}
				}
			}
			if i+1 < len(sel) {
				th = max(th, theta(cands))
				kept := cands[:0]
				for _, s := range cands {
					if (float64(acc[s])+rest[i+1])*boundSlack*upper(s) >= th {
						kept = append(kept, s)
					} else {
						acc[s] = 0
					}
				}
				cands = kept
			}
		}
		final = cands
		sc.cands = cands[:0]
	}

	// The weakest score a link may have (see MinEvidence), in units.
	floor := uint32(0)
	var selfScore float64 // the query story's score against itself, in units
	if (ix.cfg.MinEvidence > 0 || model != nil) && !q.copies {
		for i := range sel {
			selfScore += float64(sel[i].units(sel[i].tf, c1, c2, float32(q.dl)))
		}
		floor = uint32(min(ix.cfg.MinEvidence*selfScore, math.MaxUint32))
	}
	h := resultHeap{k: k}
	for _, s := range final {
		if acc[s] != 0 && acc[s] >= floor && allowed(s) {
			h.push(candidate{slot: s, score: float64(acc[s]) / scale * recency(s), date: ix.dates[s], id: ix.ids[s]})
		}
	}
	for _, s := range touched {
		acc[s] = 0
	}
	for _, s := range sc.factored {
		factor[s] = 0
	}
	sc.touched, sc.factored = touched[:0], sc.factored[:0]

	out := h.sorted()
	if model != nil {
		ix.rerank(q, out, model, selfScore/scale)
	}
	results := make([]Result, 0, min(len(out), want))
	listed := make([]uint32, 0, want)
	for _, c := range out {
		if len(results) == want {
			break
		}
		if ix.isCopy(q, c.slot, sc) != q.copies {
			continue
		}
		if !q.copies && slices.ContainsFunc(listed, func(s uint32) bool { return ix.copies(s, c.slot, sc) }) {
			// A copy of a story listed already (the same wire story
			// published twice) adds nothing to the list.
			continue
		}
		listed = append(listed, c.slot)
		r := Result{ID: c.id, Date: timeOf(c.date), Score: c.score}
		if !q.copies {
			r.Reason = ix.reason(sel, c.slot, c1, c2, sc)
		}
		results = append(results, r)
	}
	return results
}

// copySlack is how many results beyond k a search keeps, to fill the places
// of the copies it leaves out; copyMinTerms is the fewest terms two stories
// must keep between them to be told copies (a few shared words prove little).
const (
	copySlack    = 3
	copyMinTerms = 32
)

// isCopy reports whether the story in slot is a near-copy of the query story:
// their texts' sketches resemble each other by CopyResemblance or more, or,
// of the terms either keeps, at least CopyOverlap are kept by both (the
// Jaccard coefficient of the two sets of terms).
func (ix *Index) isCopy(q *query, slot uint32, sc *scratch) bool {
	if r := ix.cfg.CopyResemblance; r > 0 && q.sketch.copyOf(ix.sks[slot], r) {
		return true
	}
	if ix.cfg.CopyOverlap <= 0 {
		return false
	}
	if !q.sorted {
		slices.SortFunc(q.terms, func(a, b queryTerm) int { return cmp.Compare(a.id, b.id) })
		q.sorted = true
	}
	sc.refs, sc.tfs = ix.docs[slot].appendTerms(sc.refs[:0], sc.tfs[:0])
	return ix.overlapping(len(q.terms), func(i int) uint32 { return q.terms[i].id }, sc.refs)
}

// copies reports whether the stories in slots a and b are near-copies of
// each other, by the rules of isCopy.
func (ix *Index) copies(a, b uint32, sc *scratch) bool {
	if r := ix.cfg.CopyResemblance; r > 0 && ix.sks[a].copyOf(ix.sks[b], r) {
		return true
	}
	if ix.cfg.CopyOverlap <= 0 {
		return false
	}
	sc.refs, sc.tfs = ix.docs[a].appendTerms(sc.refs[:0], sc.tfs[:0])
	refs := sc.refs
	sc.refs2, sc.tfs = ix.docs[b].appendTerms(sc.refs2[:0], sc.tfs[:0])
	return ix.overlapping(len(refs), func(i int) uint32 { return refID(refs[i]) }, sc.refs2)
}

// overlapping reports whether n term IDs in increasing order, given by id,
// and the terms refs share CopyOverlap of their union or more.
func (ix *Index) overlapping(n int, id func(int) uint32, refs []uint32) bool {
	shared, i, j := 0, 0, 0
	for i < n && j < len(refs) {
		switch a, b := id(i), refID(refs[j]); {
		case a < b:
			i++
		case a > b:
			j++
		default:
			shared++
			i++
			j++
		}
	}
	union := n + len(refs) - shared
	return union >= copyMinTerms && float64(shared) >= ix.cfg.CopyOverlap*float64(union)
}

// seedFirst moves to the front of sel, keeping their order, the terms that
// find candidates: the first SeedTerms of those kept by at most
// SeedPostings stories, or if there are none, the first SeedTerms. It
// returns how many there are.
func (ix *Index) seedFirst(sel []queryTerm) int {
	n, limit := ix.cfg.SeedTerms, ix.cfg.SeedPostings
	if n < 0 {
		n = len(sel)
	}
	var seeds, others []queryTerm
	for _, t := range sel {
		if len(seeds) < n && (limit < 0 || int(ix.terms[t.id].df) <= limit) {
			seeds = append(seeds, t)
		} else {
			others = append(others, t)
		}
	}
	if len(seeds) == 0 {
		return min(n, len(sel))
	}
	copy(sel, seeds)
	copy(sel[len(seeds):], others)
	return len(seeds)
}

// unitScale returns the power of two that scores are multiplied by before
// rounding to integers: as large as possible while a score of at most bound
// fits in 31 bits.
func unitScale(bound float64) float64 {
	if !(bound > 0) {
		return 1
	}
	_, exp := math.Frexp(float64(1<<31) / bound)
	return math.Ldexp(1, exp-1)
}

// bestCandidates keeps the limit candidates with the best partial scores,
// ties going to newer stories, then to smaller IDs, and clears the others.
func (ix *Index) bestCandidates(cands []uint32, acc []uint32, limit int, sc *scratch) []uint32 {
	if len(cands) <= limit {
		return cands
	}
	// Count the scores in buckets (a monotone map of the score), find the
	// bucket that holds the limit-th best, keep the candidates above it and
	// the best of those in it.
	var top uint32
	for _, s := range cands {
		top = max(top, acc[s])
	}
	const buckets = 1024
	bucket := func(a uint32) int { return int(uint64(a) * (buckets - 1) / uint64(top)) }
	counts := &sc.counts
	clear(counts[:])
	for _, s := range cands {
		counts[bucket(acc[s])]++
	}
	cut, above := buckets-1, 0
	for ; above+int(counts[cut]) < limit; cut-- {
		above += int(counts[cut])
	}
	kept := cands[:0]
	var edge []candidate
	for _, s := range cands {
		switch b := bucket(acc[s]); {
		case b > cut:
			kept = append(kept, s)
			continue
		case b == cut:
			edge = append(edge, candidate{slot: s, score: float64(acc[s]), date: ix.dates[s], id: ix.ids[s]})
		}
		acc[s] = 0
	}
	slices.SortFunc(edge, func(a, b candidate) int {
		if better(a, b) {
			return -1
		}
		return 1
	})
	for _, c := range edge[:limit-len(kept)] {
		acc[c.slot] = uint32(c.score)
		kept = append(kept, c.slot)
	}
	return kept
}

// complete adds to the partial score of each candidate the contributions of
// the terms rest, looking each of the candidate's terms up in a small hash
// table of rest.
func (ix *Index) complete(cands []uint32, rest []queryTerm, acc []uint32, c1, c2 float32, sc *scratch) {
	if len(rest) == 0 {
		return
	}
	size := 16
	for size < 2*len(rest) {
		size *= 2
	}
	mask := uint32(size - 1)
	if cap(sc.table) < size {
		sc.table, sc.pos = make([]uint32, size), make([]int32, size)
	}
	table, pos := sc.table[:size], sc.pos[:size] // term ID + 1 → position in rest
	clear(table)
	for n, t := range rest {
		h := hashID(t.id) & mask
		for table[h] != 0 {
			h = (h + 1) & mask
		}
		table[h], pos[h] = t.id+1, int32(n)
	}
	for _, s := range cands {
		b := ix.docs[s].terms // decoded as story.appendTerms does
		dl := ix.dls[s]
		sum := acc[s]
		id := uint32(0)
		for i := 0; i < len(b); {
			v := uint32(b[i]) // uvarint32, inlined by hand
			if i++; v >= 0x80 {
				v, i = uvarintLong(b, i-1)
			}
			id += v >> 1
			i += int(v & 1)
			tf := b[i]
			i++
			for h := hashID(id) & mask; table[h] != 0; h = (h + 1) & mask {
				if table[h] == id+1 {
					sum += rest[pos[h]].units(tf, c1, c2, dl)
					break
				}
			}
		}
		acc[s] = sum
	}
}

// hashID spreads term IDs over a power-of-two table (Fibonacci hashing).
func hashID(id uint32) uint32 { return id * 0x9e3779b1 >> 7 }

// selectTerms returns the query's terms that are shared with another story
// and not too common, weighted, at most QueryTerms of them by weight, in the
// order the search visits them.
func (ix *Index) selectTerms(q *query) []queryTerm {
	cfg := &ix.cfg
	n := float64(ix.live)
	k1, b := cfg.K1, cfg.B
	avgdl := ix.avgdl()
	var sel []queryTerm
	for _, t := range q.terms {
		df := int(ix.terms[t.id].df)
		others := df
		if q.self >= 0 {
			others--
		}
		if others < 1 || ix.live >= maxDocFreqMin && float64(others) > cfg.MaxDocFreq*n {
			continue
		}
		t.idf = math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
		tf := float64(t.tf) / tfUnit
		t.weight = t.idf * tf * (k1 + 1) / (tf + k1*(1-b+b*q.dl/avgdl))
		sel = append(sel, t)
	}
	byKey := func(a, b queryTerm) int { return strings.Compare(ix.terms[a.id].key, ix.terms[b.id].key) }
	if cfg.QueryTerms >= 0 && len(sel) > cfg.QueryTerms {
		slices.SortFunc(sel, func(a, b queryTerm) int {
			if a.weight != b.weight {
				return cmp.Compare(b.weight, a.weight)
			}
			return byKey(a, b)
		})
		sel = sel[:cfg.QueryTerms]
	}
	c1, _ := ix.lengthNorm()
	for i := range sel {
		t := &sel[i]
		t.w = float32(t.weight * (k1 + 1))
		m := float64(ix.terms[t.id].maxTF) / tfUnit
		t.bound = float64(t.w) * m / (m + float64(c1)) * boundSlack
	}
	slices.SortFunc(sel, func(a, b queryTerm) int {
		if a.bound != b.bound {
			return cmp.Compare(b.bound, a.bound)
		}
		return byKey(a, b)
	})
	return sel
}

func (ix *Index) avgdl() float64 {
	if ix.live == 0 || ix.sumDL == 0 {
		return 1
	}
	return float64(ix.sumDL) / lengthUnit / float64(ix.live)
}

// lengthNorm returns the constants of BM25's length normalisation:
// a story of length dl saturates tf as tf / (tf + c1 + c2·dl).
func (ix *Index) lengthNorm() (c1, c2 float32) {
	k1, b := ix.cfg.K1, ix.cfg.B
	return float32(k1 * (1 - b)), float32(k1 * b / ix.avgdl())
}

// contribution is what a term of query weight w adds to the score of a story
// of length dl where its frequency is tf. The conversions forbid fused
// multiply-adds, so every path computes the same bits.
func contribution(w float32, tf uint8, c1, c2, dl float32) float32 {
	t := float32(tf) / tfUnit
	return float32(w*t) / (float32(t+c1) + float32(c2*dl))
}

// units returns the contribution of the term to a story of length dl where
// its frequency is tf, in units; as contribution, it computes the same bits
// on every path.
func (t *queryTerm) units(tf uint8, c1, c2, dl float32) uint32 {
	f := float32(tf) / tfUnit
	return uint32(float32(t.ws*f) / (float32(f+c1) + float32(c2*dl)))
}

// allowed reports whether slot may be a result of q.
func (ix *Index) allowed(q *query, slot uint32, exclude []int64) bool {
	id := ix.ids[slot]
	if id == q.id || slices.Contains(exclude, id) {
		return false
	}
	qd, d := q.date, ix.dates[slot]
	return !ix.cfg.NoNewer || qd == noDate || d == noDate || d <= qd
}

// recency returns the factor the score of slot is multiplied by.
func (ix *Index) recency(q *query, slot uint32) float64 {
	qd, d := q.date, ix.dates[slot]
	if qd == noDate || d == noDate || ix.cfg.RecencyWeight <= 0 {
		return 1
	}
	dt := math.Abs(float64(qd-d)) / ix.cfg.HalfLife.Seconds()
	return 1 - ix.cfg.RecencyWeight + ix.cfg.RecencyWeight*math.Exp2(-dt)
}

type scoredSlot struct {
	score float64
	slot  uint32
}

func lessScore(a, b scoredSlot) bool { return a.score < b.score }

// keepLargest keeps the n largest values in the min-heap h, ordered by less,
// and returns it.
func keepLargest[T any](h []T, n int, v T, less func(a, b T) bool) []T {
	if len(h) < n {
		h = append(h, v)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !less(h[i], h[p]) {
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
		return h
	}
	if !less(h[0], v) {
		return h
	}
	h[0] = v
	for i := 0; ; {
		m, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && less(h[l], h[m]) {
			m = l
		}
		if r < len(h) && less(h[r], h[m]) {
			m = r
		}
		if m == i {
			return h
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// Reasons name what an editor would: people, places, organisations and
// phrases, and single words only when they are distinctive, kept by at most
// one story in reasonShare (or reasonMinDF stories in a small index).
const (
	reasonShare = 100
	reasonMinDF = 3
)

// reason returns the query story's surfaces of the terms that contributed
// most to the score of slot, entities first, leaving out words that are part
// of a shared phrase and common words. When no shared term qualifies, the
// reason is empty: a common word ("change", "welcomed") explains nothing;
// nor does one distinctive word alone.
func (ix *Index) reason(sel []queryTerm, slot uint32, c1, c2 float32, sc *scratch) []string {
	type shared struct {
		key, surface string
		entity       bool
		distinctive  bool
		score        float32
	}
	sc.refs, sc.tfs = ix.docs[slot].appendTerms(sc.refs[:0], sc.tfs[:0])
	refs, tfs := sc.refs, sc.tfs
	common := max(reasonMinDF, ix.live/reasonShare)
	var all []shared
	for _, t := range sel {
		if i := index(refs, t.id); i >= 0 {
			term := &ix.terms[t.id]
			named := t.entity || strings.Contains(term.key, " ")
			surface := t.surface
			if ref := refs[i]; refEntity(ref) && strings.ToLower(surface) == surface {
				// The query story has the word only in lower case (at the
				// start of sentences, in a headline in capitals); the other
				// story writes it as a name.
				surface = term.surfaceAt(refSurface(ref))
			}
			// A name in either story is listed as one; it is distinctive
			// only if the query story has it as a name.
			entity := t.entity || refEntity(refs[i])
			all = append(all, shared{term.key, surface, entity, named || int(term.df) <= common,
				contribution(t.w, tfs[i], c1, c2, ix.dls[slot])})
		}
	}
	slices.SortFunc(all, func(a, b shared) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		return strings.Compare(a.key, b.key)
	})
	inPhrase := func(c shared) bool {
		if strings.Contains(c.key, " ") {
			return false
		}
		for _, p := range all {
			if strings.Contains(p.key, " ") && (strings.EqualFold(p.surface, c.surface) ||
				slices.ContainsFunc(strings.Fields(p.surface), func(w string) bool {
					return strings.EqualFold(w, c.surface)
				})) {
				return true
			}
		}
		return false
	}
	var picked []shared
	for _, c := range all {
		if len(picked) == ix.cfg.ReasonTerms {
			break
		}
		if c.distinctive && !inPhrase(c) && !slices.ContainsFunc(picked, func(p shared) bool { return strings.EqualFold(p.surface, c.surface) }) {
			picked = append(picked, c)
		}
	}
	if len(picked) == 1 && !picked[0].entity && !strings.Contains(picked[0].key, " ") {
		// One shared word alone, however rare, is as likely a verb of the
		// headlines ("poised", "quits") as a subject: it explains nothing.
		picked = nil
	}
	slices.SortStableFunc(picked, func(a, b shared) int {
		switch {
		case a.entity == b.entity:
			return 0
		case a.entity:
			return -1
		}
		return 1
	})
	out := make([]string, len(picked))
	for i, c := range picked {
		out[i] = c.surface
	}
	return out
}

// candidate is a scored story.
type candidate struct {
	slot  uint32
	score float64
	date  int64
	id    int64
}

// better reports whether a ranks before b: higher score, then newer, then
// smaller ID.
func better(a, b candidate) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.date != b.date {
		return a.date > b.date
	}
	return a.id < b.id
}

// resultHeap keeps the best k candidates, the worst at the root.
type resultHeap struct {
	k int
	c []candidate
}

func (h *resultHeap) push(c candidate) {
	if len(h.c) < h.k {
		h.c = append(h.c, c)
		for i := len(h.c) - 1; i > 0; {
			parent := (i - 1) / 2
			if !better(h.c[parent], h.c[i]) {
				break
			}
			h.c[parent], h.c[i] = h.c[i], h.c[parent]
			i = parent
		}
		return
	}
	if !better(c, h.c[0]) {
		return
	}
	h.c[0] = c
	for i := 0; ; {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(h.c) && better(h.c[worst], h.c[l]) {
			worst = l
		}
		if r < len(h.c) && better(h.c[worst], h.c[r]) {
			worst = r
		}
		if worst == i {
			break
		}
		h.c[i], h.c[worst] = h.c[worst], h.c[i]
		i = worst
	}
}

func (h *resultHeap) sorted() []candidate {
	slices.SortFunc(h.c, func(a, b candidate) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	return h.c
}
