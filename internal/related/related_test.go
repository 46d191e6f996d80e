package related

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var day0 = time.Date(2023, 3, 20, 12, 0, 0, 0, time.UTC)

// doc builds a story from "key" or "key:weight" or "Key*" (an entity) terms.
func doc(id int64, days int, terms ...string) Document {
	var ts []Term
	for _, s := range terms {
		t := Term{Key: s, Surface: s, Weight: 1}
		if n := len(s); n > 0 && s[n-1] == '*' {
			t.Key, t.Surface, t.Entity = s[:n-1], s[:n-1], true
		}
		for i := range len(t.Key) {
			if t.Key[i] == ':' {
				fmt.Sscanf(t.Key[i+1:], "%g", &t.Weight)
				t.Key, t.Surface = t.Key[:i], t.Key[:i]
				break
			}
		}
		ts = append(ts, t)
	}
	date := time.Time{}
	if days >= 0 {
		date = day0.AddDate(0, 0, days)
	}
	return NewDocument(id, date, ts)
}

func ids(rs []Result) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// newsroom is a small corpus: stories about two events and unrelated ones.
func newsroom() []Document {
	return []Document{
		doc(1, 0, "putin*", "xi jinping*", "moscow*", "ukrain*", "talk:2", "summit"),
		doc(2, 1, "putin*", "xi jinping*", "ukrain*", "peac", "plan:2"),
		doc(3, 2, "putin*", "ukrain*", "war:2", "court", "warrant"),
		doc(4, 3, "intern criminal court*", "court", "warrant", "putin*"),
		doc(5, 0, "footbal", "leagu", "goal:3"),
		doc(6, 1, "footbal", "cup", "goal:2", "final"),
		doc(7, 2, "budget", "tax:2", "treasuri*"),
		doc(8, 5, "weather", "rain", "storm:2"),
		doc(9, 6, "storm", "flood:2", "rain"),
		doc(10, 7, "elect", "vote:2", "parti"),
		doc(11, 8, "cook", "recip"),
		doc(12, 9, "garden", "flower"),
	}
}

func TestRelated(t *testing.T) {
	t.Parallel()
	ix := build(t, Config{RecencyWeight: 0}, newsroom())
	tests := []struct {
		name    string
		cfg     Config
		id      int64
		k       int
		exclude []int64
		want    []int64
	}{
		{"same event first", Config{}, 1, 3, nil, []int64{2, 3, 4}},
		{"k bounds the list", Config{}, 1, 1, nil, []int64{2}},
		{"excluded stories", Config{}, 1, 3, []int64{2}, []int64{3, 4}},
		{"only sharing stories", Config{}, 11, 5, nil, []int64{}},
		{"football", Config{}, 5, 5, nil, []int64{6}},
		{"zero k", Config{}, 1, 0, nil, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rs, err := ix.Related(tt.id, tt.k, tt.exclude...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(rs)); diff != "" {
				t.Errorf("Related(%d, %d, %v) IDs (-want +got):\n%s", tt.id, tt.k, tt.exclude, diff)
			}
		})
	}
}

func TestRelatedReason(t *testing.T) {
	t.Parallel()
	ix := build(t, Config{}, []Document{
		NewDocument(1, day0, []Term{
			{Key: "putin", Surface: "Putin", Entity: true, Weight: 3},
			{Key: "xi", Surface: "Xi", Entity: true, Weight: 2},
			{Key: "jinping", Surface: "Jinping", Entity: true, Weight: 1},
			{Key: "xi jinping", Surface: "Xi Jinping", Entity: true, Weight: 1},
			{Key: "talk", Surface: "talks", Weight: 4},
			{Key: "ukrain", Surface: "Ukraine", Entity: true, Weight: 2},
		}),
		NewDocument(2, day0, []Term{
			{Key: "putin", Surface: "Putin", Entity: true, Weight: 1},
			{Key: "xi", Surface: "Xi", Entity: true, Weight: 1},
			{Key: "xi jinping", Surface: "Xi Jinping", Entity: true, Weight: 1},
			{Key: "talk", Surface: "talk", Weight: 2},
		}),
		NewDocument(3, day0, []Term{{Key: "weather", Weight: 1}}),
	})
	rs, err := ix.Related(1, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].ID != 2 {
		t.Fatalf("Related(1) = %+v, want story 2 only", rs)
	}
	// Entities come first; "Xi" is left out as part of "Xi Jinping"; terms
	// are written as in the story asked about.
	if got, want := rs[0].Why(), "Putin · Xi Jinping · talks"; got != want {
		t.Errorf("Why() = %q, want %q", got, want)
	}
	if rs[0].Score <= 0 || rs[0].Date != day0 {
		t.Errorf("result = %+v, want a positive score and date %v", rs[0], day0)
	}
}

// TestReasonLeavesOutCommonWords checks that a word most stories share is
// no reason while a name or a rare word is, and that a link whose only
// shared words are common, or one rare word alone, has no reason.
func TestReasonLeavesOutCommonWords(t *testing.T) {
	t.Parallel()
	var docs []Document
	for i := range 400 {
		docs = append(docs, doc(int64(100+i), 0, "said", "week:2", fmt.Sprintf("filler%d", i)))
	}
	docs = append(docs,
		doc(1, 0, "week:4", "said", "ferri", "harbour council*"),
		doc(2, 0, "week:4", "said", "ferri", "harbour council*"),
		doc(3, 0, "week:9", "said"),
		doc(4, 0, "week:9", "said"),
		doc(5, 0, "week:9", "said", "poised"),
		doc(6, 0, "week:9", "said", "poised"),
	)
	ix := build(t, Config{MaxDocFreq: 1}, docs)
	for _, tt := range []struct {
		id   int64
		want string
	}{{1, "harbour council · ferri"}, {3, ""}, {5, ""}} {
		rs, err := ix.Related(tt.id, 1)
		if err != nil || len(rs) != 1 {
			t.Fatalf("Related(%d) = %v, %v", tt.id, rs, err)
		}
		if got := rs[0].Why(); got != tt.want {
			t.Errorf("Related(%d) reason %q, want %q", tt.id, got, tt.want)
		}
		if tt.id == 5 && rs[0].ID != 6 {
			t.Errorf("Related(5) = story %d, want 6, which shares a rare word", rs[0].ID)
		}
	}
}

// TestReasonWritesNames checks that a reason writes a name as a story that
// writes it as a name does, when the query story only has it in lower case.
func TestReasonWritesNames(t *testing.T) {
	t.Parallel()
	ix := build(t, Config{}, []Document{
		NewDocument(1, day0, []Term{{Key: "radcliff", Surface: "radcliffe", Weight: 2}, {Key: "marathon", Weight: 1}}),
		NewDocument(2, day0, []Term{{Key: "radcliff", Surface: "Radcliffe", Entity: true, Weight: 2}, {Key: "london", Weight: 1}}),
		doc(3, 0, "marathon", "london"),
	})
	rs, err := ix.Related(1, 1)
	if err != nil || len(rs) != 1 || rs[0].ID != 2 {
		t.Fatalf("Related(1) = %v, %v", rs, err)
	}
	if got := rs[0].Why(); got != "Radcliffe" {
		t.Errorf("Related(1) reason %q, want %q", got, "Radcliffe")
	}
}

func TestLargeK(t *testing.T) {
	t.Parallel()
	docs := synthetic(300, 20, 9)
	ix := build(t, Config{Candidates: 5, SeedTerms: 2}, docs)
	exact := build(t, Config{Candidates: -1}, docs)
	got, err := ix.Related(1, 50)
	if err != nil {
		t.Fatal(err)
	}
	want, err := exact.Related(1, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 50 && len(got) < len(want) {
		t.Errorf("Related(1, 50) with 5 candidates = %d results, want %d", len(got), min(50, len(want)))
	}
}

func TestTies(t *testing.T) {
	t.Parallel()
	// Identical stories score the same: newer first, then smaller ID; a
	// story without a date ranks after dated ones.
	docs := []Document{
		doc(1, 0, "a", "b"),
		doc(5, 3, "a", "b"),
		doc(4, 3, "a", "b"),
		doc(3, -1, "a", "b"),
		doc(2, 1, "a", "b"),
	}
	ix := build(t, Config{RecencyWeight: 0}, docs)
	rs, err := ix.Related(1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{4, 5, 2, 3}, ids(rs)); diff != "" {
		t.Errorf("Related(1) IDs (-want +got):\n%s", diff)
	}
}

func TestTime(t *testing.T) {
	t.Parallel()
	docs := []Document{
		doc(1, 100, "a", "b", "c"),
		doc(2, 0, "a", "b", "c"),   // long before
		doc(3, 99, "a", "b", "c"),  // the day before
		doc(4, 101, "a", "b", "c"), // the day after
		doc(5, -1, "a", "b", "c"),  // undated
		doc(6, 100, "x"),
	}
	tests := []struct {
		name string
		cfg  Config
		want []int64
	}{
		{"no recency", Config{}, []int64{4, 3, 2, 5}},
		{"recency", Config{RecencyWeight: 0.5, HalfLife: 24 * time.Hour}, []int64{5, 4, 3, 2}},
		{"never newer", Config{RecencyWeight: 0.5, HalfLife: 24 * time.Hour, NoNewer: true}, []int64{5, 3, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ix := build(t, tt.cfg, docs)
			rs, err := ix.Related(1, 10)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(rs)); diff != "" {
				t.Errorf("Related(1) IDs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	ix := build(t, Config{}, newsroom())
	if _, err := ix.Related(99, 5); !errors.Is(err, ErrNotFound) {
		t.Errorf("Related(99) error = %v, want ErrNotFound", err)
	}
	if err := ix.Add(doc(1, 0, "x")); !errors.Is(err, ErrExists) {
		t.Errorf("Add(existing) error = %v, want ErrExists", err)
	}
	if ix.Remove(99) {
		t.Error("Remove(99) = true, want false")
	}
	if !ix.Remove(1) || ix.Contains(1) || ix.Len() != len(newsroom())-1 {
		t.Errorf("after Remove(1): Contains = %v, Len = %d", ix.Contains(1), ix.Len())
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  Document
	}{
		{"no terms", NewDocument(100, day0, nil)},
		{"empty key", NewDocument(100, day0, []Term{{Key: "", Weight: 1}})},
		{"zero, negative and NaN weights", NewDocument(100, day0, []Term{{Key: "putin", Weight: 0}, {Key: "ukrain", Weight: -1}, {Key: "moscow", Weight: math.NaN()}, {Key: "talk", Weight: math.Inf(1)}})},
		{"one term", doc(100, 0, "putin")},
		{"repeated keys", doc(100, 0, "putin", "putin", "putin*")},
		{"huge weight", NewDocument(100, day0, []Term{{Key: "putin", Weight: 1e300}, {Key: "ukrain", Weight: 1e-300}})},
		{"many terms", NewDocument(100, day0, manyTerms(5000))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ix := build(t, Config{}, append(newsroom(), tt.doc))
			if _, err := ix.Related(100, 5); err != nil {
				t.Fatalf("Related = %v", err)
			}
			for _, d := range newsroom() {
				rs, err := ix.Related(d.ID(), 5)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rs {
					if math.IsNaN(r.Score) || math.IsInf(r.Score, 0) || r.Score <= 0 {
						t.Errorf("Related(%d) score %v", d.ID(), r.Score)
					}
				}
			}
			ix.Similar(tt.doc, 5)
			if !ix.Remove(100) {
				t.Error("Remove = false")
			}
		})
	}
}

func manyTerms(n int) []Term {
	ts := make([]Term, n)
	for i := range ts {
		ts[i] = Term{Key: fmt.Sprintf("w%d", i), Weight: float64(1 + i%7)}
	}
	return ts
}

func TestSimilar(t *testing.T) {
	t.Parallel()
	ix := build(t, Config{}, newsroom())
	draft := doc(50, 4, "putin*", "ukrain*", "court", "warrant", "unknownword")
	rs := ix.Similar(draft, 2)
	if diff := cmp.Diff([]int64{3, 4}, ids(rs)); diff != "" {
		t.Errorf("Similar(draft) IDs (-want +got):\n%s", diff)
	}
	// An indexed story is never its own result.
	rs = ix.Similar(newsroom()[0], 10)
	if slices.Contains(ids(rs), 1) {
		t.Errorf("Similar(story 1) = %v, includes itself", ids(rs))
	}
}

// TestIncremental checks that an index built through random adds, updates
// and removes answers exactly like one built from scratch.
func TestIncremental(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{DefaultConfig(), {Candidates: -1}, {MaxTerms: 8, SeedTerms: 2, Candidates: 3, NoNewer: true, RecencyWeight: 0.5}, {SeedPostings: 20, Candidates: 10, QueryTerms: 12}} {
		t.Run(fmt.Sprintf("%+v", cfg), func(t *testing.T) {
			t.Parallel()
			pool := synthetic(400, 30, 7)
			rng := rand.New(rand.NewPCG(3, 4))
			b := New(cfg)
			final := make(map[int64]Document)
			for range 3000 {
				d := pool[rng.IntN(len(pool))]
				switch op := rng.IntN(10); {
				case op < 5:
					if err := b.Add(d); err == nil {
						final[d.ID()] = d
					} else if !errors.Is(err, ErrExists) {
						t.Fatal(err)
					}
				case op < 7:
					// Update with another story's terms.
					other := pool[rng.IntN(len(pool))]
					nd := NewDocument(d.ID(), other.Date(), other.Terms())
					if err := b.Update(nd); err != nil {
						t.Fatal(err)
					}
					final[d.ID()] = nd
				default:
					b.Remove(d.ID())
					delete(final, d.ID())
				}
			}
			var docs []Document
			for _, d := range final {
				docs = append(docs, d)
			}
			slices.SortFunc(docs, func(x, y Document) int { return int(x.ID() - y.ID()) })
			a := build(t, cfg, docs)
			if a.Len() != b.Len() {
				t.Fatalf("Len: fresh %d, incremental %d", a.Len(), b.Len())
			}
			for _, d := range docs {
				ra, err := a.Related(d.ID(), 10)
				if err != nil {
					t.Fatal(err)
				}
				rb, err := b.Related(d.ID(), 10)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(ra, rb); diff != "" {
					t.Fatalf("Related(%d): fresh (-) and incremental (+) differ:\n%s", d.ID(), diff)
				}
			}
		})
	}
}

// TestExhaustive checks the search against scoring every story.
func TestExhaustive(t *testing.T) {
	t.Parallel()
	docs := synthetic(1500, 40, 11)
	for _, cfg := range []Config{{Candidates: -1}, {Candidates: -1, RecencyWeight: 0.3, NoNewer: true}} {
		ix := build(t, cfg, docs)
		for _, d := range docs[:200] {
			got, err := ix.Related(d.ID(), 10)
			if err != nil {
				t.Fatal(err)
			}
			want := bruteForce(ix, d.ID(), 10)
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b Result) bool { return a.ID == b.ID && a.Score == b.Score })); diff != "" {
				t.Fatalf("%+v: Related(%d) IDs (-brute force +got):\n%s", cfg, d.ID(), diff)
			}
		}
	}
}

// bruteForce scores every story with the index's weights.
func bruteForce(ix *Index, id int64, k int) []Result {
	slot := ix.slots[id]
	st := &ix.docs[slot]
	q := query{self: int64(slot), id: id, date: ix.dates[slot], dl: float64(ix.dls[slot])}
	refs, tfs := st.appendTerms(nil, nil)
	for i, ref := range refs {
		q.terms = append(q.terms, queryTerm{id: refID(ref), tf: tfs[i]})
	}
	sel := ix.selectTerms(&q)
	c1, c2 := ix.lengthNorm()
	var bound float64
	for _, t := range sel {
		bound += t.bound
	}
	scale := unitScale(bound)
	for i := range sel {
		sel[i].ws = float32(float64(sel[i].w) * scale)
	}
	h := resultHeap{k: k}
	for s := range ix.docs {
		slot := uint32(s)
		if int64(slot) == q.self || ix.docs[s].terms == nil || !ix.allowed(&q, slot, nil) {
			continue
		}
		var units uint32
		for _, t := range sel {
			if tf := ix.docs[s].find(t.id); tf > 0 {
				units += t.units(tf, c1, c2, ix.dls[s])
			}
		}
		if units > 0 {
			h.push(candidate{slot: slot, score: float64(units) / scale * ix.recency(&q, slot), date: ix.dates[s], id: ix.ids[s]})
		}
	}
	var out []Result
	for _, c := range h.sorted() {
		out = append(out, Result{ID: c.id, Score: c.score})
	}
	return out
}

func TestConcurrent(t *testing.T) {
	t.Parallel()
	docs := synthetic(300, 30, 5)
	ix := build(t, Config{}, docs[:200])
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				id := docs[(i*7+g)%200].ID()
				if _, err := ix.Related(id, 5); err != nil && !errors.Is(err, ErrNotFound) {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for _, d := range docs[200:] {
			if err := ix.Add(d); err != nil {
				t.Error(err)
			}
			ix.Remove(d.ID() - 150)
			ix.Update(docs[int(d.ID())%100])
		}
	})
	wg.Wait()
}

// TestCopiesLeftOut checks that a near-copy of a story (the same terms but
// one) is never among its related stories, while a story sharing half its
// terms is, and that CopyOverlap < 0 lists copies again.
func TestCopiesLeftOut(t *testing.T) {
	t.Parallel()
	terms := func(from, to int, extra ...string) []string {
		var ts []string
		for i := from; i < to; i++ {
			ts = append(ts, fmt.Sprintf("w%d", i))
		}
		return append(ts, extra...)
	}
	docs := []Document{
		doc(1, 0, terms(0, 40)...),
		doc(2, 0, terms(0, 40, "updat")...), // a re-post with one word added
		doc(3, 0, terms(0, 39)...),          // a copy with one word cut
		doc(4, 0, terms(20, 60)...),         // a follow-up
		doc(5, 0, terms(100, 140)...),
	}
	for _, tt := range []struct {
		cfg  Config
		want []int64
	}{{Config{}, []int64{4}}, {Config{CopyOverlap: -1}, []int64{2, 3, 4}}} {
		ix := build(t, tt.cfg, docs)
		rs, err := ix.Related(1, 5)
		if err != nil {
			t.Fatal(err)
		}
		got := ids(rs)
		slices.Sort(got)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("CopyOverlap %v: Related(1) IDs (-want +got):\n%s", tt.cfg.CopyOverlap, diff)
		}
		if rs := ix.Similar(docs[1], 5); tt.cfg.CopyOverlap == 0 && (len(rs) != 1 || rs[0].ID != 4) {
			t.Errorf("Similar(copy) = %v, want story 4 only", ids(rs))
		}
	}
}

// TestMinEvidence checks that a story sharing one word of the ten a story
// keeps is not related to it under a minimum evidence, while a story
// sharing eight is, and that a zero MinEvidence lists both.
func TestMinEvidence(t *testing.T) {
	t.Parallel()
	docs := []Document{
		doc(1, 0, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"),
		doc(2, 0, "a", "b", "c", "d", "e", "f", "g", "h", "x"),
		doc(3, 0, "j", "y", "z", "w", "v", "u", "t", "s", "r", "q"),
	}
	for i := range 20 {
		docs = append(docs, doc(int64(100+i), 0, fmt.Sprintf("filler%d", i), "w"))
	}
	for _, tt := range []struct {
		min  float64
		want []int64
	}{{0, []int64{2, 3}}, {0.15, []int64{2}}} {
		ix := build(t, Config{MinEvidence: tt.min}, docs)
		rs, err := ix.Related(1, 5)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, ids(rs)); diff != "" {
			t.Errorf("MinEvidence %v: Related(1) IDs (-want +got):\n%s", tt.min, diff)
		}
	}
}

// TestCopiesListedOnce checks that of two near-copies of each other, neither
// a copy of the query story, a list names only the better one, and that
// with copies allowed it names both.
func TestCopiesListedOnce(t *testing.T) {
	t.Parallel()
	words := func(from, to int) []string {
		var ts []string
		for i := from; i < to; i++ {
			ts = append(ts, fmt.Sprintf("w%d", i))
		}
		return ts
	}
	docs := []Document{
		doc(1, 0, words(0, 40)...),
		doc(2, 0, words(20, 60)...), // a follow-up
		doc(3, 0, words(20, 60)...), // the follow-up published twice
		doc(4, 0, words(30, 70)...), // another follow-up
		doc(5, 0, words(100, 140)...),
	}
	for _, tt := range []struct {
		cfg  Config
		want []int64
	}{{Config{}, []int64{2, 4}}, {Config{CopyOverlap: -1}, []int64{2, 3, 4}}} {
		ix := build(t, tt.cfg, docs)
		rs, err := ix.Related(1, 5)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, ids(rs)); diff != "" {
			t.Errorf("CopyOverlap %v: Related(1) IDs (-want +got):\n%s", tt.cfg.CopyOverlap, diff)
		}
	}
}

// TestReasonNamesOnce checks that a word written as a full name ("President
// Putin" analysed as putin, shown as "Vladimir Putin") and the shared name
// itself are listed once.
func TestReasonNamesOnce(t *testing.T) {
	t.Parallel()
	ix := build(t, Config{}, []Document{
		NewDocument(1, day0, []Term{
			{Key: "putin", Surface: "Vladimir Putin", Entity: true, Weight: 3},
			{Key: "vladimir putin", Surface: "Vladimir Putin", Entity: true, Weight: 1},
			{Key: "ukrain", Surface: "Ukraine", Entity: true, Weight: 2},
			{Key: "talk", Surface: "talks", Weight: 1},
		}),
		NewDocument(2, day0, []Term{
			{Key: "putin", Surface: "Putin", Entity: true, Weight: 2},
			{Key: "vladimir putin", Surface: "Vladimir Putin", Entity: true, Weight: 1},
			{Key: "ukrain", Surface: "Ukraine", Entity: true, Weight: 1},
		}),
		NewDocument(3, day0, []Term{{Key: "weather", Weight: 1}}),
	})
	rs, err := ix.Related(1, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("Related(1) = %+v, want story 2 only", rs)
	}
	got := slices.Sorted(slices.Values(rs[0].Reason))
	if diff := cmp.Diff([]string{"Ukraine", "Vladimir Putin"}, got); diff != "" {
		t.Errorf("Reason (-want +got):\n%s", diff)
	}
}
