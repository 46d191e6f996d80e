package relatedeval

import (
	"math"
	"runtime"
	"slices"
	"time"
)

// depth is how many results each query asks for: enough for recall@10 and
// for the reciprocal rank of a first relevant result below k.
const depth = 10

// Quality holds ranking measures, for one query or averaged over queries.
type Quality struct {
	// PrecisionAtK is the share of the top k that is relevant.
	PrecisionAtK float64 `json:"precision_at_k"`
	// NDCGAtK is the normalised discounted cumulative gain of the top k, with
	// binary relevance.
	NDCGAtK float64 `json:"ndcg_at_k"`
	// MRR is the reciprocal rank of the first relevant result in the top
	// max(k, 10), or 0.
	MRR float64 `json:"mrr"`
	// RecallAt10 is the share of the relevant stories found in the top 10,
	// out of at most 10 (a query with 400 relevant stories can find 10).
	RecallAt10 float64 `json:"recall_at_10"`
	// Coverage is the share of queries with k results.
	Coverage float64 `json:"coverage"`
}

// judge scores one result list: relevant reports whether a result is
// relevant and total is how many relevant stories exist for the query.
func judge(results []int, k int, relevant func(int) bool, total int) Quality {
	var q Quality
	var dcg, idcg float64
	hits, found := 0, 0
	for i, r := range results {
		if i >= max(k, depth) {
			break
		}
		if !relevant(r) {
			continue
		}
		if q.MRR == 0 {
			q.MRR = 1 / float64(i+1)
		}
		if i < depth {
			found++
		}
		if i < k {
			hits++
			dcg += 1 / math.Log2(float64(i+2))
		}
	}
	for i := range min(k, total) {
		idcg += 1 / math.Log2(float64(i+2))
	}
	q.PrecisionAtK = float64(hits) / float64(k)
	if idcg > 0 {
		q.NDCGAtK = dcg / idcg
	}
	if total > 0 {
		q.RecallAt10 = float64(found) / float64(min(total, depth))
	}
	if len(results) >= k {
		q.Coverage = 1
	}
	return q
}

func (q *Quality) add(o Quality) {
	q.PrecisionAtK += o.PrecisionAtK
	q.NDCGAtK += o.NDCGAtK
	q.MRR += o.MRR
	q.RecallAt10 += o.RecallAt10
	q.Coverage += o.Coverage
}

func (q *Quality) scale(f float64) {
	q.PrecisionAtK *= f
	q.NDCGAtK *= f
	q.MRR *= f
	q.RecallAt10 *= f
	q.Coverage *= f
}

// recall returns the share of want found in got.
func recall(got, want []int) float64 {
	if len(want) == 0 {
		return 1
	}
	n := 0
	for _, w := range want {
		if slices.Contains(got, w) {
			n++
		}
	}
	return float64(n) / float64(len(want))
}

// percentile returns the p-th percentile (0 < p ≤ 100) of ds by the
// nearest-rank method; ds is sorted in place.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(math.Ceil(p/100*float64(len(ds)))) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// measureBuild runs build and returns its times and the heap it retains.
func measureBuild[T any](build func() (T, error)) (T, stopwatch, int64, error) {
	before := heapInUse()
	var v T
	var err error
	sw := processTimed(func() { v, err = build() })
	after := heapInUse()
	return v, sw, int64(after) - int64(before), err
}

// stopwatch measures wall-clock and CPU time. On a shared machine, CPU time
// shows the cost of the work itself, without the time spent waiting for a
// core.
type stopwatch struct {
	wall, cpu time.Duration
	hasCPU    bool
}

// threadTimed runs f on the calling goroutine's locked OS thread and returns
// its wall-clock time and that thread's CPU time.
func threadTimed(f func()) stopwatch { return clocked(threadCPU, f) }

// processTimed runs f and returns its wall-clock time and the CPU time of
// the whole process meanwhile.
func processTimed(f func()) stopwatch { return clocked(processCPU, f) }

func clocked(cpu func() (time.Duration, bool), f func()) stopwatch {
	c0, ok0 := cpu()
	start := time.Now()
	f()
	wall := time.Since(start)
	c1, ok1 := cpu()
	return stopwatch{wall: wall, cpu: c1 - c0, hasCPU: ok0 && ok1}
}

// latencies collects the stopwatches of many calls.
type latencies struct {
	wall, cpu []time.Duration
}

func (l *latencies) add(s stopwatch) {
	l.wall = append(l.wall, s.wall)
	if s.hasCPU {
		l.cpu = append(l.cpu, s.cpu)
	}
}
