package text

// englishStopWords is the Snowball English stop list (with its contractions)
// plus a few words so frequent in news writing that they never tell two
// stories apart, and the days of the week. It is read-only.
var englishStopWords = wordSet(`
a about above after again against all am an and any are aren't as at
be because been before being below between both but by
can can't cannot could couldn't
did didn't do does doesn't doing don't down during
each few for from further
had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how how's
i i'd i'll i'm i've if in into is isn't it it's its itself
let's me more most mustn't my myself
no nor not of off on once only or other ought our ours ourselves out over own
same shan't she she'd she'll she's should shouldn't so some such
than that that's the their theirs them themselves then there there's these they they'd they'll they're they've this those through to too
under until up very
was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while who who's whom why why's with won't would wouldn't
you you'd you'll you're you've your yours yourself yourselves
also although among amongst another anyone anything around away
did else ever every everyone everything
however just like may might must much many nearly neither nobody none
onto per perhaps rather really said say saying says shall since something still
though thus told toward towards upon us via well whether will within without yet
monday tuesday wednesday thursday friday saturday sunday
`)

// titleWords are honorifics and offices that precede a name: "President
// Vladimir Putin" yields the entity "Vladimir Putin". They never start or
// end an entity phrase.
var titleWords = wordSet(`
mr mrs ms miss mx dr prof professor sir dame lord lady rev reverend
president vice prime minister chancellor secretary senator sen rep representative
congressman congresswoman governor gov mayor judge chairman chairwoman
gen colonel col captain capt commander admiral lieutenant lt sergeant sgt
king queen prince princess duke duchess pope cardinal bishop archbishop ayatollah sheikh
deputy ambassador leader spokesman spokeswoman premier emperor
`)

// monthWords are capitalised by convention, not because they name someone or
// something: they are words, never entities.
var monthWords = wordSet(`january february march april june july august september october november december`)

// connectorWords may join capitalised words inside an entity phrase when
// written in lower case: "Bank of England", "Ludwig van Beethoven".
var connectorWords = wordSet(`of de del della di da du des la le van von der den al el bin ibn y`)

func wordSet(words string) map[string]struct{} {
	set := make(map[string]struct{})
	start := -1
	for i := 0; i <= len(words); i++ {
		if i == len(words) || words[i] == ' ' || words[i] == '\n' {
			if start >= 0 {
				set[words[start:i]] = struct{}{}
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	return set
}
