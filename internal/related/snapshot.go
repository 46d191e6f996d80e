package related

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// ErrSnapshot is returned by ReadIndex when a snapshot is damaged, of another
// format, or was written by an index configured to keep other terms.
var ErrSnapshot = errors.New("related: unusable snapshot")

// snapshotMagic starts every snapshot; the last byte is the format version.
const snapshotMagic = "BSRI\x04"

// WriteTo writes a snapshot of the index to w, from which ReadIndex rebuilds
// the same index without analysing a story again. It holds the read lock
// while it writes, so searches go on and changes wait.
func (ix *Index) WriteTo(w io.Writer) (int64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	e := encoder{w: bufio.NewWriterSize(w, 1<<16)}
	e.write([]byte(snapshotMagic))
	e.uvarint(uint64(int64(ix.cfg.MaxTerms) + 1))
	e.uvarint(math.Float64bits(ix.cfg.EntityBoost))
	e.uvarint(uint64(len(ix.terms)))
	for i := range ix.terms {
		t := &ix.terms[i]
		e.str(t.key)
		e.uvarint(uint64(len(t.surfaces)))
		for _, s := range t.surfaces {
			e.str(s)
		}
	}
	e.uvarint(uint64(ix.live))
	for slot, st := range ix.docs {
		if _, ok := ix.slots[ix.ids[slot]]; !ok || ix.slots[ix.ids[slot]] != uint32(slot) {
			continue // a free slot
		}
		e.uvarint(uint64(ix.ids[slot]))
		e.uvarint(uint64(ix.dates[slot]))
		e.uvarint(uint64(st.dl))
		e.sketch(ix.sks[slot])
		e.uvarint(uint64(len(st.terms))) // as the index keeps them: see story
		e.write(st.terms)
	}
	e.topics(ix)
	if err := e.w.Flush(); e.err == nil {
		e.err = err
	}
	return e.n, e.err
}

// ReadIndex rebuilds an index from a snapshot written by WriteTo. cfg must
// keep the same terms as the index that wrote it (MaxTerms and EntityBoost);
// the other settings act at search time and may differ. It returns an error
// wrapping ErrSnapshot if the snapshot cannot be used.
//
// It reads r as a stream, holding no copy of the snapshot, when it can tell
// how many bytes r holds: r has a Len method (bytes.Reader, bytes.Buffer) or
// is an io.LimitedReader, whose N must then be the snapshot's exact size.
// Any other reader is read whole first.
func ReadIndex(r io.Reader, cfg Config) (*Index, error) {
	var size int
	switch r := r.(type) {
	case interface{ Len() int }:
		size = r.Len()
	case *io.LimitedReader:
		size = int(min(r.N, math.MaxInt))
	default:
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
		}
		return ReadIndex(bytes.NewReader(data), cfg)
	}
	ix := New(cfg)
	d := decoder{r: bufio.NewReaderSize(r, 1<<16), left: size}
	var magic [len(snapshotMagic)]byte
	if d.read(magic[:]); d.bad || string(magic[:]) != snapshotMagic {
		if d.err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSnapshot, d.err)
		}
		return nil, fmt.Errorf("%w: not a related-stories snapshot of this format", ErrSnapshot)
	}
	if maxTerms, boost := int64(d.uvarint())-1, math.Float64frombits(d.uvarint()); !d.bad &&
		(maxTerms != int64(ix.cfg.MaxTerms) || boost != ix.cfg.EntityBoost) {
		return nil, fmt.Errorf("%w: written with MaxTerms %d and EntityBoost %g, not %d and %g",
			ErrSnapshot, maxTerms, boost, ix.cfg.MaxTerms, ix.cfg.EntityBoost)
	}
	// Every count is bounded by the bytes left, so a damaged snapshot cannot
	// make it allocate more than the snapshot's size allows.
	nterms := d.count(min(maxTermID+1, d.left/2+1))
	ix.terms = make([]termInfo, nterms)
	ix.dict = newDict(nterms)
	for i := range ix.terms {
		t := &ix.terms[i]
		t.key = d.str()
		t.surfaces = make([]string, d.count(min(untracked, d.left+1)))
		for j := range t.surfaces {
			t.surfaces[j] = d.str()
		}
		if d.bad {
			return nil, errMalformed
		}
		if _, dup := ix.dict.find(ix.terms, t.key); dup {
			return nil, fmt.Errorf("%w: term %q twice", ErrSnapshot, t.key)
		}
		ix.dict.add(ix.terms, uint32(i))
	}
	n := d.count(min(maxSlot+1, d.left/4+1))
	ix.docs, ix.ids, ix.dates, ix.dls = make([]story, 0, n), make([]int64, 0, n), make([]int64, 0, n), make([]float32, 0, n)
	ix.sks = make([]Sketch, 0, n)
	ix.slots = make(map[int64]uint32, n)
	// The stories' terms are cut from large arrays, a few allocations in all;
	// an update gives a story new ones.
	var arena []byte
	for slot := range uint32(n) {
		id, date, dl := int64(d.uvarint()), int64(d.uvarint()), uint32(min(d.uvarint(), math.MaxUint32))
		sk := d.sketch()
		m := d.count(d.left + 1)
		if len(arena) < m {
			arena = make([]byte, max(m, 1<<18))
		}
		st := story{terms: arena[:m:m], dl: dl}
		arena = arena[m:]
		if d.read(st.terms); d.bad {
			break
		}
		if !validTerms(st.terms, nterms) {
			return nil, errMalformed
		}
		if _, dup := ix.slots[id]; dup {
			return nil, fmt.Errorf("%w: story %d twice", ErrSnapshot, id)
		}
		ix.docs = append(ix.docs, st)
		ix.ids = append(ix.ids, id)
		ix.dates = append(ix.dates, date)
		ix.dls = append(ix.dls, float32(dl)/lengthUnit)
		ix.sks = append(ix.sks, sk)
		ix.slots[id] = slot
		ix.live++
		ix.sumDL += uint64(dl)
	}
	ix.topics = d.topics(ix, nterms)
	if d.bad || d.left > 0 {
		if d.err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSnapshot, d.err)
		}
		return nil, errMalformed
	}
	ix.buildPostings()
	return ix, nil
}

// validTerms reports whether b holds story terms as appendStoryTerms
// writes them for an index of nterms terms, so that story's decoders,
// which trust their input, may read it.
func validTerms(b []byte, nterms int) bool {
	id := -1
	for i := 0; i < len(b); {
		v, n := binary.Uvarint(b[i:])
		if n <= 0 || n > 4 || n != uvarintLen(uint32(v)) || v>>1 > maxTermID {
			return false // short, overlong or too large
		}
		i += n
		if gap := int(v >> 1); id >= 0 && gap == 0 || id+gap >= nterms {
			return false
		}
		id = max(id, 0) + int(v>>1)
		if v&1 != 0 {
			if i >= len(b) || b[i] == 0 {
				return false
			}
			i++
		}
		if i >= len(b) || b[i] == 0 {
			return false // no frequency, or a zero one
		}
		i++
	}
	return true
}

// buildPostings builds every term's postings, in one allocation, from the
// stories' terms; each list has a little room to grow.
func (ix *Index) buildPostings() {
	n := len(ix.terms)
	last := make([]uint32, n) // the last slot added, for gaps
	size := make([]int, n)    // bytes
	var refs []uint32
	var tfs []uint8
	for slot := range ix.docs {
		refs, tfs = ix.docs[slot].appendTerms(refs[:0], tfs[:0])
		for i, ref := range refs {
			t := &ix.terms[refID(ref)]
			if t.df%blockSize == 0 {
				size[refID(ref)] += blockHeader + 1
			} else {
				size[refID(ref)] += uvarintLen(uint32(slot)-last[refID(ref)]) + 1
			}
			last[refID(ref)] = uint32(slot)
			t.df++
			t.maxTF = max(t.maxTF, tfs[i])
		}
	}
	total := 0
	for _, sz := range size {
		total += sz + sz/32 + 4
	}
	all := make([]byte, 0, total)
	for i, sz := range size {
		t := &ix.terms[i]
		room := sz + sz/32 + 4
		t.postings = all[len(all) : len(all) : len(all)+room]
		all = all[:len(all)+room]
		t.df = 0
	}
	var pb postingBlock
	for slot := range ix.docs {
		refs, tfs = ix.docs[slot].appendTerms(refs[:0], tfs[:0])
		for i, ref := range refs {
			ix.terms[refID(ref)].setPosting(uint32(slot), tfs[i], &pb)
		}
	}
	for i := range ix.terms {
		if t := &ix.terms[i]; t.df == 0 {
			t.postings = nil
		}
	}
}

func uvarintLen(v uint32) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

var errMalformed = fmt.Errorf("%w: malformed", ErrSnapshot)

type encoder struct {
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
	n   int64 // bytes written
	err error
}

func (e *encoder) write(b []byte) {
	n, err := e.w.Write(b)
	e.n += int64(n)
	if e.err == nil {
		e.err = err
	}
}

func (e *encoder) uvarint(v uint64) { e.write(binary.AppendUvarint(e.buf[:0], v)) }

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	n, err := e.w.WriteString(s)
	e.n += int64(n)
	if e.err == nil {
		e.err = err
	}
}

// sketch writes a story's sketch: its shingle count, and its minimums when
// there are shingles.
func (e *encoder) sketch(s Sketch) {
	e.uvarint(uint64(s.n))
	if s.n == 0 {
		return
	}
	var b [2 * sketchSlots]byte
	for i, m := range s.mins {
		binary.LittleEndian.PutUint16(b[2*i:], m)
	}
	e.write(b[:])
}

// decoder reads a snapshot as a stream of left bytes; bad is set at the
// first fault, and err when the fault is the reader's.
type decoder struct {
	r    *bufio.Reader
	left int
	bad  bool
	err  error
	buf  []byte // scratch for strings and sketches
}

// read fills b, or sets bad.
func (d *decoder) read(b []byte) {
	if d.bad || len(b) > d.left {
		d.bad = true
		return
	}
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.bad = true
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			d.err = err
		}
		return
	}
	d.left -= len(b)
}

func (d *decoder) byte() uint8 {
	if d.bad || d.left == 0 {
		d.bad = true
		return 0
	}
	c, err := d.r.ReadByte()
	if err != nil {
		d.bad = true
		if !errors.Is(err, io.EOF) {
			d.err = err
		}
		return 0
	}
	d.left--
	return c
}

// scratch returns d.buf with room for n bytes.
func (d *decoder) scratch(n int) []byte {
	if cap(d.buf) < n {
		d.buf = make([]byte, n)
	}
	return d.buf[:n]
}

func (d *decoder) uvarint() uint64 {
	var v uint64
	for i := range binary.MaxVarintLen64 {
		c := d.byte()
		if d.bad {
			return 0
		}
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break // overflows 64 bits
			}
			return v | uint64(c)<<(7*i)
		}
		v |= uint64(c&0x7f) << (7 * i)
	}
	d.bad = true
	return 0
}

// count reads a length that must be below limit.
func (d *decoder) count(limit int) int {
	v := d.uvarint()
	if v >= uint64(limit) {
		d.bad = true
		return 0
	}
	return int(v)
}

func (d *decoder) str() string {
	v := d.uvarint()
	if d.bad || v > uint64(d.left) {
		d.bad = true
		return ""
	}
	b := d.scratch(int(v))
	d.read(b)
	return string(b)
}

func (d *decoder) sketch() Sketch {
	var s Sketch
	n := d.uvarint()
	if n == 0 || d.bad {
		return s
	}
	if n > math.MaxUint16 {
		d.bad = true
		return s
	}
	b := d.scratch(2 * sketchSlots)
	if d.read(b); d.bad {
		return s
	}
	s.n = uint16(n)
	for i := range s.mins {
		s.mins[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return s
}
