package web

import (
	"slices"
	"strings"
	"unicode"
)

// diffPart is a run of text a diff keeps, deletes or inserts.
type diffPart struct {
	Op   string // "eq", "del" or "ins"
	Text string
}

// maxWordEdits bounds the word-level refinement of one changed block: past it, the block is
// shown as deleted and inserted whole.
const maxWordEdits = 500

// diffText compares two texts as an editor reads them: line by line (a Markdown paragraph is a
// line), anchored on the lines that occur once in each text, and then word by word inside each
// changed block. It is deterministic and its cost is bounded: O(n log n) for the lines, and
// O(w·maxWordEdits) for a changed block of w words.
func diffText(a, b string) []diffPart {
	var out []diffPart
	for _, h := range diffLines(lines(a), lines(b)) {
		if h.op == "eq" {
			out = append(out, diffPart{"eq", strings.Join(h.a, "")})
			continue
		}
		old, new := strings.Join(h.a, ""), strings.Join(h.b, "")
		if parts, ok := myers(words(old), words(new)); ok {
			out = append(out, parts...)
		} else {
			out = append(out, diffPart{"del", old}, diffPart{"ins", new})
		}
	}
	return merge(out)
}

// lineHunk is a run of lines kept ("eq", a and b alike) or changed (a replaced by b).
type lineHunk struct {
	op   string
	a, b []string
}

// diffLines pairs the lines that occur exactly once in each of a and b, keeps the longest
// chain of such pairs in the same order in both (patience sorting), and between the anchors
// keeps the common first and last lines; what is left between is a change.
func diffLines(a, b []string) []lineHunk {
	type counts struct{ a, b, ai, bi int }
	seen := map[string]*counts{}
	for i, l := range a {
		c := seen[l]
		if c == nil {
			c = &counts{}
			seen[l] = c
		}
		c.a, c.ai = c.a+1, i
	}
	for j, l := range b {
		if c := seen[l]; c != nil {
			c.b, c.bi = c.b+1, j
		}
	}
	var pairs [][2]int // unique in both, in a's order
	for i, l := range a {
		if c := seen[l]; c.a == 1 && c.b == 1 {
			pairs = append(pairs, [2]int{i, c.bi})
		}
	}
	anchors := increasing(pairs)
	var out []lineHunk
	i, j := 0, 0
	for _, p := range append(anchors, [2]int{len(a), len(b)}) {
		out = append(out, between(a[i:p[0]], b[j:p[1]])...)
		if p[0] < len(a) {
			out = append(out, lineHunk{op: "eq", a: a[p[0] : p[0]+1], b: b[p[1] : p[1]+1]})
		}
		i, j = p[0]+1, p[1]+1
	}
	return out
}

// between compares the lines between two anchors: common first and last lines are kept, the
// rest is one change.
func between(a, b []string) []lineHunk {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var out []lineHunk
	if pre > 0 {
		out = append(out, lineHunk{op: "eq", a: a[:pre], b: b[:pre]})
	}
	if ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]; len(ma)+len(mb) > 0 {
		out = append(out, lineHunk{op: "change", a: ma, b: mb})
	}
	if suf > 0 {
		out = append(out, lineHunk{op: "eq", a: a[len(a)-suf:], b: b[len(b)-suf:]})
	}
	return out
}

// increasing returns the longest subsequence of pairs (sorted by their first element) whose
// second elements increase, by patience sorting; ties go to the earliest pairs.
func increasing(pairs [][2]int) [][2]int {
	var tops []int // index in pairs of the top of each pile
	prev := make([]int, len(pairs))
	for k, p := range pairs {
		pile, _ := slices.BinarySearchFunc(tops, p[1], func(t, target int) int { return pairs[t][1] - target })
		prev[k] = -1
		if pile > 0 {
			prev[k] = tops[pile-1]
		}
		if pile == len(tops) {
			tops = append(tops, k)
		} else {
			tops[pile] = k
		}
	}
	if len(tops) == 0 {
		return nil
	}
	out := make([][2]int, len(tops))
	for k, i := tops[len(tops)-1], len(tops)-1; k >= 0; k, i = prev[k], i-1 {
		out[i] = pairs[k]
	}
	return out
}

// myers is Myers' O(ND) difference algorithm over tokens; ok is false when the texts need more
// than maxWordEdits edits. It keeps each round's frontier (2d+1 numbers) for the walk back.
func myers(a, b []string) ([]diffPart, bool) {
	n, m := len(a), len(b)
	limit := min(n+m, maxWordEdits)
	off := limit + 1
	v := make([]int, 2*limit+3)
	var trace [][]int
	for d := 0; d <= limit; d++ {
		trace = append(trace, slices.Clone(v[off-d-1:off+d+2]))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: an insertion
			} else {
				x = v[off+k-1] + 1 // right: a deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(a, b, trace), true
			}
		}
	}
	return nil, false
}

// backtrack walks the saved frontiers back from the end to list the edits in order.
func backtrack(a, b []string, trace [][]int) []diffPart {
	var rev []diffPart
	x, y := len(a), len(b)
	for d := len(trace) - 1; d > 0; d-- {
		at := func(k int) int { return trace[d][k+d+1] } // the frontier before round d
		k := x - y
		pk := k - 1
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			x, y = x-1, y-1
			rev = append(rev, diffPart{"eq", a[x]})
		}
		if x == px {
			y--
			rev = append(rev, diffPart{"ins", b[y]})
		} else {
			x--
			rev = append(rev, diffPart{"del", a[x]})
		}
	}
	for x > 0 && y > 0 {
		x, y = x-1, y-1
		rev = append(rev, diffPart{"eq", a[x]})
	}
	slices.Reverse(rev)
	return rev
}

// merge joins neighbouring runs of one kind, puts a deletion before the insertion that replaces
// it, and drops empty runs, so the parts read naturally.
func merge(parts []diffPart) []diffPart {
	type run struct {
		op   string
		text strings.Builder
	}
	var runs []*run
	add := func(op, text string) {
		if n := len(runs); n > 0 && runs[n-1].op == op {
			runs[n-1].text.WriteString(text)
			return
		}
		r := &run{op: op}
		r.text.WriteString(text)
		runs = append(runs, r)
	}
	for _, p := range parts {
		if p.Text == "" {
			continue
		}
		if n := len(runs); p.Op == "del" && n > 1 && runs[n-1].op == "ins" && runs[n-2].op == "del" {
			runs[n-2].text.WriteString(p.Text)
			continue
		}
		add(p.Op, p.Text)
	}
	if len(runs) == 0 {
		return nil
	}
	out := make([]diffPart, len(runs))
	for i, r := range runs {
		out[i] = diffPart{r.op, r.text.String()}
	}
	return out
}

// words splits text into words, runs of spaces, and single other characters, keeping all of it.
func words(s string) []string {
	var out []string
	start, kind := -1, 0
	for i, r := range s {
		k := 3 // punctuation and symbols: a token each
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’':
			k = 1
		case unicode.IsSpace(r):
			k = 2
		}
		if start >= 0 && (k != kind || k == 3) {
			out = append(out, s[start:i])
			start = -1
		}
		if start < 0 {
			start, kind = i, k
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// lines splits text into lines, each with its newline.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.SplitAfter(s, "\n")
}
