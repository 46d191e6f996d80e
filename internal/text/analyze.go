// Package text turns the fields of a story into weighted terms: Unicode word
// segmentation, case folding, stop words, stemming and entity phrases.
//
// It is shared by the related-stories engine and by search. An Analyzer is
// built once per language and is safe for concurrent use.
package text

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
)

// Field is one part of a story to analyse: prose (title, standfirst, body) or
// a list of keywords (tags, section). Every occurrence of a term in the field
// adds Weight to the term's weight.
type Field struct {
	// Text is prose, segmented into words and sentences.
	Text string
	// Keywords are values chosen by an editor. Each is analysed like a short
	// sentence and, when it has several words, is also a phrase term of its
	// own ("climate change").
	Keywords []string
	// Weight multiplies each occurrence in this field; zero counts as 1.
	Weight float64
}

// Prose returns a field of running text with the given weight.
func Prose(text string, weight float64) Field { return Field{Text: text, Weight: weight} }

// Keywords returns a field of editor-chosen values with the given weight.
func Keywords(weight float64, values ...string) Field {
	return Field{Keywords: values, Weight: weight}
}

// Term is one distinct term of an analysed story.
type Term struct {
	// Key identifies the term across stories: the stem of a word ("ukrain"),
	// or the folded words of a phrase joined by spaces ("xi jinping").
	Key string
	// Surface is the most frequent written form, for display ("Ukraine",
	// "Xi Jinping", "talks").
	Surface string
	// Entity reports a name: a phrase of capitalised words, or a word that is
	// written capitalised inside sentences.
	Entity bool
	// Weight is the sum, over the term's occurrences, of its field's weight.
	Weight float64
}

// maxPhraseWords bounds an entity phrase; longer runs of capitals are
// headlines or lists, not names.
const maxPhraseWords = 6

// maxStemCache bounds the number of words whose stems an Analyzer remembers.
const maxStemCache = 1 << 18

// Analyzer analyses stories in one language. It is safe for concurrent use.
type Analyzer struct {
	lang   Language
	stems  sync.Map // folded word → stem
	cached atomic.Int64
}

// NewAnalyzer returns an Analyzer for lang; a nil lang means English().
func NewAnalyzer(lang Language) *Analyzer {
	if lang == nil {
		lang = English()
	}
	return &Analyzer{lang: lang}
}

// Words returns the keys of the words of s in order, without stop words and
// without entity phrases: what a search query matches against.
func (a *Analyzer) Words(s string) []string {
	var f folder
	var keys []string
	for _, t := range tokenize(s, nil) {
		w := f.fold(s[t.start:t.end], t.has(tokAcronym))
		if !isWord(w, t, a.lang.IsStopWord(w), t.has(tokAcronym)) {
			continue
		}
		if t.has(tokIdeographic) || t.has(tokAcronym) {
			keys = append(keys, w)
		} else {
			keys = append(keys, a.stemFolded(w))
		}
	}
	return keys
}

// Analyze returns the distinct terms of the fields, sorted by key.
//
// Capitalisation marks names only inside sentences: a capitalised word at
// the start of a sentence, or in a headline written in title case or capitals,
// counts as a name only if the same story writes it capitalised inside a
// sentence more often than in lower case.
func (a *Analyzer) Analyze(fields ...Field) []Term {
	s := analysis{a: a, words: make(map[string]*wordStats), phrases: make(map[string]*termStats)}
	parts := s.segment(fields)
	for _, p := range parts {
		s.countCase(p)
	}
	for _, p := range parts {
		s.collect(p)
	}
	return s.terms()
}

// part is a piece of text analysed as a unit: a prose field or one keyword.
type part struct {
	text    string
	tokens  []token
	weight  float64
	keyword bool
	titled  []bool // per token: its sentence is in title case or capitals
	folded  []string
	stop    []bool       // per token: a stop word
	stats   []*wordStats // per token: the statistics of its folded word
}

// wordStats gathers the occurrences of one folded word.
type wordStats struct {
	termStats
	capsInside int  // capitalised inside a sentence written in sentence case
	lower      int  // written in lower case
	acronym    bool // written in capitals inside a sentence despite being a stop word ("US")
	entity     int  // occurrences as a one-word name
	afterTitle int  // occurrences right after a title ("President Putin")
	plain      int  // occurrences outside names
}

type termStats struct {
	weight   float64
	surfaces []surfaceCount
	entity   bool
}

type surfaceCount struct {
	surface string
	n       int
}

func (t *termStats) addSurface(s string, n int) {
	for i := range t.surfaces {
		if t.surfaces[i].surface == s {
			t.surfaces[i].n += n
			return
		}
	}
	t.surfaces = append(t.surfaces, surfaceCount{s, n})
}

// surface returns the most frequent surface, the first seen on ties.
func (t *termStats) surface() string {
	best := 0
	for i, s := range t.surfaces {
		if s.n > t.surfaces[best].n {
			best = i
		}
	}
	return t.surfaces[best].surface
}

type analysis struct {
	a       *Analyzer
	f       folder
	words   map[string]*wordStats
	phrases map[string]*termStats
	order   []string // phrase keys in first-seen order
}

func (s *analysis) segment(fields []Field) []*part {
	var parts []*part
	for _, fd := range fields {
		w := fd.Weight
		if w == 0 {
			w = 1
		}
		if fd.Text != "" {
			parts = append(parts, s.newPart(fd.Text, w, false))
		}
		for _, k := range fd.Keywords {
			if k != "" {
				parts = append(parts, s.newPart(k, w, true))
			}
		}
	}
	return parts
}

func (s *analysis) newPart(txt string, weight float64, keyword bool) *part {
	p := &part{text: txt, tokens: tokenize(txt, nil), weight: weight, keyword: keyword}
	if keyword {
		// A keyword is written as its editor means it: no sentence starts.
		for i := range p.tokens {
			p.tokens[i].flags &^= tokSentenceStart
			if i > 0 {
				p.tokens[i].flags |= tokAdjacent
			}
		}
	}
	p.folded = make([]string, len(p.tokens))
	p.stop = make([]bool, len(p.tokens))
	p.stats = make([]*wordStats, len(p.tokens))
	for i, t := range p.tokens {
		w := s.f.fold(txt[t.start:t.end], t.has(tokAcronym))
		p.folded[i] = w
		p.stop[i] = s.a.lang.IsStopWord(w)
		p.stats[i] = s.stats(w)
	}
	p.titled = make([]bool, len(p.tokens))
	for start := 0; start < len(p.tokens); {
		end := start + 1
		for end < len(p.tokens) && !p.tokens[end].has(tokSentenceStart) {
			end++
		}
		words, lower := 0, 0
		for i := start; i < end; i++ {
			if p.stop[i] || p.tokens[i].has(tokIdeographic) || !startsWithLetter(p.folded[i]) {
				// Numbers ("4TH", "1987") have no case to tell.
				continue
			}
			words++
			if !isCapitalised(txt[p.tokens[i].start:p.tokens[i].end]) {
				lower++
			}
		}
		// A headline in title case or capitals has (almost) no word in
		// lower case but its stop words.
		titled := !keyword && words >= 3 && lower <= words/10
		for i := start; i < end; i++ {
			p.titled[i] = titled
		}
		start = end
	}
	return p
}

// stats returns the statistics of a folded word, creating them.
func (s *analysis) stats(w string) *wordStats {
	st := s.words[w]
	if st == nil {
		st = &wordStats{}
		s.words[w] = st
	}
	return st
}

// countCase records how each word is written where capitals carry meaning.
func (s *analysis) countCase(p *part) {
	for i, t := range p.tokens {
		if t.has(tokIdeographic) {
			continue
		}
		orig := p.text[t.start:t.end]
		switch {
		case !isCapitalised(orig):
			p.stats[i].lower++
		case !p.titled[i] && !t.has(tokSentenceStart):
			st := p.stats[i]
			st.capsInside++
			if isAllCaps(orig) && utf8.RuneCountInString(orig) >= 2 {
				st.acronym = true
			}
		}
	}
}

// capitalised reports whether token i of p is written as a name.
func (s *analysis) capitalised(p *part, i int) bool {
	t := p.tokens[i]
	orig := p.text[t.start:t.end]
	if t.has(tokIdeographic) || !isCapitalised(orig) {
		return false
	}
	if t.has(tokAcronym) {
		return true
	}
	st := p.stats[i]
	if p.stop[i] && (!st.acronym || !isAllCaps(orig)) || isMonth(p.folded[i]) {
		return false
	}
	if !p.titled[i] && !t.has(tokSentenceStart) {
		return true
	}
	return st.capsInside > 0 && st.capsInside >= st.lower
}

// collect adds the words and entity phrases of p.
func (s *analysis) collect(p *part) {
	caps := make([]bool, len(p.tokens))
	for i := range p.tokens {
		caps[i] = s.capitalised(p, i)
	}
	inPhrase := make([]bool, len(p.tokens))
	whole := false // a keyword that is one entity phrase
	single := make([]bool, len(p.tokens))
	run := make([]int, 0, maxPhraseWords+1)
	flush := func() {
		switch {
		case len(run) == 1:
			single[run[0]] = true
		case len(run) > 1 && len(run) <= maxPhraseWords:
			s.addPhrase(p, run, true)
			whole = whole || len(run) == len(p.tokens)
			for _, i := range run {
				inPhrase[i] = true
			}
		}
		run = run[:0]
	}
	for i, t := range p.tokens {
		if len(run) > 0 && (!t.has(tokAdjacent) || t.has(tokSentenceStart)) {
			flush()
		}
		switch {
		case caps[i] && isTitle(p.folded[i]):
			flush()
		case caps[i]:
			if len(run) == 0 && i > 0 && caps[i-1] && isTitle(p.folded[i-1]) && t.has(tokAdjacent) {
				p.stats[i].afterTitle++
			}
			run = append(run, i)
			if t.has(tokPossessive) {
				flush()
			}
		case len(run) > 0 && isConnector(p.folded[i]) && !t.has(tokPossessive) &&
			i+1 < len(p.tokens) && caps[i+1] && p.tokens[i+1].has(tokAdjacent) &&
			!p.tokens[i+1].has(tokSentenceStart) && !isTitle(p.folded[i+1]):
			run = append(run, i)
		default:
			flush()
		}
	}
	flush()
	if p.keyword && len(p.tokens) <= maxPhraseWords && !whole && s.countWords(p) >= 2 {
		all := make([]int, len(p.tokens))
		for i := range all {
			all[i] = i
		}
		s.addPhrase(p, all, false)
	}
	for i, t := range p.tokens {
		w := p.folded[i]
		if !isWord(w, t, p.stop[i], caps[i] && (t.has(tokAcronym) || isAllCaps(p.text[t.start:t.end]))) {
			continue
		}
		st := p.stats[i]
		st.weight += p.weight
		switch {
		case single[i]:
			st.entity++
		case !inPhrase[i]:
			st.plain++
		}
		// A headline in title case or capitals shows how the word is written
		// only when the story writes it nowhere else.
		n := 1
		if p.titled[i] {
			n = 0
		}
		if caps[i] {
			st.addSurface(p.text[t.start:t.end], n)
		} else {
			st.addSurface(w, n)
		}
	}
}

// countWords returns the number of tokens of p that are words worth a term.
func (s *analysis) countWords(p *part) int {
	n := 0
	for i, t := range p.tokens {
		if isWord(p.folded[i], t, p.stop[i], t.has(tokAcronym)) {
			n++
		}
	}
	return n
}

func (s *analysis) addPhrase(p *part, run []int, entity bool) {
	var key, surface strings.Builder
	for n, i := range run {
		if n > 0 {
			key.WriteByte(' ')
			if p.tokens[i].has(tokHyphen) {
				surface.WriteByte('-')
			} else {
				surface.WriteByte(' ')
			}
		}
		key.WriteString(p.folded[i])
		surface.WriteString(p.text[p.tokens[i].start:p.tokens[i].end])
	}
	k := key.String()
	st := s.phrases[k]
	if st == nil {
		st = &termStats{}
		s.phrases[k] = st
		s.order = append(s.order, k)
	}
	st.weight += p.weight
	st.entity = st.entity || entity
	st.addSurface(surface.String(), 1)
}

// terms merges words by stem and returns all terms sorted by key.
func (s *analysis) terms() []Term {
	byKey := make(map[string]*wordStats)
	folded := make([]string, 0, len(s.words))
	for w, st := range s.words {
		if st.weight > 0 {
			folded = append(folded, w)
		}
	}
	slices.Sort(folded)
	for _, w := range folded {
		st := s.words[w]
		key := w
		if !s.a.lang.IsStopWord(w) {
			key = s.a.stemFolded(w)
		}
		m := byKey[key]
		if m == nil {
			m = &wordStats{}
			byKey[key] = m
		}
		m.weight += st.weight
		m.entity += st.entity
		m.plain += st.plain
		m.afterTitle += st.afterTitle
		for _, sc := range st.surfaces {
			m.addSurface(sc.surface, sc.n)
		}
	}
	full := s.fullNames()
	out := make([]Term, 0, len(byKey)+len(s.phrases))
	for key, m := range byKey {
		t := Term{Key: key, Surface: m.surface(), Entity: m.entity > 0 && m.entity >= m.plain, Weight: m.weight}
		if f, ok := full[key]; ok && t.Entity && m.afterTitle > 0 {
			t.Surface = f
		}
		out = append(out, t)
	}
	for _, k := range s.order {
		st := s.phrases[k]
		if _, clash := byKey[k]; clash {
			continue
		}
		out = append(out, Term{Key: k, Surface: st.surface(), Entity: st.entity, Weight: st.weight})
	}
	slices.SortFunc(out, func(a, b Term) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// fullNames maps the stem of a name's last word to the name's surface, for
// the names of two or three capitalised words the story has ("Vladimir
// Putin"), so that a word the story also writes after a title ("President
// Putin") is displayed as the name in full. A last word shared by two
// names ("North Korea", "South Korea") is left out: it names neither.
func (s *analysis) fullNames() map[string]string {
	full := make(map[string]string)
	ambiguous := make(map[string]bool)
	for _, k := range s.order {
		st := s.phrases[k]
		words := strings.Fields(k)
		if !st.entity || len(words) > 3 || slices.ContainsFunc(words, isConnector) {
			continue
		}
		last := s.a.stemFolded(words[len(words)-1])
		if _, seen := full[last]; seen {
			ambiguous[last] = true
			continue
		}
		full[last] = st.surface()
	}
	for last := range ambiguous {
		delete(full, last)
	}
	return full
}

// isWord reports whether the folded word w of token t is worth a term: it
// starts with a letter, has two letters or more and is not a stop word,
// unless it is an acronym.
func isWord(w string, t token, stop, acronym bool) bool {
	if t.has(tokIdeographic) {
		return true
	}
	first, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsLetter(first) || utf8.RuneCountInString(w) < 2 {
		return false
	}
	return acronym || !stop
}

func (a *Analyzer) stemFolded(w string) string {
	if v, ok := a.stems.Load(w); ok {
		return v.(string)
	}
	st := a.lang.Stem(w)
	if a.cached.Load() < maxStemCache {
		if _, loaded := a.stems.LoadOrStore(strings.Clone(w), st); !loaded {
			a.cached.Add(1)
		}
	}
	return st
}

// folder folds case, remembering the words it has folded in one analysis.
type folder struct {
	caser cases.Caser
	ready bool
	seen  map[string]string
}

// fold returns w in folded case with apostrophes normalised and, for an
// acronym, without dots.
func (f *folder) fold(w string, acronym bool) string {
	if isLowerASCII(w) {
		return w
	}
	if v, ok := f.seen[w]; ok {
		return v
	}
	var out string
	if isASCII(w) {
		out = strings.ToLower(w)
	} else {
		if !f.ready {
			f.caser, f.ready = cases.Fold(), true
		}
		out = f.caser.String(w)
		out = strings.NewReplacer("’", "'", "ʼ", "'").Replace(out)
	}
	if acronym {
		out = strings.ReplaceAll(out, ".", "")
	}
	if f.seen == nil {
		f.seen = make(map[string]string)
	}
	f.seen[w] = out
	return out
}

func isLowerASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 0x80 || ('A' <= c && c <= 'Z') || c == '.' {
			return false
		}
	}
	return true
}

func isASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			return false
		}
	}
	return true
}

func startsWithLetter(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsLetter(r)
}

// isCapitalised reports whether w starts with an upper-case or title-case letter.
func isCapitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) || unicode.IsTitle(r)
}

// isAllCaps reports whether w has letters and all of them are upper case.
func isAllCaps(w string) bool {
	letters := false
	for _, r := range w {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters = true
		}
	}
	return letters
}

func isTitle(w string) bool {
	_, ok := titleWords[w]
	return ok
}

func isMonth(w string) bool {
	_, ok := monthWords[w]
	return ok
}

func isConnector(w string) bool {
	_, ok := connectorWords[w]
	return ok
}
