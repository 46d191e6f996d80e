package wxr

import (
	"errors"
	"io"
	"testing"
	"time"
)

// readAll reads every record up to io.EOF.
func readAll(r *Reader) ([]Record, error) {
	var recs []Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		recs = append(recs, rec)
	}
}

func mustDate(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateTime, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
