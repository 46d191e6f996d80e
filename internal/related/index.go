package related

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
)

// Limits and units of the packed data kept per story.
const (
	maxTermID     = 1<<24 - 1
	surfaceBits   = 7
	untracked     = 1<<surfaceBits - 1 // a surface beyond the first 127 of a term
	surfaceShift  = 24
	entityBit     = 1 << 31
	tfUnit        = 16 // term frequencies are kept in 1/16ths, in a uint16
	lengthUnit    = 16 // story lengths are kept in 1/16ths, so their sum is exact
	maxDocFreqMin = 10 // MaxDocFreq applies to indexes of at least this many stories
)

// Index is an in-memory related-stories index.
//
// An Index is safe for concurrent use: any number of Related and Similar
// calls run in parallel, while Add, Update and Remove hold an exclusive lock
// (a sync.RWMutex) for the time of one story's change.
type Index struct {
	cfg Config

	mu    sync.RWMutex
	slots map[int64]uint32 // story ID → slot
	docs  []story          // by slot
	ids   []int64          // story ID by slot
	dates []int64          // Unix seconds by slot, or noDate
	dls   []float32        // story length by slot
	free  []uint32         // empty slots
	live  int
	sumDL uint64 // total length of the live stories, in 1/lengthUnit
	dict  map[string]uint32
	terms []termInfo

	scratch sync.Pool // *scratch
}

// story holds an indexed story's terms, sorted by term ID.
type story struct {
	refs []uint32 // term ID | surface index << surfaceShift | entityBit
	tfs  []uint16 // in 1/tfUnit
	dl   uint32   // in 1/lengthUnit
}

func refID(ref uint32) uint32      { return ref & maxTermID }
func refSurface(ref uint32) uint32 { return ref >> surfaceShift & untracked }
func refEntity(ref uint32) bool    { return ref&entityBit != 0 }

// find returns the term frequency of term id in the story, or 0.
func (s *story) find(id uint32) uint16 {
	lo, hi := 0, len(s.refs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if refID(s.refs[m]) < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(s.refs) && refID(s.refs[lo]) == id {
		return s.tfs[lo]
	}
	return 0
}

type termInfo struct {
	key      string
	slots    []uint32 // postings: the stories that keep the term
	tfs      []uint16 // and its frequency in each
	maxTF    uint16   // the largest of tfs
	surfaces []surfaceCount
}

type surfaceCount struct {
	surface string
	n       int32
}

// surface returns the term's most used surface, the smallest on ties.
func (t *termInfo) surface() string {
	best := -1
	for i, s := range t.surfaces {
		if s.n <= 0 {
			continue
		}
		if best < 0 || s.n > t.surfaces[best].n || s.n == t.surfaces[best].n && s.surface < t.surfaces[best].surface {
			best = i
		}
	}
	if best < 0 {
		return t.key
	}
	return t.surfaces[best].surface
}

// countSurface counts one more use of surface and returns its index.
func (t *termInfo) countSurface(surface string) uint32 {
	for i := range t.surfaces {
		if t.surfaces[i].surface == surface {
			t.surfaces[i].n++
			return uint32(i)
		}
	}
	if len(t.surfaces) >= untracked {
		return untracked
	}
	t.surfaces = append(t.surfaces, surfaceCount{surface: strings.Clone(surface), n: 1})
	return uint32(len(t.surfaces) - 1)
}

// New returns an empty Index; zero fields of cfg take their defaults.
func New(cfg Config) *Index {
	return &Index{
		cfg:   cfg.withDefaults(),
		slots: make(map[int64]uint32),
		dict:  make(map[string]uint32),
	}
}

// Len returns the number of stories in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// Contains reports whether the story id is in the index.
func (ix *Index) Contains(id int64) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.slots[id]
	return ok
}

// Add adds a story. It returns ErrExists if the story is already indexed,
// and ErrFull if the index would hold more than 16,777,215 distinct terms.
func (ix *Index) Add(doc Document) error {
	ps, dl := ix.cfg.prepare(doc.Terms())
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if _, ok := ix.slots[doc.ID()]; ok {
		return fmt.Errorf("related: add story %d: %w", doc.ID(), ErrExists)
	}
	return ix.insert(doc, ps, dl)
}

// Update adds a story or replaces the indexed story with the same ID. It
// returns ErrFull as Add does, leaving the index without the story.
func (ix *Index) Update(doc Document) error {
	ps, dl := ix.cfg.prepare(doc.Terms())
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if slot, ok := ix.slots[doc.ID()]; ok {
		ix.remove(slot)
	}
	return ix.insert(doc, ps, dl)
}

// Remove removes the story id and reports whether it was indexed.
func (ix *Index) Remove(id int64) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, ok := ix.slots[id]
	if ok {
		ix.remove(slot)
	}
	return ok
}

func (ix *Index) insert(doc Document, ps []prepared, dl float64) error {
	if len(ix.terms)+len(ps) > maxTermID {
		return fmt.Errorf("related: add story %d: %w", doc.ID(), ErrFull)
	}
	var slot uint32
	if n := len(ix.free); n > 0 {
		slot = ix.free[n-1]
		ix.free = ix.free[:n-1]
	} else {
		slot = uint32(len(ix.docs))
		ix.docs = append(ix.docs, story{})
		ix.ids = append(ix.ids, 0)
		ix.dates = append(ix.dates, 0)
		ix.dls = append(ix.dls, 0)
	}
	st := story{refs: make([]uint32, len(ps)), tfs: make([]uint16, len(ps)), dl: lengthOf(dl)}
	for i, p := range ps {
		id, ok := ix.dict[p.key]
		if !ok {
			id = uint32(len(ix.terms))
			key := strings.Clone(p.key)
			ix.dict[key] = id
			ix.terms = append(ix.terms, termInfo{key: key})
		}
		t := &ix.terms[id]
		t.slots = grow(t.slots, slot)
		t.tfs = grow(t.tfs, p.tf)
		t.maxTF = max(t.maxTF, p.tf)
		st.refs[i] = id | t.countSurface(p.surface)<<surfaceShift
		if p.entity {
			st.refs[i] |= entityBit
		}
		st.tfs[i] = p.tf
	}
	sortByID(&st)
	ix.docs[slot] = st
	ix.ids[slot] = doc.ID()
	ix.dates[slot] = unixDate(doc.Date())
	ix.dls[slot] = float32(st.dl) / lengthUnit
	ix.slots[doc.ID()] = slot
	ix.live++
	ix.sumDL += uint64(st.dl)
	return nil
}

// grow appends v, growing capacity by an eighth rather than doubling: most
// postings lists grow one story at a time and live long.
func grow[T any](s []T, v T) []T {
	if len(s) == cap(s) {
		n := make([]T, len(s), len(s)+len(s)/8+2)
		copy(n, s)
		s = n
	}
	return append(s, v)
}

func sortByID(st *story) {
	type pair struct {
		ref uint32
		tf  uint16
	}
	pairs := make([]pair, len(st.refs))
	for i := range pairs {
		pairs[i] = pair{st.refs[i], st.tfs[i]}
	}
	slices.SortFunc(pairs, func(a, b pair) int { return cmp.Compare(refID(a.ref), refID(b.ref)) })
	for i, p := range pairs {
		st.refs[i], st.tfs[i] = p.ref, p.tf
	}
}

func lengthOf(dl float64) uint32 {
	return uint32(min(math.Round(dl*lengthUnit), math.MaxUint32))
}

func (ix *Index) remove(slot uint32) {
	st := &ix.docs[slot]
	for i, ref := range st.refs {
		t := &ix.terms[refID(ref)]
		for j := len(t.slots) - 1; j >= 0; j-- {
			if t.slots[j] == slot {
				last := len(t.slots) - 1
				t.slots[j], t.tfs[j] = t.slots[last], t.tfs[last]
				t.slots, t.tfs = t.slots[:last], t.tfs[:last]
				break
			}
		}
		switch {
		case len(t.slots) == 0:
			t.slots, t.tfs, t.maxTF = nil, nil, 0
		case st.tfs[i] == t.maxTF:
			t.maxTF = slices.Max(t.tfs)
		}
		if s := refSurface(ref); s != untracked {
			t.surfaces[s].n--
		}
	}
	delete(ix.slots, ix.ids[slot])
	ix.live--
	ix.sumDL -= uint64(st.dl)
	*st = story{}
	ix.ids[slot], ix.dates[slot], ix.dls[slot] = 0, 0, 0
	ix.free = append(ix.free, slot)
}
