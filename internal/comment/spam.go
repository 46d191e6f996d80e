package comment

import (
	"math"
	"sort"
	"strings"
	"unicode"
)

// SpamTokens are the features the classifier learns from: the words of the text, the name and
// the website's host, each field prefixed so that "casino" in a name and in a text count apart.
func SpamTokens(in Input) []string {
	seen := map[string]bool{}
	var out []string
	add := func(prefix, s string) {
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '$' && r != '€' && r != '!'
		}) {
			if len([]rune(w)) < 2 || len(w) > 40 {
				continue
			}
			t := prefix + w
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	add("", in.Content)
	add("name:", in.Name)
	if u := in.NormalURL(); u != "" {
		host := u[strings.Index(u, "://")+3:]
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		add("host:", host)
	}
	if n := CountLinks(in.Content); n > 0 {
		t := "links:" + strings.Repeat("+", min(n, 5))
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// TokenCounts is what the classifier knows of one token: in how many spam and not-spam
// comments it appeared.
type TokenCounts struct {
	Spam, Ham int
}

// SpamScore combines per-token probabilities (Robinson's method with Fisher's chi-square, as
// SpamBayes does) into a probability that the comment is spam, from counts gathered from
// moderators' decisions. With nothing learned it answers 0.5.
func SpamScore(tokens []string, counts map[string]TokenCounts, spamTotal, hamTotal int) float64 {
	if spamTotal == 0 || hamTotal == 0 {
		return 0.5
	}
	const s, x = 1.0, 0.5 // strength and assumed probability of an unknown token
	type clue struct{ p, dist float64 }
	var clues []clue
	for _, t := range tokens {
		c := counts[t]
		n := float64(c.Spam + c.Ham)
		if n == 0 {
			continue
		}
		spamRatio := float64(c.Spam) / float64(spamTotal)
		hamRatio := float64(c.Ham) / float64(hamTotal)
		p := spamRatio / (spamRatio + hamRatio)
		p = (s*x + n*p) / (s + n)
		if d := math.Abs(p - 0.5); d > 0.1 {
			clues = append(clues, clue{p, d})
		}
	}
	if len(clues) == 0 {
		return 0.5
	}
	sort.Slice(clues, func(i, j int) bool { return clues[i].dist > clues[j].dist })
	if len(clues) > 150 {
		clues = clues[:150]
	}
	var lnH, lnS float64
	for _, c := range clues {
		lnS += math.Log(1 - c.p)
		lnH += math.Log(c.p)
	}
	n := len(clues)
	S := 1 - chi2Q(-2*lnS, 2*n)
	H := 1 - chi2Q(-2*lnH, 2*n)
	return (1 + S - H) / 2
}

// chi2Q is the probability that a chi-square variable with v (even) degrees of freedom exceeds x2.
func chi2Q(x2 float64, v int) float64 {
	m := x2 / 2
	sum := math.Exp(-m)
	term := sum
	for i := 1; i < v/2; i++ {
		term *= m / float64(i)
		sum += term
	}
	return math.Min(sum, 1)
}
