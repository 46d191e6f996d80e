package related

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSnapshot checks that an index read back from its snapshot answers
// exactly as the index that wrote it, and goes on changing alike.
func TestSnapshot(t *testing.T) {
	t.Parallel()
	pool := synthetic(300, 30, 11)
	rng := rand.New(rand.NewPCG(5, 6))
	a := New(DefaultConfig())
	for range 1200 {
		d := pool[rng.IntN(len(pool))]
		if rng.IntN(4) == 0 {
			a.Remove(d.ID()) // leaves free slots behind
		} else if err := a.Update(d); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	n, err := a.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d bytes", n, err, buf.Len())
	}
	b, err := ReadIndex(bytes.NewReader(buf.Bytes()), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	same := func(when string) {
		t.Helper()
		if a.Len() != b.Len() {
			t.Fatalf("%s: Len %d, read back %d", when, a.Len(), b.Len())
		}
		for _, d := range pool {
			ra, errA := a.Related(d.ID(), 10)
			rb, errB := b.Related(d.ID(), 10)
			if !errors.Is(errB, errA) && (errA == nil || errB == nil) {
				t.Fatalf("%s: Related(%d) error %v, read back %v", when, d.ID(), errA, errB)
			}
			if diff := cmp.Diff(ra, rb); diff != "" {
				t.Fatalf("%s: Related(%d): written (-) and read back (+) differ:\n%s", when, d.ID(), diff)
			}
		}
	}
	same("read back")
	for range 200 {
		d := pool[rng.IntN(len(pool))]
		for _, ix := range []*Index{a, b} {
			if err := ix.Update(d); err != nil {
				t.Fatal(err)
			}
		}
	}
	same("after updates")
}

func TestSnapshotRefused(t *testing.T) {
	t.Parallel()
	ix := build(t, DefaultConfig(), newsroom())
	var buf bytes.Buffer
	if _, err := ix.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	other := DefaultConfig()
	other.MaxTerms = 64
	tests := []struct {
		name string
		data []byte
		cfg  Config
	}{
		{"empty", nil, DefaultConfig()},
		{"another format", []byte("BSRI\x09rest"), DefaultConfig()},
		{"truncated", good[:len(good)-3], DefaultConfig()},
		{"trailing data", append(append([]byte{}, good...), 0), DefaultConfig()},
		{"other terms kept", good, other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ReadIndex(bytes.NewReader(tt.data), tt.cfg); !errors.Is(err, ErrSnapshot) {
				t.Errorf("ReadIndex(%s) error = %v, want ErrSnapshot", tt.name, err)
			}
		})
	}
}

func FuzzReadIndex(f *testing.F) {
	ix := New(DefaultConfig())
	for _, d := range newsroom() {
		ix.Add(d)
	}
	var buf bytes.Buffer
	ix.WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte(snapshotMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := ReadIndex(bytes.NewReader(data), DefaultConfig())
		if err != nil {
			if !errors.Is(err, ErrSnapshot) {
				t.Fatalf("ReadIndex error %v does not wrap ErrSnapshot", err)
			}
			return
		}
		for _, d := range newsroom() {
			ix.Related(d.ID(), 5)
		}
	})
}

// BenchmarkReadIndex reads back the snapshot of an index of 100,000 stories:
// what a restart costs instead of analysing and adding every story.
func BenchmarkReadIndex(b *testing.B) {
	ix := build(b, DefaultConfig(), synthetic(benchStories, 150, 1))
	var buf bytes.Buffer
	if _, err := ix.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(buf.Len())/benchStories, "snapshot-bytes/story")
	b.ResetTimer()
	for b.Loop() {
		if _, err := ReadIndex(bytes.NewReader(buf.Bytes()), DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
}

// benchStories is the size of the index BenchmarkReadIndex reads back.
const benchStories = 100_000
