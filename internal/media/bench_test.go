package media

import (
	"image"
	"image/color"
	"testing"
)

// BenchmarkProcess24MP measures processing a 24-megapixel camera JPEG (6000×4000).
func BenchmarkProcess24MP(b *testing.B) {
	m := image.NewRGBA(image.Rect(0, 0, 6000, 4000))
	for y := range 4000 {
		for x := range 6000 {
			m.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	src := withEXIF(encodeJPEG(b, m), 6)
	m = nil
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Process(src, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcessSmall measures a 1600×1000 photo, the usual newsroom upload after export.
func BenchmarkProcessSmall(b *testing.B) {
	src := encodeJPEG(b, halves(1600, 1000, color.White, color.Black))
	for b.Loop() {
		if _, err := Process(src, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSocialCard measures cutting the social card again around a new focal point from a
// 1920×1280 rendition, as saving a focal point does.
func BenchmarkSocialCard(b *testing.B) {
	src := encodeJPEG(b, halves(1920, 1280, color.White, color.Black))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SocialCard(src, 0.7, 0.3); err != nil {
			b.Fatal(err)
		}
	}
}
