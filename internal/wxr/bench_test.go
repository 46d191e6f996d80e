package wxr

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// BenchmarkReader reads a generated WXR file of 1,000 posts with 10
// comments each.
func BenchmarkReader(b *testing.B) {
	var buf bytes.Buffer
	if err := Generate(&buf, 1000, 10, 1); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	items := 0
	for b.Loop() {
		r := NewReader(bytes.NewReader(data))
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		items += r.Items()
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkGenerate writes the same file.
func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := Generate(io.Discard, 1000, 10, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "items/s")
}
