package related

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestRankingGolden checks that searches give exactly the results, scores
// and reasons they gave when testdata/ranking.golden was written: a change
// to how the index keeps its data must not change a ranking. The index is
// built through adds, updates and removes (so postings and slots are out of
// the order of a fresh build) and also read back from its snapshot.
func TestRankingGolden(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	for _, cfg := range []Config{DefaultConfig(), {Candidates: -1, RecencyWeight: 0.3, NoNewer: true}, {SeedPostings: 20, Candidates: 10, QueryTerms: 12, MaxTerms: 24}} {
		pool := synthetic(1500, 60, 21)
		rng := rand.New(rand.NewPCG(8, 9))
		ix := New(cfg)
		for _, d := range pool {
			if err := ix.Add(d); err != nil {
				t.Fatal(err)
			}
		}
		for range 600 {
			d := pool[rng.IntN(len(pool))]
			if rng.IntN(3) == 0 {
				ix.Remove(d.ID())
				continue
			}
			other := pool[rng.IntN(len(pool))]
			if err := ix.Update(NewDocument(d.ID(), other.Date(), other.Terms())); err != nil {
				t.Fatal(err)
			}
		}
		var snap bytes.Buffer
		if _, err := ix.WriteTo(&snap); err != nil {
			t.Fatal(err)
		}
		back, err := ReadIndex(bytes.NewReader(snap.Bytes()), cfg)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "config %+v: %d stories\n", cfg, ix.Len())
		for i, d := range pool {
			if i%5 != 0 {
				continue
			}
			got, err := ix.Related(d.ID(), 8)
			if err != nil {
				fmt.Fprintf(&out, "%d: %v\n", d.ID(), err)
				continue
			}
			line := results(got)
			fmt.Fprintf(&out, "%d: %s\n", d.ID(), line)
			if b, err := back.Related(d.ID(), 8); err != nil || results(b) != line {
				t.Errorf("%+v: Related(%d) read back = %s, %v; want %s", cfg, d.ID(), results(b), err, line)
			}
		}
		for _, d := range synthetic(20, 60, 22) {
			fmt.Fprintf(&out, "similar %d: %s\n", d.ID(), results(ix.Similar(d, 8)))
		}
	}
	path := filepath.Join("testdata", "ranking.golden")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != string(want) {
		g, w := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("line %d:\n got %s\nwant %s", i+1, g[i], w[i])
			}
		}
		t.Fatalf("got %d lines, want %d", len(g), len(w))
	}
}

// results writes search results with their exact scores and reasons.
func results(rs []Result) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%d=%x%q ", r.ID, r.Score, r.Reason)
	}
	return b.String()
}
