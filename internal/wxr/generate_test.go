package wxr

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
)

func TestGenerate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		posts, comments int
	}{
		{0, 0},
		{1, 0},
		{25, 7},
	}
	for _, tt := range tests {
		var a, b bytes.Buffer
		if err := Generate(&a, tt.posts, tt.comments, 42); err != nil {
			t.Fatalf("Generate(%d, %d) = %v", tt.posts, tt.comments, err)
		}
		if err := Generate(&b, tt.posts, tt.comments, 42); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("Generate(%d, %d, 42) differs between runs", tt.posts, tt.comments)
		}
		recs, err := readAll(NewReader(&a))
		if err != nil {
			t.Fatalf("reading Generate(%d, %d) output: %v", tt.posts, tt.comments, err)
		}
		posts, comments, replies := 0, 0, 0
		for _, rec := range recs {
			it, ok := rec.(*Item)
			if !ok {
				continue
			}
			posts++
			seen := map[int64]bool{}
			for _, c := range it.Comments {
				comments++
				if c.Parent != 0 {
					replies++
					if !seen[c.Parent] {
						t.Errorf("post %d: comment %d replies to %d, not an earlier comment of the post", it.PostID, c.ID, c.Parent)
					}
				}
				seen[c.ID] = true
			}
		}
		if posts != tt.posts || comments != tt.posts*tt.comments {
			t.Errorf("Generate(%d, %d) wrote %d posts and %d comments", tt.posts, tt.comments, posts, comments)
		}
		if tt.comments > 2 && replies == 0 {
			t.Errorf("Generate(%d, %d) wrote no replies", tt.posts, tt.comments)
		}
	}
}

func TestGenerateSeed(t *testing.T) {
	t.Parallel()
	var a, b bytes.Buffer
	if err := Generate(&a, 3, 2, 1); err != nil {
		t.Fatal(err)
	}
	if err := Generate(&b, 3, 2, 2); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("Generate with seeds 1 and 2 wrote the same file")
	}
	if err := Generate(io.Discard, -1, 0, 1); err == nil {
		t.Error("Generate(-1 posts) = nil error, want an error")
	}
}

// TestReaderBoundedMemory streams a generated file of tens of megabytes
// through the Reader and checks that the live heap does not grow with it.
func TestReaderBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams a large generated file")
	}
	const posts, checkFrom = 6000, 1000
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(Generate(pw, posts, 5, 7)) }()
	r := NewReader(pr)
	var base uint64
	var peak uint64
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := rec.(*Item); !ok || r.Items()%500 != 0 {
			continue
		}
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		switch {
		case r.Items() == checkFrom:
			base = m.HeapAlloc
		case r.Items() > checkFrom:
			peak = max(peak, m.HeapAlloc)
		}
	}
	if r.Items() != posts {
		t.Fatalf("read %d items, want %d", r.Items(), posts)
	}
	t.Logf("read %d MB: live heap %d KB after %d items, at most %d KB after", r.BytesRead()>>20, base>>10, checkFrom, peak>>10)
	if peak > base+4<<20 {
		t.Errorf("live heap grew from %d KB to %d KB while reading; the Reader must not accumulate", base>>10, peak>>10)
	}
}
