package related

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
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
	dict  dict
	terms []termInfo
	// topics is the latent-topic model searches use, or nil; pending is a
	// model being folded in by TrainTopics.
	topics, pending *topics
	topicsTried     int // stories in the index at the last training, whether or not it gave a model

	scratch sync.Pool // *scratch
	blocks  sync.Pool // *postingBlock, for changes
}

// story holds an indexed story's terms, sorted by term ID, delta-encoded in
// one byte slice: for each term, uvarint(ID gap << 1 | has surface byte),
// then the surface byte (surface index | entity bit << 7) when it is not
// zero, then the frequency in 1/tfUnit.
type story struct {
	terms []byte
	dl    uint32 // in 1/lengthUnit
}

func refID(ref uint32) uint32      { return ref & maxTermID }
func refSurface(ref uint32) uint32 { return ref >> surfaceShift & untracked }
func refEntity(ref uint32) bool    { return ref&entityBit != 0 }

// appendTerms appends the story's terms, as refs (term ID | surface index <<
// surfaceShift | entityBit), and their frequencies to refs and tfs.
func (s *story) appendTerms(refs []uint32, tfs []uint8) ([]uint32, []uint8) {
	var ref uint32
	var tf uint8
	for i := 0; i < len(s.terms); {
		ref, tf, i = nextTerm(s.terms, i, refID(ref))
		refs, tfs = append(refs, ref), append(tfs, tf)
	}
	return refs, tfs
}

// find returns the term frequency of term id in the story, or 0.
func (s *story) find(id uint32) uint8 {
	var ref uint32
	var tf uint8
	for i := 0; i < len(s.terms); {
		ref, tf, i = nextTerm(s.terms, i, refID(ref))
		if at := refID(ref); at >= id {
			if at == id {
				return tf
			}
			break
		}
	}
	return 0
}

// nextTerm decodes the story term at b[i:], which follows the term prev, and
// returns it as a ref, with its frequency and the position of the next.
func nextTerm(b []byte, i int, prev uint32) (ref uint32, tf uint8, next int) {
	v, i := uvarint32(b, i)
	ref = prev + v>>1
	if v&1 != 0 {
		ref |= uint32(b[i]) << surfaceShift
		i++
	}
	return ref, b[i], i + 1
}

// uvarint32 decodes the uvarint at b[i:], as the index writes them (at most
// 32 bits), and returns it with the position after it.
func uvarint32(b []byte, i int) (uint32, int) {
	if v := uint32(b[i]); v < 0x80 {
		return v, i + 1
	}
	return uvarintLong(b, i)
}

// uvarintLong is uvarint32 for a uvarint of two bytes or more.
func uvarintLong(b []byte, i int) (uint32, int) {
	if c := uint32(b[i+1]); c < 0x80 {
		return uint32(b[i])&0x7f | c<<7, i + 2
	}
	v, n := binary.Uvarint(b[i:])
	return uint32(v), i + n
}

// appendStoryTerms appends the encoding of refs, sorted by term ID, and
// their frequencies tfs to b (see story).
func appendStoryTerms(b []byte, refs []uint32, tfs []uint8) []byte {
	prev := uint32(0)
	for i, ref := range refs {
		id, high := refID(ref), uint8(ref>>surfaceShift)
		v := uint64(id-prev) << 1
		if high != 0 {
			v |= 1
		}
		b = binary.AppendUvarint(b, v)
		if high != 0 {
			b = append(b, high)
		}
		b = append(b, tfs[i])
		prev = id
	}
	return b
}

// index returns the position of term id in refs, sorted by ID, or -1.
func index(refs []uint32, id uint32) int {
	lo, hi := 0, len(refs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if refID(refs[m]) < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(refs) && refID(refs[lo]) == id {
		return lo
	}
	return -1
}

type termInfo struct {
	key      string
	postings []byte   // the stories that keep the term, in blocks: see postingBlock
	df       uint32   // how many stories keep the term
	last     uint32   // the offset of the last block of postings
	maxTF    uint8    // the largest frequency in postings
	surfaces []string // the ways stories write the term, first 127 kept
}

// Postings are kept in slot order, in blocks of at most blockSize. A block
// is a header (the first and the last slot in 3 bytes each, the count less
// one in a byte, the length of the rest in 2 bytes, little-endian) and then
// the first slot's frequency and, for each other slot, uvarint(its gap from
// the previous slot) and its frequency.
const (
	blockSize   = 128
	blockHeader = 9
)

func getSlot(b []byte) uint32    { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 }
func putSlot(b []byte, s uint32) { b[0], b[1], b[2] = byte(s), byte(s>>8), byte(s>>16) }

// blockEnd returns the end of the block at p[off:].
func blockEnd(p []byte, off int) int { return off + blockHeader + (int(p[off+7]) | int(p[off+8])<<8) }

// setBlockSize records in the header of the block at p[off:] that it
// holds n postings, the last being slot, and ends at len(p).
func setBlockSize(p []byte, off, n int, slot uint32) {
	putSlot(p[off+3:], slot)
	rest := len(p) - off - blockHeader
	p[off+6], p[off+7], p[off+8] = byte(n-1), byte(rest), byte(rest>>8)
}

// postingBlock holds a decoded block.
type postingBlock struct {
	n     int
	slots [blockSize]uint32
	tfs   [blockSize]uint8
}

// decode decodes the block at p[off:] and returns the offset of the next.
func (pb *postingBlock) decode(p []byte, off int) int {
	s := getSlot(p[off:])
	n := int(p[off+6]) + 1
	end := blockEnd(p, off)
	b := p[off+blockHeader : end]
	slots, tfs := pb.slots[:n], pb.tfs[:n]
	slots[0], tfs[0] = s, b[0]
	i := 1
	for j := 1; j < n; j++ {
		g := uint32(b[i]) // uvarint32, inlined by hand
		if i++; g >= 0x80 {
			g, i = uvarintLong(b, i-1)
		}
		s += g
		slots[j], tfs[j] = s, b[i]
		i++
	}
	pb.n = n
	return end
}

// appendBlocks appends postings (slot, frequency) in slot order to p, in
// blocks.
func appendBlocks(p []byte, slots []uint32, tfs []uint8) []byte {
	for len(slots) > 0 {
		n := min(len(slots), blockSize)
		off := len(p)
		p = append(p, 0, 0, 0, 0, 0, 0, 0, 0, 0, tfs[0])
		putSlot(p[off:], slots[0])
		for j := 1; j < n; j++ {
			p = binary.AppendUvarint(p, uint64(slots[j]-slots[j-1]))
			p = append(p, tfs[j])
		}
		setBlockSize(p, off, n, slots[n-1])
		slots, tfs = slots[n:], tfs[n:]
	}
	return p
}

// blockOf returns the offsets of the block of t's postings where slot is or
// would be, and of the block after it.
func (t *termInfo) blockOf(slot uint32) (off, end int) {
	p := t.postings
	for off < len(p) {
		end = blockEnd(p, off)
		if end == len(p) || slot < getSlot(p[end:]) {
			return off, end
		}
		off = end
	}
	return off, off
}

// setPosting adds slot to the term's postings with frequency tf, or removes
// it when tf is 0, re-encoding the one block it belongs to.
func (t *termInfo) setPosting(slot uint32, tf uint8, pb *postingBlock) {
	if p, last := t.postings, int(t.last); tf != 0 && len(p) > 0 && slot > getSlot(p[last+3:]) {
		// After the last: most stories are added in slot order.
		if p[last+6] < blockSize-1 {
			t.postings = t.appendPosting(last, slot, tf)
		} else {
			var buf [blockHeader + 1]byte
			one, oneTF := [1]uint32{slot}, [1]uint8{tf}
			t.postings, t.last = splice(p, len(p), len(p), appendBlocks(buf[:0], one[:], oneTF[:])), uint32(len(p))
		}
		t.df++
		return
	}
	off, end := t.blockOf(slot)
	pb.n = 0
	if end > off {
		pb.decode(t.postings, off)
	}
	slots, tfs := pb.slots[:pb.n:blockSize], pb.tfs[:pb.n:blockSize]
	i, found := slices.BinarySearch(slots, slot)
	var split bool
	var more [1]uint32
	var moreTF [1]uint8
	switch {
	case tf == 0 && found:
		slots, tfs = slices.Delete(slots, i, i+1), slices.Delete(tfs, i, i+1)
		t.df--
	case tf != 0 && !found && len(slots) < blockSize:
		slots, tfs = slices.Insert(slots, i, slot), slices.Insert(tfs, i, tf)
		t.df++
	case tf != 0 && !found:
		// A full block: the slot goes to a block of its own beside it, or
		// takes the place of the last, which moves to a block of its own.
		t.df++
		split = true
		if i == len(slots) {
			more[0], moreTF[0] = slot, tf
		} else {
			more[0], moreTF[0] = slots[len(slots)-1], tfs[len(tfs)-1]
			copy(slots[i+1:], slots[i:len(slots)-1])
			copy(tfs[i+1:], tfs[i:len(tfs)-1])
			slots[i], tfs[i] = slot, tf
		}
	default:
		return
	}
	var buf [blockHeader + blockSize*6]byte
	enc := appendBlocks(buf[:0], slots, tfs)
	if split {
		enc = appendBlocks(enc, more[:], moreTF[:])
	}
	t.postings = splice(t.postings, off, end, enc)
	t.last = 0
	for off := 0; off < len(t.postings); off = blockEnd(t.postings, off) {
		t.last = uint32(off)
	}
	if t.df == 0 {
		t.postings = nil
	}
}

// appendPosting appends slot, after every slot of the term's postings, to
// their last block, which is at off and has room, and returns the postings.
func (t *termInfo) appendPosting(off int, slot uint32, tf uint8) []byte {
	p := t.postings
	var buf [binary.MaxVarintLen32 + 1]byte
	enc := binary.AppendUvarint(buf[:0], uint64(slot-getSlot(p[off+3:])))
	p = splice(p, len(p), len(p), append(enc, tf))
	setBlockSize(p, off, int(p[off+6])+2, slot)
	return p
}

// splice replaces p[start:end] with repl, growing p's capacity by an
// eighth rather than doubling when it must: most postings grow a few bytes
// at a time and live long.
func splice(p []byte, start, end int, repl []byte) []byte {
	if n := len(p) - (end - start) + len(repl); n > cap(p) {
		q := make([]byte, len(p), n+n/8+8)
		copy(q, p)
		p = q
	}
	return slices.Replace(p, start, end, repl...)
}

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

// dict finds terms by key: an open-addressing hash table of term IDs, 4
// bytes a place, where a map would keep a string header beside each ID.
type dict struct {
	places []uint32 // term ID + 1, or 0 for an empty place
	n      int
	seed   maphash.Seed
}

// newDict returns a dict with room for n terms.
func newDict(n int) dict {
	size := 64
	for size*3 < n*4 {
		size *= 2
	}
	return dict{places: make([]uint32, size), seed: maphash.MakeSeed()}
}

// find returns the ID of the term key among terms.
func (d *dict) find(terms []termInfo, key string) (uint32, bool) {
	mask := uint64(len(d.places) - 1)
	for h := maphash.String(d.seed, key) & mask; ; h = (h + 1) & mask {
		id := d.places[h]
		if id == 0 {
			return 0, false
		}
		if terms[id-1].key == key {
			return id - 1, true
		}
	}
}

// add adds the term id, which find does not find, growing the table past
// three quarters full.
func (d *dict) add(terms []termInfo, id uint32) {
	if (d.n+1)*4 > len(d.places)*3 {
		grown := dict{places: make([]uint32, 2*len(d.places)), seed: d.seed}
		for _, old := range d.places {
			if old != 0 {
				grown.add(terms, old-1)
			}
		}
		*d = grown
	}
	mask := uint64(len(d.places) - 1)
	h := maphash.String(d.seed, terms[id].key) & mask
	for d.places[h] != 0 {
		h = (h + 1) & mask
	}
	d.places[h] = id + 1
	d.n++
}

// New returns an empty Index; zero fields of cfg take their defaults.
func New(cfg Config) *Index {
	return &Index{
		cfg:   cfg.withDefaults(),
		slots: make(map[int64]uint32),
		dict:  newDict(0),
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
	refs, tfs := make([]uint32, len(ps)), make([]uint8, len(ps))
	pb := ix.block()
	defer ix.blocks.Put(pb)
	for i, p := range ps {
		id, ok := ix.dict.find(ix.terms, p.key)
		if !ok {
			id = uint32(len(ix.terms))
			ix.terms = append(ix.terms, termInfo{key: strings.Clone(p.key)})
			ix.dict.add(ix.terms, id)
		}
		t := &ix.terms[id]
		t.setPosting(slot, p.tf, pb)
		t.maxTF = max(t.maxTF, p.tf)
		refs[i] = id | t.internSurface(p.surface)<<surfaceShift
		if p.entity {
			refs[i] |= entityBit
		}
		tfs[i] = p.tf
	}
	sortByID(refs, tfs)
	st := story{terms: slices.Clip(appendStoryTerms(nil, refs, tfs)), dl: lengthOf(dl)}
	ix.docs[slot] = st
	ix.ids[slot] = doc.ID()
	ix.dates[slot] = unixDate(doc.Date())
	ix.dls[slot] = float32(st.dl) / lengthUnit
	ix.sks[slot] = sketchOf(doc)
	for _, m := range []*topics{ix.topics, ix.pending} {
		if m != nil {
			m.foldSlot(slot, refs, tfs)
		}
	}
	ix.slots[doc.ID()] = slot
	ix.live++
	ix.sumDL += uint64(st.dl)
	return nil
}

// block returns a pooled postingBlock.
func (ix *Index) block() *postingBlock {
	if pb, ok := ix.blocks.Get().(*postingBlock); ok {
		return pb
	}
	return new(postingBlock)
}

func sortByID(refs []uint32, tfs []uint8) {
	keys := make([]uint64, len(refs))
	for i, ref := range refs {
		keys[i] = uint64(refID(ref))<<40 | uint64(ref>>surfaceShift)<<8 | uint64(tfs[i])
	}
	slices.Sort(keys)
	for i, k := range keys {
		refs[i] = uint32(k>>40) | uint32(k>>8&0xff)<<surfaceShift
		tfs[i] = uint8(k)
	}
}

func lengthOf(dl float64) uint32 {
	return uint32(min(math.Round(dl*lengthUnit), math.MaxUint32))
}

func (ix *Index) remove(slot uint32) {
	st := &ix.docs[slot]
	refs, tfs := st.appendTerms(nil, nil)
	pb := ix.block()
	defer ix.blocks.Put(pb)
	for i, ref := range refs {
		t := &ix.terms[refID(ref)]
		t.setPosting(slot, 0, pb)
		switch {
		case t.df == 0:
			t.maxTF = 0
		case tfs[i] == t.maxTF:
			t.maxTF = 0
			for off := 0; off < len(t.postings); {
				off = pb.decode(t.postings, off)
				for _, tf := range pb.tfs[:pb.n] {
					t.maxTF = max(t.maxTF, tf)
				}
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
