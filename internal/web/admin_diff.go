package web

import (
	"strings"
	"unicode"
)

// diffPart is a run of text a diff keeps, deletes or inserts.
type diffPart struct {
	Op   string // "eq", "del" or "ins"
	Text string
}

// maxEdits bounds the word-level diff's work: past it, the changed middle is compared line by
// line, and past that again shown as replaced whole.
const maxEdits = 1000

// diffText compares two texts word by word (whitespace and punctuation are words of their own)
// and returns the runs that turn a into b. It is deterministic and bounded: O((n+m)·d) time for d
// edits, with d at most maxEdits.
func diffText(a, b string) []diffPart {
	return merge(diffTokens(words(a), words(b), true))
}

// diffTokens compares token lists: common ends are kept, the middle goes to Myers' algorithm.
// When the middle needs more than maxEdits edits it is split into lines (if fine is set) and
// compared again, else shown as deleted and inserted whole.
func diffTokens(a, b []string, fine bool) []diffPart {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var out []diffPart
	for _, t := range a[:pre] {
		out = append(out, diffPart{"eq", t})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if mid, ok := myers(ma, mb); ok {
		out = append(out, mid...)
	} else if fine {
		out = append(out, diffTokens(lines(strings.Join(ma, "")), lines(strings.Join(mb, "")), false)...)
	} else {
		out = append(out, diffPart{"del", strings.Join(ma, "")}, diffPart{"ins", strings.Join(mb, "")})
	}
	for _, t := range a[len(a)-suf:] {
		out = append(out, diffPart{"eq", t})
	}
	return out
}

// myers is Myers' O(ND) difference algorithm; ok is false when it needs more than maxEdits edits.
func myers(a, b []string) ([]diffPart, bool) {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		var out []diffPart
		for _, t := range a {
			out = append(out, diffPart{"del", t})
		}
		for _, t := range b {
			out = append(out, diffPart{"ins", t})
		}
		return out, true
	}
	limit := min(n+m, maxEdits)
	off := limit + 1
	v := make([]int, 2*limit+3)
	var trace [][]int
	for d := 0; d <= limit; d++ {
		trace = append(trace, append([]int(nil), v...))
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
				return backtrack(a, b, trace, off, d), true
			}
		}
	}
	return nil, false
}

// backtrack walks the saved frontiers back from the end to list the edits in order.
func backtrack(a, b []string, trace [][]int, off, d int) []diffPart {
	var rev []diffPart
	x, y := len(a), len(b)
	for ; d > 0; d-- {
		v := trace[d]
		k := x - y
		var pk int
		if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := v[off+pk]
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
	out := make([]diffPart, len(rev))
	for i, p := range rev {
		out[len(rev)-1-i] = p
	}
	return out
}

// merge joins neighbouring runs of one kind, and puts a deletion before the insertion that
// replaces it, so the parts read naturally.
func merge(parts []diffPart) []diffPart {
	var out []diffPart
	for _, p := range parts {
		if p.Text == "" {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Op == p.Op {
			out[n-1].Text += p.Text
			continue
		}
		if n := len(out); n > 1 && p.Op == "del" && out[n-1].Op == "ins" && out[n-2].Op == "del" {
			out[n-2].Text += p.Text
			continue
		}
		out = append(out, p)
	}
	return out
}

// words splits text into words, runs of spaces, and single other characters, keeping all of it.
func words(s string) []string {
	var out []string
	start := -1
	kind := 0 // 1 letters and digits, 2 spaces
	for i, r := range s {
		k := 3
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
	return strings.SplitAfter(s, "\n")
}
