package media_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

func photo(t *testing.T, w, h int, c color.Color) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		if i%4 == 3 {
			m.Pix[i] = 255
		}
	}
	m.Set(0, 0, c)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func library(t *testing.T, files media.Store) (*media.Library, store.Store) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &media.Library{Files: files, Options: media.Options{Widths: []int{320, 640}}}, db
}

func TestLibraryAdd(t *testing.T) {
	t.Parallel()
	dir, _ := media.NewDir(t.TempDir())
	lib, db := library(t, dir)
	ctx := t.Context()
	data := photo(t, 800, 500, color.White)
	it, created, err := lib.Add(ctx, db, media.Upload{Name: `C:\Users\ana\..\Harbour at Dawn (1).JPG`, Data: data, Alt: " Boats "})
	if err != nil || !created {
		t.Fatalf("Add = %v, %v", created, err)
	}
	if it.Name != "Harbour at Dawn (1).JPG" || !strings.HasSuffix(it.File, "/harbour-at-dawn-1.jpg") || it.Alt != "Boats" {
		t.Errorf("item named %q, file %q, alt %q", it.Name, it.File, it.Alt)
	}
	if got := it.SrcSet(); !strings.Contains(got, "-320.jpg 320w") || !strings.Contains(got, "-640.jpg 640w") {
		t.Errorf("SrcSet = %q", got)
	}
	files, _ := dir.List(ctx, it.Hash+"/")
	if len(files) != 4 { // original, 320, 640, social
		t.Errorf("%d files stored, want 4: %v", len(files), files)
	}
	again, created, err := lib.Add(ctx, db, media.Upload{Name: "copy.jpg", Data: data})
	if err != nil || created || again.ID != it.ID {
		t.Errorf("Add(same bytes) = %v, created %v, %v; want item %d again", again, created, err, it.ID)
	}
	if media.HashFromURL("https://news.example.org"+it.URL()) != it.Hash || media.HashFromURL("/wp-content/x.jpg") != "" {
		t.Error("HashFromURL does not find the item's hash in its URL")
	}
	// Bytes sent without a name (the API's raw body) get one for people to read.
	unnamed, _, err := lib.Add(ctx, db, media.Upload{Data: photo(t, 300, 200, color.Black)})
	if err != nil || unnamed.Name != "image.jpg" || !strings.HasSuffix(unnamed.File, "/image.jpg") {
		t.Errorf("Add without a name = %+v, %v; want it named image.jpg", unnamed, err)
	}
}

// failing refuses the nth Put, as a full disk or a broken object store would.
type failing struct {
	media.Store
	n int
}

func (f *failing) Put(ctx context.Context, name string, r io.Reader) error {
	if f.n--; f.n == 0 {
		return errors.New("no space left on device")
	}
	return f.Store.Put(ctx, name, r)
}

func TestLibraryAddFailsCleanly(t *testing.T) {
	t.Parallel()
	dir, _ := media.NewDir(t.TempDir())
	lib, db := library(t, &failing{Store: dir, n: 3})
	ctx := t.Context()
	_, _, err := lib.Add(ctx, db, media.Upload{Name: "a.jpg", Data: photo(t, 700, 400, color.Black)})
	if err == nil || !strings.Contains(err.Error(), "no space") {
		t.Fatalf("Add on a failing store = %v", err)
	}
	if files, _ := dir.List(ctx, ""); len(files) != 0 {
		t.Errorf("a failed upload left %d files: %v", len(files), files)
	}
	if _, n, _ := db.ListMedia(ctx, store.MediaQuery{}); n != 0 {
		t.Errorf("a failed upload left %d records", n)
	}

	lib.MaxBytes = 100
	if _, _, err := lib.Add(ctx, db, media.Upload{Name: "big.jpg", Data: photo(t, 64, 64, color.White)}); !errors.Is(err, media.ErrTooBig) {
		t.Errorf("Add(over the limit) = %v, want ErrTooBig", err)
	}
	if _, err := lib.ReadAll(bytes.NewReader(make([]byte, 101))); !errors.Is(err, media.ErrTooBig) {
		t.Errorf("ReadAll(over the limit) = %v, want ErrTooBig", err)
	}
}

// TestLibraryRefocus: moving the focal point onto a red square in a corner cuts a new card,
// under a new name, whose centre is that square; the old card's name comes back for removal.
func TestLibraryRefocus(t *testing.T) {
	t.Parallel()
	dir, _ := media.NewDir(t.TempDir())
	lib, db := library(t, dir)
	lib.Options.Widths = []int{320, 2400}
	ctx := t.Context()
	m := image.NewRGBA(image.Rect(0, 0, 2400, 600))
	draw.Draw(m, m.Bounds(), image.NewUniform(color.RGBA{20, 20, 200, 255}), image.Point{}, draw.Src)
	red := image.Rect(1650, 150, 1950, 450) // centred on (1800, 300), right of the centred card's middle
	draw.Draw(m, red, image.NewUniform(color.RGBA{230, 20, 20, 255}), image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	it, _, err := lib.Add(ctx, db, media.Upload{Name: "my-social-life.jpg", Data: buf.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	centre := func(name string) color.RGBA {
		t.Helper()
		f, err := dir.Open(ctx, name)
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		defer f.Close()
		card, err := jpeg.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		b := card.Bounds()
		if b.Dx() > media.SocialWidth || abs(b.Dx()*media.SocialHeight-b.Dy()*media.SocialWidth) > media.SocialWidth {
			t.Errorf("card %s is %v, want at most 1200×630 in that ratio", name, b)
		}
		r, g, bl, _ := card.At(b.Dx()/2, b.Dy()/2).RGBA()
		return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}
	}
	if c := centre(it.Social); c.R > 100 || c.B < 150 {
		t.Errorf("the centred card's centre is %v, want blue", c)
	}
	first := it.Social
	old, err := lib.Refocus(ctx, it, 0.75, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if old != first || it.Social == first || !strings.HasPrefix(it.Social, it.Hash+"/my-social-life-social-") {
		t.Errorf("Refocus = old %q, new card %q; want old %q and a new name", old, it.Social, first)
	}
	if c := centre(it.Social); c.R < 150 || c.B > 100 {
		t.Errorf("the refocused card's centre is %v, want the red square", c)
	}
	if again, err := lib.Refocus(ctx, it, it.FocusX, it.FocusY); err != nil || again != "" {
		t.Errorf("Refocus to the same point = %q, %v; want nothing to do", again, err)
	}
	if _, err := lib.Refocus(ctx, it, 0, 0); err != nil || it.FocusX == 0 && it.FocusY == 0 {
		t.Errorf("Refocus(0, 0) = %v, focus %v,%v: the corner must not read as unset", err, it.FocusX, it.FocusY)
	}
}

func abs(n int) int { return max(n, -n) }
