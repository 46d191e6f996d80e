package exporter_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/broadsheet/broadsheet/internal/exporter"
	"github.com/broadsheet/broadsheet/internal/media"
)

// TestWriteMediaListsWhatIsMissing: an original the media store lost is named, the others are
// written, and a second run keeps what the first wrote.
func TestWriteMediaListsWhatIsMissing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newStore(t)
	files, err := media.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	lib := &media.Library{Files: files, Options: media.Options{Widths: []int{320}}}
	var items []*media.Item
	for i, name := range []string{"kept.jpg", "lost.jpg"} {
		var buf bytes.Buffer
		jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 400+i, 300)), nil)
		it, _, err := lib.Add(ctx, st, media.Upload{Name: name, Data: buf.Bytes()})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	if err := files.Delete(ctx, items[1].File); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "pictures")
	n, err := exporter.WriteMedia(ctx, st, files, dir)
	if err != nil || n.Written != 1 || len(n.Missing) != 1 || n.Missing[0] != items[1].File {
		t.Fatalf("WriteMedia = %+v, %v; want kept.jpg written and lost.jpg's original named", n, err)
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(items[0].File))); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".tmp")); !os.IsNotExist(err) {
		t.Errorf("the folder keeps a temporary folder: %v", err)
	}
	if n, err := exporter.WriteMedia(ctx, st, files, dir); err != nil || n.Written != 0 || n.Kept != 1 {
		t.Errorf("second WriteMedia = %+v, %v; want the one original kept", n, err)
	}
}

// BenchmarkWriteMedia copies the originals of a library of 50 pictures (1600×1000 JPEGs) into
// an empty folder.
func BenchmarkWriteMedia(b *testing.B) {
	ctx := b.Context()
	st := newStore(b)
	files, err := media.NewDir(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	lib := &media.Library{Files: files, Options: media.Options{Widths: []int{320}}}
	var total int64
	for i := range 50 {
		var buf bytes.Buffer
		m := image.NewGray(image.Rect(0, 0, 1600, 1000))
		for x := range 1600 {
			m.Pix[x+(x*i%1000)*1600] = 255
		}
		jpeg.Encode(&buf, m, nil)
		it, _, err := lib.Add(ctx, st, media.Upload{Name: "photo.jpg", Data: buf.Bytes()})
		if err != nil {
			b.Fatal(err)
		}
		total += it.Size
	}
	b.SetBytes(total)
	root := b.TempDir()
	n := 0
	for b.Loop() {
		n++
		if _, err := exporter.WriteMedia(ctx, st, files, filepath.Join(root, strconv.Itoa(n))); err != nil {
			b.Fatal(err)
		}
	}
}
