package related

import (
	"time"
)

// Sketch is a MinHash sketch of a story's text: for each of 63 hash
// functions, the low 16 bits of the smallest hash of the story's shingles
// (runs of three words), with the number of shingles. Two sketches estimate
// the resemblance of two texts (the Jaccard coefficient of their sets of
// shingles) in 128 bytes. A wire copy under another headline, or an update
// that rewrote a paragraph, keeps most shingles; two stories on one topic
// written by different hands share almost none. The zero Sketch is a story
// whose text is unknown.
type Sketch struct {
	n    uint16 // shingles, at most 65535; 0 for no sketch
	mins [sketchSlots]uint16
}

const (
	sketchSlots = 63
	shingleSize = 3
	// copyMinShingles is the fewest shingles two stories must both have to be
	// told copies by a resemblance short of 1: a brief of a dozen words shares
	// most of its shingles with the next brief written from the same template.
	copyMinShingles = 24
)

// NewSketch returns the sketch of a text given as its words in order, case
// folded, numbers included (package text's Tokens gives them).
func NewSketch(words []string) Sketch {
	var s Sketch
	if len(words) == 0 {
		return s
	}
	var mins [sketchSlots]uint64
	for i := range mins {
		mins[i] = ^uint64(0)
	}
	n := max(len(words)-shingleSize+1, 1)
	for i := range n {
		// The j-th hash function is h1 + j·h2 (with h2 odd), two mixed
		// hashes of the shingle: one multiply-add a function.
		h1 := mix(shingleHash(words[i:min(i+shingleSize, len(words))]))
		h2 := mix(h1) | 1
		for j := range mins {
			mins[j] = min(mins[j], h1+uint64(j)*h2)
		}
	}
	s.n = uint16(min(n, 1<<16-1))
	for j, m := range mins {
		s.mins[j] = uint16(m)
	}
	return s
}

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// shingleHash hashes words with FNV-1a, a separator between them.
func shingleHash(words []string) uint64 {
	h := uint64(14695981039346656037)
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			h ^= uint64(w[i])
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	return h
}

// Resemblance estimates the share of the two texts' shingles that both
// have, from 0 to 1; it is 0 when either sketch is the zero Sketch.
func (s Sketch) Resemblance(o Sketch) float64 {
	if s.n == 0 || o.n == 0 {
		return 0
	}
	same := 0
	for i, m := range s.mins {
		if o.mins[i] == m {
			same++
		}
	}
	return float64(same) / sketchSlots
}

// IsZero reports whether s is the zero Sketch.
func (s Sketch) IsZero() bool { return s.n == 0 }

// copyOf reports whether sketches s and o are of near-copies: they resemble
// each other at least by min, and both are long enough for that to mean a
// copy, unless they are the same.
func (s Sketch) copyOf(o Sketch, min float64) bool {
	r := s.Resemblance(o)
	switch {
	case r == 0 || r < min:
		return false
	case s.n >= copyMinShingles && o.n >= copyMinShingles:
		return true
	}
	return r == 1 && s.n == o.n
}

// Sketched is implemented by a Document that gives the sketch of its text,
// by which the index tells near-copies (see Config.CopyResemblance).
type Sketched interface {
	Sketch() Sketch
}

// NewSketchedDocument returns a Document with the given fields and sketch.
func NewSketchedDocument(id int64, date time.Time, terms []Term, sketch Sketch) Document {
	return sketchedDocument{document{id, date, terms}, sketch}
}

type sketchedDocument struct {
	document
	sketch Sketch
}

func (d sketchedDocument) Sketch() Sketch { return d.sketch }

// sketchOf returns doc's sketch, or the zero Sketch.
func sketchOf(doc Document) Sketch {
	if s, ok := doc.(Sketched); ok {
		return s.Sketch()
	}
	return Sketch{}
}
