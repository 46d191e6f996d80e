package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/webp"
)

// solid returns a w×h picture whose left half is left and right half right.
func halves(w, h int, left, right color.Color) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := left
			if x >= w/2 {
				c = right
			}
			m.Set(x, y, c)
		}
	}
	return m
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gpsMarker is a latitude written into the test's EXIF and XMP; no output may contain it.
const gpsMarker = "51.4779N-GREENWICH"

// exifTIFF returns EXIF's TIFF structure with the given orientation and a GPS block.
func exifTIFF(orientation uint16) []byte {
	le := binary.LittleEndian
	// TIFF header, IFD0 at 8 with two entries: orientation and the GPS IFD pointer.
	t := []byte("II*\x00\x08\x00\x00\x00")
	t = le.AppendUint16(t, 2)
	t = le.AppendUint16(t, 0x0112)
	t = le.AppendUint16(t, 3)
	t = le.AppendUint32(t, 1)
	t = le.AppendUint16(t, orientation)
	t = le.AppendUint16(t, 0)
	gpsIFD := uint32(len(t) + 12 + 4)
	t = le.AppendUint16(t, 0x8825)
	t = le.AppendUint16(t, 4)
	t = le.AppendUint32(t, 1)
	t = le.AppendUint32(t, gpsIFD)
	t = le.AppendUint32(t, 0) // no next IFD
	// GPS IFD: one ASCII entry (GPSAreaInformation-like) pointing at the marker text.
	t = le.AppendUint16(t, 1)
	t = le.AppendUint16(t, 0x001C)
	t = le.AppendUint16(t, 2)
	t = le.AppendUint32(t, uint32(len(gpsMarker)+1))
	t = le.AppendUint32(t, uint32(len(t)+4+4))
	t = le.AppendUint32(t, 0)
	return append(t, gpsMarker+"\x00"...)
}

// withEXIF inserts after a JPEG's start marker an EXIF segment with the given orientation and a
// GPS block, an XMP segment and a comment, as a phone camera would.
func withEXIF(jpg []byte, orientation uint16) []byte {
	t := exifTIFF(orientation)
	seg := func(marker byte, payload []byte) []byte {
		s := []byte{0xFF, marker}
		s = binary.BigEndian.AppendUint16(s, uint16(len(payload)+2))
		return append(s, payload...)
	}
	var out []byte
	out = append(out, jpg[:2]...)
	out = append(out, seg(0xE1, append([]byte("Exif\x00\x00"), t...))...)
	out = append(out, seg(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>"+gpsMarker+"</exif:GPSLatitude></x:xmpmeta>"))...)
	out = append(out, seg(0xFE, []byte("shot at "+gpsMarker))...)
	return append(out, jpg[2:]...)
}

func allOutputs(img *Image) [][]byte {
	out := [][]byte{img.Original, img.Social.Data}
	for _, s := range img.Sizes {
		out = append(out, s.Data)
	}
	return out
}

func TestProcessStripsGPS(t *testing.T) {
	t.Parallel()
	src := withEXIF(encodeJPEG(t, halves(640, 400, color.RGBA{200, 0, 0, 255}, color.RGBA{0, 0, 200, 255})), 1)
	if !bytes.Contains(src, []byte(gpsMarker)) || jpegOrientation(src) != 1 {
		t.Fatal("the test's JPEG lacks its GPS block")
	}
	img, err := Process(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range allOutputs(img) {
		for _, bad := range []string{gpsMarker, "Exif\x00", "xmpmeta", "shot at"} {
			if bytes.Contains(b, []byte(bad)) {
				t.Errorf("output %d still contains %q", i, bad)
			}
		}
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("output %d does not decode: %v", i, err)
		}
	}
	// Without orientation to apply, the original keeps its pixels: only segments went.
	if want := len(src) - len(img.Original); want <= 0 || !bytes.HasSuffix(src, img.Original[len(img.Original)-1000:]) {
		t.Errorf("original was re-encoded, want the same scan data without metadata")
	}
}

func TestProcessOrientation(t *testing.T) {
	t.Parallel()
	red, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}
	// Stored 400×200, left red, right blue; orientation 6 turns it a quarter clockwise, so
	// readers see 200×400 with red on top.
	src := withEXIF(encodeJPEG(t, halves(400, 200, red, blue)), 6)
	img, err := Process(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if img.Width != 200 || img.Height != 400 {
		t.Fatalf("displayed size %d×%d, want 200×400", img.Width, img.Height)
	}
	for i, b := range allOutputs(img) {
		m, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		bb := m.Bounds()
		if i == 0 && (bb.Dx() != 200 || bb.Dy() != 400) {
			t.Errorf("original is %d×%d, want upright 200×400", bb.Dx(), bb.Dy())
		}
		top := m.At(bb.Dx()/2, bb.Dy()/8)
		bottom := m.At(bb.Dx()/2, bb.Dy()*7/8)
		if r, _, b, _ := top.RGBA(); r < b {
			t.Errorf("output %d: top is %v, want red", i, top)
		}
		if r, _, b, _ := bottom.RGBA(); r > b {
			t.Errorf("output %d: bottom is %v, want blue", i, bottom)
		}
	}
}

func TestProcessWidthsNeverUpscale(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		w, h int
		want []int
	}{
		{800, 600, []int{320, 640, 800}},
		{2000, 500, []int{320, 640, 960, 1280, 1920}},
		{320, 100, []int{320}},
		{100, 50, []int{100}},
	} {
		img, err := Process(encodeJPEG(t, halves(tc.w, tc.h, color.White, color.Black)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, s := range img.Sizes {
			got = append(got, s.Width)
			if wantH := (tc.h*s.Width + tc.w/2) / tc.w; s.Height < wantH-1 || s.Height > wantH+1 {
				t.Errorf("%d×%d: rendition %d is %d high, want %d", tc.w, tc.h, s.Width, s.Height, wantH)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%d×%d: widths %v, want %v", tc.w, tc.h, got, tc.want)
		}
		sw, sh := img.Social.Width, img.Social.Height
		if sw > SocialWidth || sh > SocialHeight || abs(sw*SocialHeight-sh*SocialWidth) > SocialWidth {
			t.Errorf("%d×%d: social card %d×%d, want the 1200:630 shape, at most 1200 wide", tc.w, tc.h, sw, sh)
		}
	}
}

func abs(v int) int { return max(v, -v) }

func TestSocialCropFollowsFocus(t *testing.T) {
	t.Parallel()
	// A tall picture: red in its top third, blue below.
	m := image.NewRGBA(image.Rect(0, 0, 400, 1000))
	for y := range 1000 {
		for x := range 400 {
			c := color.RGBA{0, 0, 255, 255}
			if y < 333 {
				c = color.RGBA{255, 0, 0, 255}
			}
			m.Set(x, y, c)
		}
	}
	src := encodeJPEG(t, m)
	for _, tc := range []struct {
		fy      float64
		wantRed bool
	}{{0.1, true}, {0.9, false}} {
		img, err := Process(src, Options{FocusX: 0.5, FocusY: tc.fy, Widths: []int{400}})
		if err != nil {
			t.Fatal(err)
		}
		card, _ := jpeg.Decode(bytes.NewReader(img.Social.Data))
		r, _, b, _ := card.At(200, 105).RGBA()
		if (r > b) != tc.wantRed {
			t.Errorf("focus y %.1f: card centre red=%v, want %v", tc.fy, r > b, tc.wantRed)
		}
		if img.Social.Width != 400 || img.Social.Height != 210 {
			t.Errorf("card %d×%d, want 400×210: the 1200:630 shape, not scaled up", img.Social.Width, img.Social.Height)
		}
	}
}

// pngHeader returns the signature and IHDR of a PNG declaring w×h pixels, and nothing else.
func pngHeader(w, h uint32) []byte {
	ihdr := []byte("IHDR")
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	out := append([]byte(nil), pngSignature...)
	out = binary.BigEndian.AppendUint32(out, 13)
	out = append(out, ihdr...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(ihdr))
}

func TestProcessRefuses(t *testing.T) {
	t.Parallel()
	good := encodeJPEG(t, halves(64, 64, color.White, color.Black))
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"bomb 50000×50000 PNG", pngHeader(50000, 50000), ErrTooManyPixels},
		{"HTML named .jpg", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), ErrUnsupported},
		{"SVG with script", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>`), ErrUnsupported},
		{"zero bytes", nil, ErrUnsupported},
		{"truncated JPEG", good[:len(good)/2], ErrCorrupt},
		{"JPEG header only", good[:20], ErrCorrupt},
		{"PDF", []byte("%PDF-1.7\n1 0 obj"), ErrUnsupported},
	} {
		if _, err := Process(tc.data, Options{}); !errors.Is(err, tc.want) {
			t.Errorf("%s: Process = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestProcessPNGKeepsTransparency(t *testing.T) {
	t.Parallel()
	m := halves(300, 200, color.NRGBA{0, 0, 0, 0}, color.NRGBA{0, 128, 0, 255})
	src := encodePNG(t, m)
	// A text chunk before the image data, as editors write "Author" or "Location".
	chunk := []byte("tEXtLocation\x00" + gpsMarker)
	text := binary.BigEndian.AppendUint32(nil, uint32(len(chunk)-4))
	text = append(text, chunk...)
	text = binary.BigEndian.AppendUint32(text, crc32.ChecksumIEEE(chunk))
	src = append(append(append([]byte(nil), src[:33]...), text...), src[33:]...)
	img, err := Process(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if img.Type != "image/png" || img.Sizes[0].Type != "image/png" || img.Social.Type != "image/jpeg" {
		t.Errorf("types %s, %s, %s; want png, png renditions, a jpeg card", img.Type, img.Sizes[0].Type, img.Social.Type)
	}
	for i, b := range allOutputs(img) {
		if bytes.Contains(b, []byte(gpsMarker)) {
			t.Errorf("output %d keeps the text chunk", i)
		}
	}
	if _, err := png.Decode(bytes.NewReader(img.Original)); err != nil {
		t.Errorf("stripped original does not decode: %v", err)
	}
}

func TestProcessGIFKeepsFrames(t *testing.T) {
	t.Parallel()
	pal := color.Palette{color.White, color.Black}
	g := &gif.GIF{}
	for i := range 3 {
		f := image.NewPaletted(image.Rect(0, 0, 40, 30), pal)
		f.SetColorIndex(i, i, 1)
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, 10)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	src := buf.Bytes()
	// A comment extension after the header, where tools put one.
	head := 13
	if src[10]&0x80 != 0 {
		head += 3 * (1 << (src[10]&7 + 1))
	}
	comment := append([]byte{0x21, 0xFE, byte(len(gpsMarker))}, gpsMarker+"\x00"...)
	src = append(append(append([]byte(nil), src[:head]...), comment...), src[head:]...)
	img, err := Process(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(img.Original, []byte(gpsMarker)) {
		t.Error("GIF comment kept")
	}
	all, err := gif.DecodeAll(bytes.NewReader(img.Original))
	if err != nil || len(all.Image) != 3 {
		t.Errorf("original GIF: %v, %d frames; want the 3", err, len(all.Image))
	}
}

func TestProcessWebP(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/blue-purple-pink.lossy.webp")
	if err != nil {
		t.Fatal(err)
	}
	img, err := Process(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if img.Type != "image/webp" || img.Width == 0 || len(img.Sizes) == 0 || !bytes.Equal(img.Original[12:], src[12:]) && len(img.Original) == 0 {
		t.Errorf("WebP processed to %s %d×%d with %d sizes", img.Type, img.Width, img.Height, len(img.Sizes))
	}
}

func TestValidName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"ab/photo-640.jpg": true, "../x": false, "a/./b": false, "x\x00": false,
		strings.Repeat("a", 300): true, strings.Repeat("a", 301): false, "a b": false,
	} {
		if got := ValidName(name); got != want {
			t.Errorf("ValidName(%q) = %v, want %v", name, got, want)
		}
	}
}

func FuzzIntake(f *testing.F) {
	f.Add(encodeJPEG(f, halves(16, 8, color.White, color.Black)))
	f.Add(withEXIF(encodeJPEG(f, halves(8, 8, color.White, color.Black)), 8))
	f.Add(encodePNG(f, halves(8, 8, color.Transparent, color.Black)))
	f.Add(pngHeader(50000, 50000))
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Process(data, Options{MaxPixels: 1 << 16, Widths: []int{8, 32}})
		if err == nil && (img.Width <= 0 || len(img.Sizes) == 0 || len(img.Original) == 0) {
			t.Errorf("Process accepted %d bytes but gave %+v", len(data), img)
		}
	})
}

// bitWriter writes a VP8L bit stream: least significant bit first.
type bitWriter struct {
	buf   []byte
	nBits uint
}

func (w *bitWriter) write(v uint32, n uint) {
	for i := range n {
		if w.nBits%8 == 0 {
			w.buf = append(w.buf, 0)
		}
		w.buf[len(w.buf)-1] |= byte(v>>i&1) << (w.nBits % 8)
		w.nBits++
	}
}

// losslessWebP encodes a w×h picture as a lossless (VP8L) WebP by hand, since Go has no WebP
// encoder: each pixel is black, or green where green(x, y) says, with one two-symbol prefix
// code for green and single-symbol ones (no bits) for red, blue, alpha and distance. With
// orientation above 1 it is an extended WebP with an EXIF chunk saying so, and a GPS block
// that must never survive.
func losslessWebP(w, h int, green func(x, y int) bool, orientation uint16) []byte {
	var bw bitWriter
	bw.write(0x2f, 8)
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	bw.write(0, 1) // alpha unused
	bw.write(0, 3) // version
	bw.write(0, 1) // no transform
	bw.write(0, 1) // no colour cache
	bw.write(0, 1) // no meta prefix codes
	simple := func(symbols ...uint32) {
		bw.write(1, 1) // a simple code
		bw.write(uint32(len(symbols)-1), 1)
		if symbols[0] > 1 {
			bw.write(1, 1)
			bw.write(symbols[0], 8)
		} else {
			bw.write(0, 1)
			bw.write(symbols[0], 1)
		}
		if len(symbols) == 2 {
			bw.write(symbols[1], 8)
		}
	}
	simple(0, 255) // green: code 0 is 0, code 1 is 255
	simple(0)      // red
	simple(0)      // blue
	simple(255)    // alpha
	simple(0)      // distance
	for y := range h {
		for x := range w {
			if green(x, y) {
				bw.write(1, 1)
			} else {
				bw.write(0, 1)
			}
		}
	}
	le := binary.LittleEndian
	chunk := func(out []byte, id string, data []byte) []byte {
		out = append(out, id...)
		out = le.AppendUint32(out, uint32(len(data)))
		out = append(out, data...)
		if len(data)%2 == 1 {
			out = append(out, 0)
		}
		return out
	}
	body := []byte("WEBP")
	if orientation > 1 {
		vp8x := []byte{0x08, 0, 0, 0} // EXIF present
		vp8x = append(vp8x, byte(w-1), byte((w-1)>>8), byte((w-1)>>16), byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
		body = chunk(body, "VP8X", vp8x)
	}
	body = chunk(body, "VP8L", bw.buf)
	if orientation > 1 {
		body = chunk(body, "EXIF", exifTIFF(orientation))
	}
	return append(le.AppendUint32([]byte("RIFF"), uint32(len(body))), body...)
}

// TestProcessWebPOrientation: a WebP whose EXIF says to turn it is stored upright, like its
// renditions, with its GPS block gone; one that needs no turning keeps its bytes, less metadata.
func TestProcessWebPOrientation(t *testing.T) {
	t.Parallel()
	// Stored 40×20, the left half green.
	leftGreen := func(x, y int) bool { return x < 20 }
	for _, tc := range []struct {
		orientation uint16
		w, h        int
		side        string // where readers see the green half
	}{
		{1, 40, 20, "left"},
		{3, 40, 20, "right"},
		{6, 20, 40, "top"},
		{8, 20, 40, "bottom"},
	} {
		src := losslessWebP(40, 20, leftGreen, tc.orientation)
		m, err := webp.Decode(bytes.NewReader(src))
		if err != nil {
			t.Fatalf("orientation %d: the test's WebP does not decode: %v", tc.orientation, err)
		}
		if _, g, _, _ := m.At(5, 10).RGBA(); g>>8 != 255 || m.Bounds().Dx() != 40 {
			t.Fatalf("orientation %d: the test's WebP decodes to %v, green at (5, 10) %v", tc.orientation, m.Bounds(), m.At(5, 10))
		}
		if got := webpOrientation(src); got != max(int(tc.orientation), 1) {
			t.Fatalf("webpOrientation = %d, want %d", got, tc.orientation)
		}
		img, err := Process(src, Options{Widths: []int{16, 320}})
		if err != nil {
			t.Fatalf("orientation %d: %v", tc.orientation, err)
		}
		if img.Width != tc.w || img.Height != tc.h {
			t.Errorf("orientation %d: displayed size %d×%d, want %d×%d", tc.orientation, img.Width, img.Height, tc.w, tc.h)
		}
		if tc.orientation == 1 && (img.Type != "image/webp" || !bytes.Equal(img.Original, src)) {
			t.Errorf("orientation 1: the original became %s, %d bytes; want the WebP's own %d", img.Type, len(img.Original), len(src))
		}
		outs := allOutputs(img)
		for i, b := range outs {
			if bytes.Contains(b, []byte(gpsMarker)) {
				t.Errorf("orientation %d: output %d keeps the GPS block", tc.orientation, i)
			}
			typ, err := Sniff(b)
			if err != nil {
				t.Fatalf("orientation %d: output %d: %v", tc.orientation, i, err)
			}
			if i == 0 && typ != img.Type {
				t.Errorf("orientation %d: the original's bytes are %s, its type says %s", tc.orientation, typ, img.Type)
			}
			m, err := decode(typ, b)
			if err != nil {
				t.Fatalf("orientation %d: output %d does not decode: %v", tc.orientation, i, err)
			}
			if i == 1 {
				continue // the social card: a crop of the middle, checked elsewhere
			}
			bb := m.Bounds()
			if i == 0 && (bb.Dx() != tc.w || bb.Dy() != tc.h) {
				t.Errorf("orientation %d: the original is %d×%d, want upright %d×%d", tc.orientation, bb.Dx(), bb.Dy(), tc.w, tc.h)
			}
			near := map[string]image.Point{"left": {bb.Dx() / 8, bb.Dy() / 2}, "right": {bb.Dx() * 7 / 8, bb.Dy() / 2},
				"top": {bb.Dx() / 2, bb.Dy() / 8}, "bottom": {bb.Dx() / 2, bb.Dy() * 7 / 8}}
			far := map[string]string{"left": "right", "right": "left", "top": "bottom", "bottom": "top"}[tc.side]
			if _, g, _, _ := m.At(near[tc.side].X, near[tc.side].Y).RGBA(); g>>8 < 200 {
				t.Errorf("orientation %d: output %d (%s) is not green on the %s", tc.orientation, i, typ, tc.side)
			}
			if _, g, _, _ := m.At(near[far].X, near[far].Y).RGBA(); g>>8 > 50 {
				t.Errorf("orientation %d: output %d (%s) is green on the %s too", tc.orientation, i, typ, far)
			}
		}
	}
}
