package importer_test

import (
	"bytes"
	"testing"

	"github.com/broadsheet/broadsheet/internal/importer"
	"github.com/broadsheet/broadsheet/internal/wxr"
)

// BenchmarkImportWXR imports a generated export of 200 posts with 10 comments each into an
// empty site: records per second are the figure that matters for large archives.
func BenchmarkImportWXR(b *testing.B) {
	var file bytes.Buffer
	if err := wxr.Generate(&file, 200, 10, 1); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(file.Len()))
	items := 0
	for b.Loop() {
		st := newStore(b)
		sums, err := importer.Import(b.Context(), st, []importer.File{{Name: "gen.xml", R: bytes.NewReader(file.Bytes())}}, options())
		if err != nil {
			b.Fatal(err)
		}
		items += sums[0].Items()
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "records/s")
}
