package related

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// synthetic returns n stories whose terms follow a Zipf law over a shared
// vocabulary, mixed with a topic vocabulary per story, as news text does.
func synthetic(n, termsPerStory int, seed uint64) []Document {
	rng := rand.New(rand.NewPCG(seed, 1))
	const vocab, topics, topicVocab = 50000, 200, 400
	zipf := rand.NewZipf(rng, 1.1, 2, vocab-1)
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]Document, n)
	for i := range docs {
		topic := rng.IntN(topics)
		weights := make(map[string]float64)
		for range termsPerStory * 2 {
			var key string
			if rng.IntN(3) == 0 {
				key = fmt.Sprintf("t%d-%d", topic, rng.IntN(topicVocab))
			} else {
				key = fmt.Sprintf("w%d", zipf.Uint64())
			}
			weights[key] += float64(1 + rng.IntN(2))
		}
		terms := make([]Term, 0, len(weights))
		for k, w := range weights {
			terms = append(terms, Term{Key: k, Surface: k, Entity: k[0] == 't' && len(k)%3 == 0, Weight: w})
		}
		slices.SortFunc(terms, func(a, b Term) int { return strings.Compare(a.Key, b.Key) })
		docs[i] = NewDocument(int64(i+1), start.Add(time.Duration(rng.IntN(1000))*time.Hour), terms)
	}
	return docs
}

func build(tb testing.TB, cfg Config, docs []Document) *Index {
	tb.Helper()
	ix := New(cfg)
	for _, d := range docs {
		if err := ix.Add(d); err != nil {
			tb.Fatal(err)
		}
	}
	return ix
}

func BenchmarkAdd(b *testing.B) {
	docs := synthetic(20000, 150, 1)
	b.ResetTimer()
	for b.Loop() {
		build(b, DefaultConfig(), docs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(docs)), "ns/story")
}

// BenchmarkMemory reports the heap an index of 20,000 stories holds, per
// story, and the same read back from its snapshot (run it with -benchtime 1x).
func BenchmarkMemory(b *testing.B) {
	docs := synthetic(20000, 150, 1)
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var built, read float64
	for b.Loop() {
		before := heap()
		ix := build(b, DefaultConfig(), docs)
		built = float64(heap()-before) / float64(len(docs))
		var snap bytes.Buffer
		if _, err := ix.WriteTo(&snap); err != nil {
			b.Fatal(err)
		}
		ix = nil
		before = heap()
		back, err := ReadIndex(bytes.NewReader(snap.Bytes()), DefaultConfig())
		if err != nil {
			b.Fatal(err)
		}
		read = float64(heap()-before) / float64(len(docs))
		runtime.KeepAlive(back)
	}
	b.ReportMetric(built, "bytes/story")
	b.ReportMetric(read, "read-bytes/story")
}

// BenchmarkRelated searches an index without and with latent topics (which
// re-rank a search's best TopicDepth candidates).
func BenchmarkRelated(b *testing.B) {
	docs := synthetic(20000, 150, 1)
	ix := build(b, DefaultConfig(), docs)
	for _, topics := range []bool{false, true} {
		if topics {
			if err := ix.TrainTopics(b.Context()); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("topics=%v", topics), func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := ix.Related(int64(i%len(docs)+1), 5); err != nil {
					b.Fatal(err)
				}
				i += 7919
			}
		})
	}
}

func BenchmarkUpdate(b *testing.B) {
	docs := synthetic(20000, 150, 1)
	ix := build(b, DefaultConfig(), docs)
	fresh := synthetic(1000, 150, 2)
	i := 0
	for b.Loop() {
		if err := ix.Update(fresh[i%len(fresh)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkTrainTopics(b *testing.B) {
	docs := synthetic(20000, 150, 1)
	ix := build(b, DefaultConfig(), docs)
	for b.Loop() {
		if err := ix.TrainTopics(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}
