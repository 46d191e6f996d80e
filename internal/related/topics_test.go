package related

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// topical returns stories on two subjects: each uses words of its subject's
// vocabulary of 40, so that words of one subject co-occur across stories
// that share few of them.
func topical(n int, seed uint64) []Document {
	rng := rand.New(rand.NewPCG(seed, 2))
	docs := make([]Document, n)
	for i := range docs {
		subject := "a"
		if i%2 == 1 {
			subject = "b"
		}
		var terms []string
		for _, w := range rng.Perm(40)[:10] {
			terms = append(terms, fmt.Sprintf("%s%d", subject, w))
		}
		terms = append(terms, fmt.Sprintf("common%d", rng.IntN(20)))
		docs[i] = doc(int64(i+1), -1, terms...)
	}
	return docs
}

func topicConfig() Config {
	cfg := DefaultConfig()
	cfg.Topics = 8
	cfg.TopicDepth = 300
	cfg.MinEvidence = 0
	return cfg
}

func position(rs []Result, id int64) int {
	for i, r := range rs {
		if r.ID == id {
			return i
		}
	}
	return len(rs)
}

// TestTopicsRerank: two stories share one rare word with the query and
// nothing else, and score alike by their terms; the one on the query's
// subject, by words the query does not use, ranks first once the model is
// trained, and the other (the tie's winner by ID) before.
func TestTopicsRerank(t *testing.T) {
	t.Parallel()
	docs := topical(200, 1)
	docs = append(docs,
		doc(1001, -1, "a0", "a1", "a2", "a3", "a4", "a5", "xylophon"),
		doc(1002, -1, "xylophon", "b10", "b11", "b12", "b13", "b14", "b15"), // other subject
		doc(1003, -1, "xylophon", "a30", "a31", "a32", "a33", "a34", "a35"), // the query's subject
	)
	ix := build(t, topicConfig(), docs)
	before, err := ix.Related(1001, 300)
	if err != nil {
		t.Fatal(err)
	}
	if p2, p3 := position(before, 1002), position(before, 1003); p2 >= p3 || p3 == len(before) {
		t.Fatalf("untrained: story 1002 at %d, 1003 at %d; want 1002 first (a tie), both listed", p2, p3)
	}
	if err := ix.TrainTopics(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := ix.TopicStories(); got != len(docs) {
		t.Errorf("TopicStories() = %d, want %d", got, len(docs))
	}
	after, err := ix.Related(1001, 300)
	if err != nil {
		t.Fatal(err)
	}
	if p2, p3 := position(after, 1002), position(after, 1003); p3 >= p2 {
		t.Errorf("trained: story 1003 (same subject) at %d, 1002 at %d; want 1003 first", p3, p2)
	}
}

// TestTopicsDeterministic: the model depends on the stories, not on the order
// they came in; a story folded in again, a draft given to Similar and an
// index read back from a snapshot answer alike.
func TestTopicsDeterministic(t *testing.T) {
	t.Parallel()
	docs := topical(300, 3)
	shuffled := append([]Document(nil), docs...)
	rand.New(rand.NewPCG(9, 9)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	cfg := topicConfig()
	cfg.TopicDepth = 20
	a, b := build(t, cfg, docs), build(t, cfg, shuffled)
	for _, ix := range []*Index{a, b} {
		if err := ix.TrainTopics(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	// Story 7 leaves b and comes back: it is folded in again.
	b.Remove(7)
	if err := b.Add(docs[6]); err != nil {
		t.Fatal(err)
	}
	var snap bytes.Buffer
	if _, err := a.WriteTo(&snap); err != nil {
		t.Fatal(err)
	}
	c, err := ReadIndex(bytes.NewReader(snap.Bytes()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.TopicStories() != a.TopicStories() {
		t.Errorf("read back: TopicStories() = %d, want %d", c.TopicStories(), a.TopicStories())
	}
	if _, err := ReadIndex(bytes.NewReader(snap.Bytes()[:snap.Len()-5]), cfg); !errors.Is(err, ErrSnapshot) {
		t.Errorf("ReadIndex(snapshot cut in its topic vectors) error = %v, want ErrSnapshot", err)
	}
	other := cfg
	other.Topics = 16
	if d, err := ReadIndex(bytes.NewReader(snap.Bytes()), other); err != nil {
		t.Errorf("ReadIndex(snapshot, 16 dimensions): %v", err)
	} else if d.TopicStories() != 0 || d.Len() != a.Len() {
		t.Errorf("ReadIndex(snapshot, 16 dimensions): %d stories, TopicStories() %d; want %d without the 8-dimension model", d.Len(), d.TopicStories(), a.Len())
	}
	for _, d := range docs {
		want, err := a.Related(d.ID(), 10)
		if err != nil {
			t.Fatal(err)
		}
		for name, ix := range map[string]*Index{"shuffled": b, "snapshot": c} {
			got, err := ix.Related(d.ID(), 10)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%s: Related(%d) differs (-want +got):\n%s", name, d.ID(), diff)
			}
		}
		if diff := cmp.Diff(want, a.Similar(d, 10)); diff != "" {
			t.Fatalf("Similar(story %d) differs from Related (-want +got):\n%s", d.ID(), diff)
		}
	}
}

// TestTopicsWhileChanging: stories added and removed while the model is
// trained and folded in have vectors in it, or none once removed.
func TestTopicsWhileChanging(t *testing.T) {
	t.Parallel()
	docs := topical(600, 4)
	ix := build(t, topicConfig(), docs[:300])
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := ix.TrainTopics(t.Context()); err != nil {
			t.Error(err)
		}
	})
	for i, d := range docs[300:] {
		if err := ix.Add(d); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			ix.Remove(d.ID() - 150)
		}
	}
	wg.Wait()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	m := ix.topics
	if m == nil {
		t.Fatal("no model after TrainTopics")
	}
	for slot := range ix.docs {
		live := ix.docs[slot].terms != nil
		if zero := cosine(m.vec(uint32(slot)), m.vec(uint32(slot))) == 0; zero == live {
			t.Errorf("slot %d (story %d): live %v, vector zero %v", slot, ix.ids[slot], live, zero)
		}
	}
}

func TestTopicsCancelled(t *testing.T) {
	t.Parallel()
	ix := build(t, topicConfig(), topical(100, 5))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := ix.TrainTopics(ctx); err == nil {
		t.Error("TrainTopics with a cancelled context: no error")
	}
	if n := ix.TopicStories(); n != 0 {
		t.Errorf("TopicStories() = %d after a cancelled training, want 0", n)
	}
	few := build(t, topicConfig(), topical(20, 5))
	if err := few.TrainTopics(t.Context()); err != nil || few.TopicStories() != 0 {
		t.Errorf("20 stories, 8 dimensions: TrainTopics() = %v, TopicStories() = %d; want no model", err, few.TopicStories())
	}
}

func TestSymmetricEigen(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(6, 6))
	const n = 7
	a := make([]float64, n*n)
	for i := range n {
		for j := i; j < n; j++ {
			a[i*n+j] = rng.NormFloat64()
			a[j*n+i] = a[i*n+j]
		}
	}
	orig := append([]float64(nil), a...)
	vals, vecs := symmetricEigen(a, n)
	for k := range n {
		for i := range n {
			var av float64
			for j := range n {
				av += orig[i*n+j] * vecs[j*n+k]
			}
			if d := av - vals[k]*vecs[i*n+k]; math.Abs(d) > 1e-9 {
				t.Fatalf("eigenpair %d: (A·v - λ·v)[%d] = %g", k, i, d)
			}
		}
	}
}

// TestTopicsNotRetrainedWithoutModel checks that a training which gives no
// model (stories that share no terms) is not asked for again until the
// archive doubles: the follower retrains whenever TopicsStale says so, and an
// idle server spent a tenth of a processor training over and over.
func TestTopicsNotRetrainedWithoutModel(t *testing.T) {
	t.Parallel()
	apart := func(from, n int) []Document {
		var docs []Document
		for i := from; i < from+n; i++ {
			key := fmt.Sprintf("alone%d", i)
			docs = append(docs, NewDocument(int64(i+1), time.Time{}, []Term{{Key: key, Surface: key}, {Key: key + "x", Surface: key + "x"}}))
		}
		return docs
	}
	ix := build(t, topicConfig(), apart(0, 40))
	if !ix.TopicsStale() {
		t.Fatal("TopicsStale() = false before any training")
	}
	if err := ix.TrainTopics(t.Context()); err != nil || ix.TopicStories() != 0 {
		t.Fatalf("TrainTopics() = %v, TopicStories() = %d; want no model", err, ix.TopicStories())
	}
	if ix.TopicsStale() {
		t.Error("TopicsStale() = true right after a training that gave no model")
	}
	for _, d := range apart(40, 40) {
		if err := ix.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	if !ix.TopicsStale() {
		t.Error("TopicsStale() = false once the archive has doubled since the last training")
	}
}
