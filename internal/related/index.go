package related

import (
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
	tfUnit        = 4 // term frequencies are kept in quarters, in a byte
	maxSlot       = 1<<24 - 1
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
	sks   []Sketch         // text sketch by slot
	free  []uint32         // empty slots
	live  int
	sumDL uint64 // total length of the live stories, in 1/lengthUnit
	dict  map[string]uint32
	terms []termInfo
	// topics is the latent-topic model searches use, or nil; pending is a
	// model being folded in by TrainTopics.
	topics, pending *topics

	scratch sync.Pool // *scratch
}

// story holds an indexed story's terms, sorted by term ID.
type story struct {
	refs []uint32 // term ID | surface index << surfaceShift | entityBit
	tfs  []uint8  // in 1/tfUnit
	dl   uint32   // in 1/lengthUnit
}

func refID(ref uint32) uint32      { return ref & maxTermID }
func refSurface(ref uint32) uint32 { return ref >> surfaceShift & untracked }
func refEntity(ref uint32) bool    { return ref&entityBit != 0 }

// find returns the term frequency of term id in the story, or 0.
func (s *story) find(id uint32) uint8 {
	if i := s.index(id); i >= 0 {
		return s.tfs[i]
	}
	return 0
}

// index returns the position of term id in the story, or -1.
func (s *story) index(id uint32) int {
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
		return lo
	}
	return -1
}

type termInfo struct {
	key      string
	postings []posting // the stories that keep the term
	maxTF    uint8     // the largest frequency in postings
	surfaces []string  // the ways stories write the term, first 127 kept
}

// posting packs a slot (24 bits) and the term's frequency in it (8 bits).
type posting uint32

func (p posting) slot() uint32 { return uint32(p) >> 8 }
func (p posting) tf() uint8    { return uint8(p) }

// internSurface returns the index of surface among the term's surfaces,
// adding it if there is room, or untracked.
func (t *termInfo) internSurface(surface string) uint32 {
	for i, s := range t.surfaces {
		if s == surface {
			return uint32(i)
		}
	}
	if len(t.surfaces) >= untracked {
		return untracked
	}
	t.surfaces = append(t.surfaces, strings.Clone(surface))
	return uint32(len(t.surfaces) - 1)
}

// surfaceAt returns the surface at index i, or the key if i is untracked.
func (t *termInfo) surfaceAt(i uint32) string {
	if i < uint32(len(t.surfaces)) {
		return t.surfaces[i]
	}
	return t.key
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
// and ErrFull if the index would hold more than 16,777,215 distinct terms or
// stories.
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
		if slot > maxSlot {
			return fmt.Errorf("related: add story %d: %w", doc.ID(), ErrFull)
		}
		ix.docs = append(ix.docs, story{})
		ix.ids = append(ix.ids, 0)
		ix.dates = append(ix.dates, 0)
		ix.dls = append(ix.dls, 0)
		ix.sks = append(ix.sks, Sketch{})
	}
	st := story{refs: make([]uint32, len(ps)), tfs: make([]uint8, len(ps)), dl: lengthOf(dl)}
	for i, p := range ps {
		id, ok := ix.dict[p.key]
		if !ok {
			id = uint32(len(ix.terms))
			key := strings.Clone(p.key)
			ix.dict[key] = id
			ix.terms = append(ix.terms, termInfo{key: key})
		}
		t := &ix.terms[id]
		t.postings = grow(t.postings, posting(slot<<8|uint32(p.tf)))
		t.maxTF = max(t.maxTF, p.tf)
		st.refs[i] = id | t.internSurface(p.surface)<<surfaceShift
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
	ix.sks[slot] = sketchOf(doc)
	for _, m := range []*topics{ix.topics, ix.pending} {
		if m != nil {
			m.foldSlot(slot, &st)
		}
	}
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
	keys := make([]uint64, len(st.refs))
	for i, ref := range st.refs {
		keys[i] = uint64(refID(ref))<<40 | uint64(ref>>surfaceShift)<<8 | uint64(st.tfs[i])
	}
	slices.Sort(keys)
	for i, k := range keys {
		st.refs[i] = uint32(k>>40) | uint32(k>>8&0xff)<<surfaceShift
		st.tfs[i] = uint8(k)
	}
}

func lengthOf(dl float64) uint32 {
	return uint32(min(math.Round(dl*lengthUnit), math.MaxUint32))
}

func (ix *Index) remove(slot uint32) {
	st := &ix.docs[slot]
	for i, ref := range st.refs {
		t := &ix.terms[refID(ref)]
		for j := len(t.postings) - 1; j >= 0; j-- {
			if t.postings[j].slot() == slot {
				last := len(t.postings) - 1
				t.postings[j] = t.postings[last]
				t.postings = t.postings[:last]
				break
			}
		}
		switch {
		case len(t.postings) == 0:
			t.postings, t.maxTF = nil, 0
		case st.tfs[i] == t.maxTF:
			t.maxTF = 0
			for _, p := range t.postings {
				t.maxTF = max(t.maxTF, p.tf())
			}
		}
	}
	for _, m := range []*topics{ix.topics, ix.pending} {
		if m != nil {
			m.clear(slot)
		}
	}
	delete(ix.slots, ix.ids[slot])
	ix.live--
	ix.sumDL -= uint64(st.dl)
	*st = story{}
	ix.ids[slot], ix.dates[slot], ix.dls[slot], ix.sks[slot] = 0, 0, 0, Sketch{}
	ix.free = append(ix.free, slot)
}
