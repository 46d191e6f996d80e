// Package mediatest is the conformance suite of media.Store: every backend runs Run against
// fresh, empty stores and must pass it unchanged.
package mediatest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/broadsheet/broadsheet/internal/media"
)

// Run checks that the stores open returns keep the media.Store contract. open must return a new,
// empty store on every call; the subtests call it in parallel.
func Run(t *testing.T, open func(t *testing.T) media.Store) {
	checks := []struct {
		name string
		fn   func(t *testing.T, s media.Store)
	}{
		{"PutOpenStat", putOpenStat},
		{"NeverOverwrites", neverOverwrites},
		{"Missing", missing},
		{"Delete", deleteFile},
		{"ListByPrefix", listByPrefix},
		{"BadNames", badNames},
		{"FailedPutLeavesNothing", failedPut},
		{"Seek", seek},
		{"ConcurrentPutsOfOneName", concurrentPuts},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, open(t))
		})
	}
}

func put(t *testing.T, s media.Store, name, body string) {
	t.Helper()
	if err := s.Put(t.Context(), name, strings.NewReader(body)); err != nil {
		t.Fatalf("Put(%q) = %v", name, err)
	}
}

func read(t *testing.T, s media.Store, name string) string {
	t.Helper()
	f, err := s.Open(t.Context(), name)
	if err != nil {
		t.Fatalf("Open(%q) = %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("reading %q: %v", name, err)
	}
	return string(b)
}

func putOpenStat(t *testing.T, s media.Store) {
	body := strings.Repeat("pixels ", 10000)
	put(t, s, "ab/cd/photo.jpg", body)
	if got := read(t, s, "ab/cd/photo.jpg"); got != body {
		t.Errorf("Open read %d bytes, want the %d put", len(got), len(body))
	}
	info, err := s.Stat(t.Context(), "ab/cd/photo.jpg")
	if err != nil {
		t.Fatalf("Stat = %v", err)
	}
	if info.Name != "ab/cd/photo.jpg" || info.Size != int64(len(body)) || info.ModTime.IsZero() {
		t.Errorf("Stat = %+v, want name, size %d and a time", info, len(body))
	}
	f, err := s.Open(t.Context(), "ab/cd/photo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Info().Size != int64(len(body)) {
		t.Errorf("File.Info().Size = %d, want %d", f.Info().Size, len(body))
	}
}

func neverOverwrites(t *testing.T, s media.Store) {
	put(t, s, "a/one.txt", "first")
	err := s.Put(t.Context(), "a/one.txt", strings.NewReader("second"))
	if !errors.Is(err, media.ErrExist) {
		t.Errorf("second Put = %v, want ErrExist", err)
	}
	if got := read(t, s, "a/one.txt"); got != "first" {
		t.Errorf("after a refused Put the file holds %q, want %q", got, "first")
	}
}

func missing(t *testing.T, s media.Store) {
	if _, err := s.Open(t.Context(), "no/such.jpg"); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Open(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.Stat(t.Context(), "no/such.jpg"); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Stat(missing) = %v, want ErrNotFound", err)
	}
	if err := s.Delete(t.Context(), "no/such.jpg"); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Delete(missing) = %v, want ErrNotFound", err)
	}
}

func deleteFile(t *testing.T, s media.Store) {
	put(t, s, "d/gone.png", "x")
	if err := s.Delete(t.Context(), "d/gone.png"); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	if _, err := s.Stat(t.Context(), "d/gone.png"); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Stat after Delete = %v, want ErrNotFound", err)
	}
	// The name is free again.
	put(t, s, "d/gone.png", "y")
}

func listByPrefix(t *testing.T, s media.Store) {
	for _, n := range []string{"b/2.jpg", "a/1.jpg", "a/0.jpg", "ab/x.jpg", "c.txt"} {
		put(t, s, n, n)
	}
	names := func(prefix string) string {
		list, err := s.List(t.Context(), prefix)
		if err != nil {
			t.Fatalf("List(%q) = %v", prefix, err)
		}
		var out []string
		for _, i := range list {
			if i.Size != int64(len(i.Name)) {
				t.Errorf("List(%q): %s has size %d, want %d", prefix, i.Name, i.Size, len(i.Name))
			}
			out = append(out, i.Name)
		}
		return strings.Join(out, " ")
	}
	for prefix, want := range map[string]string{
		"a/": "a/0.jpg a/1.jpg",
		"a":  "a/0.jpg a/1.jpg ab/x.jpg",
		"":   "a/0.jpg a/1.jpg ab/x.jpg b/2.jpg c.txt",
		"z/": "",
	} {
		if got := names(prefix); got != want {
			t.Errorf("List(%q) = %q, want %q", prefix, got, want)
		}
	}
}

func badNames(t *testing.T, s media.Store) {
	for _, n := range []string{"", "../etc/passwd", "a/../b", "/abs.jpg", "a//b", ".hidden", "nul\x00.jpg", "sp ace.jpg", strings.Repeat("a", 301)} {
		if err := s.Put(t.Context(), n, strings.NewReader("x")); !errors.Is(err, media.ErrName) {
			t.Errorf("Put(%q) = %v, want ErrName", n, err)
		}
		if _, err := s.Open(t.Context(), n); !errors.Is(err, media.ErrName) {
			t.Errorf("Open(%q) = %v, want ErrName", n, err)
		}
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	n := min(len(p), f.n)
	f.n -= n
	return n, nil
}

func failedPut(t *testing.T, s media.Store) {
	err := s.Put(t.Context(), "f/half.jpg", &failingReader{n: 100000})
	if err == nil {
		t.Fatal("Put from a failing reader succeeded")
	}
	if _, err := s.Stat(t.Context(), "f/half.jpg"); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Stat after a failed Put = %v, want ErrNotFound", err)
	}
	list, err := s.List(t.Context(), "")
	if err != nil || len(list) != 0 {
		t.Errorf("List after a failed Put = %v, %v; want nothing", list, err)
	}
}

func seek(t *testing.T, s media.Store) {
	put(t, s, "s/range.bin", "0123456789")
	f, err := s.Open(t.Context(), "s/range.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(4, io.SeekStart); err != nil {
		t.Fatalf("Seek = %v", err)
	}
	b := make([]byte, 3)
	if _, err := io.ReadFull(f, b); err != nil || string(b) != "456" {
		t.Errorf("read after Seek(4) = %q, %v; want \"456\"", b, err)
	}
	if n, err := f.Seek(0, io.SeekEnd); err != nil || n != 10 {
		t.Errorf("Seek(0, end) = %d, %v; want 10", n, err)
	}
}

func concurrentPuts(t *testing.T, s media.Store) {
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.Put(t.Context(), "c/race.jpg", bytes.NewReader(bytes.Repeat([]byte{byte('a' + i)}, 50000)))
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, media.ErrExist):
			t.Errorf("concurrent Put = %v, want nil or ErrExist", err)
		}
	}
	if won != 1 {
		t.Errorf("%d concurrent Puts of one name succeeded, want 1", won)
	}
	got := read(t, s, "c/race.jpg")
	if len(got) != 50000 || strings.Count(got, got[:1]) != 50000 {
		t.Errorf("the file mixes the writers' bytes")
	}
}
