package related

import (
	"cmp"
	"context"
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Latent topics: a truncated singular value decomposition of the archive's
// story–term matrix (latent semantic analysis) gives every story a short
// dense vector, and a search re-ranks its best candidates by blending in the
// cosine of those vectors. Two stories on one subject that share few exact
// words ("the pound fell" and "sterling weakened") come closer; a story's
// distinctive terms still decide most of its score.
const (
	// topicSample bounds the stories a model is trained on; more add little
	// to a basis of a few dozen dimensions and cost time.
	topicSample = 20000
	// topicTerms bounds the terms a model knows, the most widespread first:
	// rarer terms tell little about topics and cost dims·4 bytes each.
	topicTerms = 1 << 15
	// topicOversample is how many dimensions beyond Topics the randomized
	// SVD computes, and topicPower its power iterations.
	topicOversample = 16
	topicPower      = 2
	// topicFoldChunk is how many stories are folded into a new model under
	// the write lock at a time, so that searches go on meanwhile.
	topicFoldChunk = 512
)

// topics is a trained model and the stories' vectors in it.
type topics struct {
	dims    int
	trained int              // stories in the index when the model was trained
	row     map[uint32]int32 // term ID → row of basis
	idf     []float32        // by row, as trained
	basis   []float32        // by row, dims each
	vecs    []int8           // by slot, dims each; all zero: no vector
}

// fold computes the vector of a story given by its terms (IDs and
// frequencies in 1/tfUnit) into v: the story's TF-IDF vector projected on the
// basis, scaled so its largest component is ±127. The sum is kept in fixed
// point, so it does not depend on the order of the terms.
func (m *topics) fold(n int, term func(int) (uint32, uint8), v []int8) {
	var acc [maxTopicDims]int64
	for i := range n {
		id, tf := term(i)
		r, ok := m.row[id]
		if !ok {
			continue
		}
		w := topicWeight(tf) * m.idf[r]
		for k, b := range m.basis[int(r)*m.dims : int(r+1)*m.dims] {
			acc[k] += int64(math.Round(float64(w*b) * (1 << 24)))
		}
	}
	var top int64
	for _, a := range acc[:m.dims] {
		top = max(top, a, -a)
	}
	for k := range v {
		v[k] = 0
		if top > 0 {
			v[k] = int8(acc[k] * 127 / top)
		}
	}
}

// maxTopicDims bounds Config.Topics.
const maxTopicDims = 256

// topicWeight is the sublinear term frequency of the model's TF-IDF.
func topicWeight(tf uint8) float32 {
	f := float64(tf) / tfUnit
	if f >= 1 {
		f = 1 + math.Log(f)
	}
	return float32(f)
}

// foldSlot folds the story in slot, whose terms are refs with frequencies
// tfs, into the model.
func (m *topics) foldSlot(slot uint32, refs []uint32, tfs []uint8) {
	need := (int(slot) + 1) * m.dims
	if len(m.vecs) < need {
		m.vecs = append(m.vecs, make([]int8, need-len(m.vecs)+need/8)...)
	}
	m.fold(len(refs), func(i int) (uint32, uint8) { return refID(refs[i]), tfs[i] }, m.vec(slot))
}

func (m *topics) vec(slot uint32) []int8 {
	return m.vecs[int(slot)*m.dims : int(slot+1)*m.dims]
}

func (m *topics) clear(slot uint32) {
	if int(slot+1)*m.dims <= len(m.vecs) {
		clear(m.vec(slot))
	}
}

// cosine returns the cosine of two vectors, 0 if either is zero.
func cosine(a, b []int8) float64 {
	var ab, aa, bb int64
	for k := range a {
		x, y := int64(a[k]), int64(b[k])
		ab += x * y
		aa += x * x
		bb += y * y
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return float64(ab) / math.Sqrt(float64(aa)*float64(bb))
}

// TrainTopics trains the latent-topic model on the stories in the index (a
// deterministic sample of at most 20,000, by ID), replacing the model it
// had, and gives every story its vector; stories added later are folded in
// (projected on the model) as they come. Searches go on meanwhile, with the
// previous model until the new one is complete. It does nothing when
// Config.Topics is negative or the index holds fewer than 4·Topics stories.
// It returns ctx's error if ctx ends first, leaving the previous model.
func (ix *Index) TrainTopics(ctx context.Context) error {
	dims := ix.cfg.Topics
	if dims <= 0 {
		return nil
	}
	rows, keys, ids, idf, live := ix.topicRows()
	if live >= 4*dims {
		ix.mu.Lock()
		ix.topicsTried = live
		ix.mu.Unlock()
	}
	if len(rows) < 4*dims {
		return nil // too few stories share terms for a model: tried again once the archive doubles
	}
	basis, err := trainBasis(ctx, rows, keys, dims)
	if err != nil {
		return err
	}
	m := &topics{dims: dims, trained: live, row: make(map[uint32]int32, len(ids)), idf: idf, basis: basis}
	for r, id := range ids {
		m.row[id] = int32(r)
	}
	ix.mu.Lock()
	m.vecs = make([]int8, len(ix.docs)*dims)
	ix.pending = m
	n := len(ix.docs)
	ix.mu.Unlock()
	var refs []uint32 // a story's terms, decoded
	var tfs []uint8
	for start := 0; start < n; start += topicFoldChunk {
		if err := ctx.Err(); err != nil {
			ix.mu.Lock()
			ix.pending = nil
			ix.mu.Unlock()
			return err
		}
		ix.mu.Lock()
		for slot := start; slot < min(start+topicFoldChunk, len(ix.docs)); slot++ {
			if ix.docs[slot].terms != nil {
				refs, tfs = ix.docs[slot].appendTerms(refs[:0], tfs[:0])
				m.foldSlot(uint32(slot), refs, tfs)
			}
		}
		ix.mu.Unlock()
	}
	ix.mu.Lock()
	// Stories added while folding, in slots beyond n, were folded by insert.
	ix.topics, ix.pending = m, nil
	ix.mu.Unlock()
	return nil
}

// TopicStories returns how many stories the index held when its latent-topic
// model was trained, or 0 when it has none. A caller retrains when the
// archive has grown well beyond it.
func (ix *Index) TopicStories() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.topics == nil {
		return 0
	}
	return ix.topics.trained
}

// TopicsStale reports whether TrainTopics has work to do: the index has no
// latent-topic model yet holds enough stories for one, or has grown to twice
// the stories it held when its model was trained. A training that gave no
// model (too few stories sharing terms) is not tried again until the archive
// has doubled since.
func (ix *Index) TopicsStale() bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.cfg.Topics <= 0 || ix.live < 4*ix.cfg.Topics {
		return false
	}
	if ix.topics != nil {
		return ix.live >= 2*ix.topics.trained
	}
	return ix.topicsTried == 0 || ix.live >= 2*ix.topicsTried
}

// topicCell is one entry of the story–term matrix: a column and a weight.
type topicCell struct {
	col int32
	w   float64
}

// topicRows copies, under the read lock, the matrix to train on: the sampled
// stories' TF-IDF rows (unit length) over the columns, the terms found in at
// least two sampled stories and at most half, the topicTerms most widespread,
// in key order. It returns the rows, the columns' keys, term IDs and IDF
// weights, and the number of stories in the index.
func (ix *Index) topicRows() ([][]topicCell, []string, []uint32, []float32, int) {
	ix.mu.RLock()
	live := ix.live
	ids := make([]int64, 0, len(ix.slots))
	for id := range ix.slots {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(ids) > topicSample {
		step := float64(len(ids)) / topicSample
		sample := make([]int64, topicSample)
		for i := range sample {
			sample[i] = ids[int(float64(i)*step)]
		}
		ids = sample
	}
	type raw struct {
		refs []uint32
		tfs  []uint8
	}
	raws := make([]raw, len(ids))
	df := make(map[uint32]int32)
	for i, id := range ids {
		st := &ix.docs[ix.slots[id]]
		refs, tfs := st.appendTerms(nil, nil)
		raws[i] = raw{refs, tfs}
		for _, ref := range refs {
			df[refID(ref)]++
		}
	}
	type column struct {
		id  uint32
		key string
		df  int32
	}
	var cols []column
	for id, n := range df {
		if n >= 2 && float64(n) <= 0.5*float64(len(ids)) {
			cols = append(cols, column{id, ix.terms[id].key, n})
		}
	}
	ix.mu.RUnlock()

	if len(cols) > topicTerms {
		slices.SortFunc(cols, func(a, b column) int {
			if a.df != b.df {
				return cmp.Compare(b.df, a.df)
			}
			return strings.Compare(a.key, b.key)
		})
		cols = cols[:topicTerms]
	}
	slices.SortFunc(cols, func(a, b column) int { return strings.Compare(a.key, b.key) })
	colOf := make(map[uint32]int32, len(cols))
	keys, tids := make([]string, len(cols)), make([]uint32, len(cols))
	idf := make([]float32, len(cols))
	for c, col := range cols {
		colOf[col.id] = int32(c)
		keys[c], tids[c] = col.key, col.id
		idf[c] = float32(math.Log(float64(len(ids)) / float64(col.df)))
	}
	rows := make([][]topicCell, 0, len(raws))
	for _, r := range raws {
		var row []topicCell
		var norm float64
		for i, ref := range r.refs {
			c, ok := colOf[refID(ref)]
			if !ok {
				continue
			}
			w := float64(topicWeight(r.tfs[i]) * idf[c])
			row = append(row, topicCell{c, w})
			norm += w * w
		}
		if norm == 0 {
			continue
		}
		norm = math.Sqrt(norm)
		for i := range row {
			row[i].w /= norm
		}
		slices.SortFunc(row, func(a, b topicCell) int { return cmp.Compare(a.col, b.col) })
		rows = append(rows, row)
	}
	return rows, keys, tids, idf, live
}

// trainBasis computes, by a randomized SVD (Halko, Martinsson and Tropp,
// 2011), the dims leading right singular vectors of the matrix whose rows
// are given over the columns named by keys. It returns the basis: a row of
// dims per column, the column's coordinates scaled by the inverse singular
// values, so that a row of the matrix times the basis is the story's vector.
// The random start of a column depends on its key alone, so the result
// depends on the matrix only.
func trainBasis(ctx context.Context, rows [][]topicCell, keys []string, dims int) ([]float32, error) {
	l := dims + topicOversample
	ncols := len(keys)
	omega := make([]float64, ncols*l)
	for c, key := range keys {
		h := fnv.New64a()
		h.Write([]byte(key))
		rng := rand.New(rand.NewPCG(h.Sum64(), 0x5eed))
		for j := range l {
			omega[c*l+j] = rng.NormFloat64()
		}
	}
	// y = A·m (rows × l) and z = Aᵀ·y (ncols × l), dense row-major.
	mulA := func(m []float64) []float64 {
		y := make([]float64, len(rows)*l)
		for d, r := range rows {
			out := y[d*l : (d+1)*l]
			for _, c := range r {
				for j, v := range m[int(c.col)*l : int(c.col+1)*l] {
					out[j] += c.w * v
				}
			}
		}
		return y
	}
	mulAT := func(y []float64) []float64 {
		z := make([]float64, ncols*l)
		for d, r := range rows {
			in := y[d*l : (d+1)*l]
			for _, c := range r {
				out := z[int(c.col)*l : int(c.col+1)*l]
				for j, v := range in {
					out[j] += c.w * v
				}
			}
		}
		return z
	}
	y := mulA(omega)
	orthonormalize(y, l)
	for range topicPower {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		z := mulAT(y)
		orthonormalize(z, l)
		y = mulA(z)
		orthonormalize(y, l)
	}
	bt := mulAT(y) // (Qᵀ·A)ᵀ: ncols × l
	// The eigenvectors of B·Bᵀ (l × l) give B's right singular vectors.
	c := make([]float64, l*l)
	for r := range ncols {
		row := bt[r*l : (r+1)*l]
		for i, a := range row {
			if a == 0 {
				continue
			}
			for j, b := range row {
				c[i*l+j] += a * b
			}
		}
	}
	vals, vecs := symmetricEigen(c, l)
	order := make([]int, l)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(vals[b], vals[a]) })
	basis := make([]float32, ncols*dims)
	for r := range ncols {
		row := bt[r*l : (r+1)*l]
		for k := range dims {
			o := order[k]
			if vals[o] <= 0 {
				continue
			}
			var s float64
			for i, a := range row {
				s += a * vecs[i*l+o]
			}
			basis[r*dims+k] = float32(s / math.Sqrt(vals[o]))
		}
	}
	return basis, nil
}

// orthonormalize makes the l columns of the row-major matrix m orthonormal
// (modified Gram–Schmidt); a column that depends on the others becomes zero.
func orthonormalize(m []float64, l int) {
	n := len(m) / l
	for j := range l {
		for p := range j {
			var dot float64
			for i := range n {
				dot += m[i*l+j] * m[i*l+p]
			}
			for i := range n {
				m[i*l+j] -= dot * m[i*l+p]
			}
		}
		var norm float64
		for i := range n {
			norm += m[i*l+j] * m[i*l+j]
		}
		norm = math.Sqrt(norm)
		for i := range n {
			if norm > 1e-12 {
				m[i*l+j] /= norm
			} else {
				m[i*l+j] = 0
			}
		}
	}
}

// symmetricEigen returns the eigenvalues and eigenvectors (the columns of the
// row-major result) of the symmetric n × n matrix a, which it overwrites, by
// cyclic Jacobi rotations.
func symmetricEigen(a []float64, n int) ([]float64, []float64) {
	v := make([]float64, n*n)
	for i := range n {
		v[i*n+i] = 1
	}
	for range 64 {
		var off, diag float64
		for p := range n {
			diag += a[p*n+p] * a[p*n+p]
			for q := p + 1; q < n; q++ {
				off += a[p*n+q] * a[p*n+q]
			}
		}
		if off <= 1e-24*diag {
			break
		}
		for p := range n {
			for q := p + 1; q < n; q++ {
				apq := a[p*n+q]
				if apq == 0 {
					continue
				}
				theta := (a[q*n+q] - a[p*n+p]) / (2 * apq)
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := range n {
					akp, akq := a[k*n+p], a[k*n+q]
					a[k*n+p], a[k*n+q] = c*akp-s*akq, s*akp+c*akq
				}
				for k := range n {
					apk, aqk := a[p*n+k], a[q*n+k]
					a[p*n+k], a[q*n+k] = c*apk-s*aqk, s*apk+c*aqk
				}
				for k := range n {
					vkp, vkq := v[k*n+p], v[k*n+q]
					v[k*n+p], v[k*n+q] = c*vkp-s*vkq, s*vkp+c*vkq
				}
			}
		}
	}
	vals := make([]float64, n)
	for i := range n {
		vals[i] = a[i*n+i]
	}
	return vals, v
}

// rerank blends the latent topics into the scores of the candidates, sorted
// best first, and sorts them again: each gains TopicWeight · best score ·
// (1 - share) · cosine (times its recency), where share is the best score's
// share of the score the query story has against itself. A story whose best
// match shares little of its weight (a story of few distinctive terms)
// leans on its topics; one that shares most of it with another (the same
// event) keeps its order.
func (ix *Index) rerank(q *query, cands []candidate, m *topics, self float64) {
	if len(cands) < 2 || !(self > 0) {
		return
	}
	var qv []int8
	if q.self >= 0 {
		qv = m.vec(uint32(q.self))
	} else {
		qv = make([]int8, m.dims)
		m.fold(len(q.terms), func(i int) (uint32, uint8) { return q.terms[i].id, q.terms[i].tf }, qv)
	}
	top := cands[0].score
	w := ix.cfg.TopicWeight * top * (1 - min(top/self, 1))
	for i := range cands {
		c := &cands[i]
		if cos := cosine(qv, m.vec(c.slot)); cos != 0 {
			c.score += w * cos * ix.recency(q, c.slot)
		}
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
}

// topics writes the latent-topic model of ix after its stories: its
// dimensions (0 for none), the stories it was trained on, its rows (term ID,
// IDF, basis) and each written story's vector, in the order of the stories.
func (e *encoder) topics(ix *Index) {
	m := ix.topics
	if m == nil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(m.dims))
	e.uvarint(uint64(m.trained))
	ids := make([]uint32, 0, len(m.row))
	for id := range m.row {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	e.uvarint(uint64(len(ids)))
	b := make([]byte, 4*(m.dims+1))
	prev := uint32(0)
	for _, id := range ids {
		e.uvarint(uint64(id - prev))
		prev = id
		r := m.row[id]
		binary.LittleEndian.PutUint32(b, math.Float32bits(m.idf[r]))
		for k, v := range m.basis[int(r)*m.dims : int(r+1)*m.dims] {
			binary.LittleEndian.PutUint32(b[4*(k+1):], math.Float32bits(v))
		}
		e.write(b)
	}
	v := make([]byte, m.dims)
	for slot := range ix.docs {
		if s, ok := ix.slots[ix.ids[slot]]; !ok || s != uint32(slot) {
			continue // a free slot
		}
		for k, x := range m.vec(uint32(slot)) {
			v[k] = byte(x)
		}
		e.write(v)
	}
}

// topics reads what encoder.topics wrote for ix, whose stories are read;
// nterms is the number of terms. It returns nil when the snapshot holds no
// model, or one of other dimensions than ix's configuration asks for.
func (d *decoder) topics(ix *Index, nterms int) *topics {
	dims := d.count(maxTopicDims + 1)
	if dims == 0 || d.bad {
		return nil
	}
	m := &topics{dims: dims, trained: d.count(maxSlot + 1)}
	rows := d.count(min(nterms+1, d.left/(4*(dims+1))+1))
	m.row = make(map[uint32]int32, rows)
	m.idf, m.basis = make([]float32, rows), make([]float32, rows*dims)
	b := make([]byte, 4*(dims+1))
	id := uint64(0)
	for r := range rows {
		delta := d.uvarint()
		id += delta
		if d.read(b); d.bad || id >= uint64(nterms) || r > 0 && delta == 0 {
			d.bad = true
			return nil
		}
		m.row[uint32(id)] = int32(r)
		m.idf[r] = math.Float32frombits(binary.LittleEndian.Uint32(b))
		for k := range dims {
			m.basis[r*dims+k] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*(k+1):]))
		}
	}
	m.vecs = make([]int8, len(ix.docs)*dims)
	v := make([]byte, dims)
	for slot := range ix.docs {
		d.read(v)
		for k, x := range v {
			m.vecs[slot*dims+k] = int8(x)
		}
	}
	if d.bad || dims != ix.cfg.Topics {
		return nil
	}
	return m
}
