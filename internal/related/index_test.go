package related

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestStoryTerms checks the encoding of a story's terms: every term comes
// back with its surface, entity mark and frequency, and find finds exactly
// the story's terms, across gaps of one to four bytes.
func TestStoryTerms(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var refs []uint32
		var tfs []uint8
		id := uint32(rng.IntN(3)) // term 0 too
		for id <= maxTermID && len(refs) < 150 {
			ref := id
			if rng.IntN(3) == 0 {
				ref |= uint32(rng.IntN(untracked+1)) << surfaceShift
			}
			if rng.IntN(4) == 0 {
				ref |= entityBit
			}
			refs, tfs = append(refs, ref), append(tfs, uint8(1+rng.IntN(255)))
			id += 1 + uint32(rng.Int64N(1<<(1+rng.IntN(22))))
		}
		st := story{terms: appendStoryTerms(nil, refs, tfs)}
		if !validTerms(st.terms, maxTermID+1) {
			t.Fatalf("validTerms(%x) = false", st.terms)
		}
		gotRefs, gotTFs := st.appendTerms(nil, nil)
		if !slices.Equal(gotRefs, refs) || !slices.Equal(gotTFs, tfs) {
			t.Fatalf("appendTerms = %x, %v; want %x, %v", gotRefs, gotTFs, refs, tfs)
		}
		for i, ref := range refs {
			if got := st.find(refID(ref)); got != tfs[i] {
				t.Fatalf("find(%d) = %d, want %d", refID(ref), got, tfs[i])
			}
			if got := st.find(refID(ref) + 1); (i+1 == len(refs) || refID(refs[i+1]) != refID(ref)+1) && got != 0 {
				t.Fatalf("find(%d) = %d for a term the story lacks", refID(ref)+1, got)
			}
		}
	}
}

// TestPostings checks a term's postings through random adds and removes
// against a map: in slot order, with their frequencies, split into blocks
// of at most blockSize.
func TestPostings(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	var term termInfo
	var pb postingBlock
	want := map[uint32]uint8{}
	for op := range 20000 {
		slot := uint32(rng.IntN(3000))
		if op > 10000 && op%3 != 0 {
			slot = uint32(3000 + op) // appended in order, as most stories are
		}
		if _, ok := want[slot]; ok && rng.IntN(2) == 0 {
			term.setPosting(slot, 0, &pb)
			delete(want, slot)
		} else if !ok {
			tf := uint8(1 + rng.IntN(255))
			term.setPosting(slot, tf, &pb)
			want[slot] = tf
		}
		if op%997 != 0 && op != 19999 {
			continue
		}
		if int(term.df) != len(want) {
			t.Fatalf("df = %d, want %d", term.df, len(want))
		}
		var slots []uint32
		for off := 0; off < len(term.postings); {
			off = pb.decode(term.postings, off)
			if pb.n < 1 || pb.n > blockSize {
				t.Fatalf("a block of %d postings", pb.n)
			}
			for j, s := range pb.slots[:pb.n] {
				if want[s] != pb.tfs[j] {
					t.Fatalf("slot %d: frequency %d, want %d", s, pb.tfs[j], want[s])
				}
				slots = append(slots, s)
			}
		}
		if wantSlots := slices.Sorted(maps.Keys(want)); !slices.Equal(slots, wantSlots) {
			t.Fatalf("op %d: slots %v, want %v", op, slots, wantSlots)
		}
	}
}
