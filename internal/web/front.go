package web

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// frontPin is a story an editor put in a place: the lead, a featured slot or the breaking-news
// banner, until a time. A zero Until keeps a lead or featured pin until an editor removes it.
type frontPin struct {
	ID    int64     `json:"id"`
	Until time.Time `json:"until,omitzero"`
}

// active reports whether the pin is in force at now.
func (p frontPin) active(now time.Time) bool {
	return p.ID != 0 && (p.Until.IsZero() || now.Before(p.Until))
}

// frontSection is one section's block on the front page: its newest Count stories.
type frontSection struct {
	ID    int64 `json:"section"`
	Count int   `json:"count"`
}

// frontPlan is what editors decide about the front page. Without one the front page is the
// latest stories, newest first; an expired pin falls back to that order by itself.
type frontPlan struct {
	Lead     frontPin       `json:"lead,omitzero"`
	Featured []frontPin     `json:"featured,omitempty"`
	Sections []frontSection `json:"sections,omitempty"`
	// Breaking puts a banner across every public page until Breaking.Until (always set).
	Breaking frontPin `json:"breaking,omitzero"`
}

// Limits of the front page editor.
const (
	maxFeatured        = 6
	maxFrontSections   = 12
	maxSectionStories  = 12
	keyFrontPlan       = "front.plan"
	frontPageDep       = "front-page" // the cache dependency of what the plan shows: the front page
	breakingDep        = "breaking"   // every page that shows the breaking-news banner
	defaultBreakingFor = 2 * time.Hour
)

// readFrontPlan reads the stored plan; an unreadable one is no plan (the automatic front page).
func readFrontPlan(v string) frontPlan {
	var p frontPlan
	if v == "" || json.Unmarshal([]byte(v), &p) != nil {
		return frontPlan{}
	}
	return p
}

func (p frontPlan) String() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// deadlines are the times at which some pin of the plan ends, in no order.
func (p frontPlan) deadlines() []time.Time {
	var out []time.Time
	for _, x := range append([]frontPin{p.Lead, p.Breaking}, p.Featured...) {
		if x.ID != 0 && !x.Until.IsZero() {
			out = append(out, x.Until)
		}
	}
	return out
}

// nextDeadline is the first deadline after now, or zero.
func (p frontPlan) nextDeadline(now time.Time) time.Time {
	var next time.Time
	for _, d := range p.deadlines() {
		if d.After(now) && (next.IsZero() || d.Before(next)) {
			next = d
		}
	}
	return next
}

// frontBlock is a section's block on the front page.
type frontBlock struct {
	Section article.Section
	Stories []storyCard
}

// breakingBanner is the banner across public pages while a story is breaking.
type breakingBanner struct {
	Title, URL string
}

// frontStories fills the first page of the front page by the plan in force at now: the lead,
// the featured stories, the section blocks, and the latest stories not already shown. It
// returns the cache dependencies of what it shows.
func (s *Server) frontStories(ctx context.Context, p *homePage, latest []*article.Article, cards []storyCard) ([]string, error) {
	now := s.now()
	plan := s.settings().Front
	deps := []string{frontPageDep}
	shown := map[int64]bool{}
	pinned := func(x frontPin) (*storyCard, error) {
		if !x.active(now) {
			return nil, nil
		}
		deps = append(deps, "article:"+itoa64(x.ID))
		a, err := s.store.Article(ctx, x.ID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (!a.Live(now) || a.Kind != article.Story || shown[a.ID])) {
			return nil, nil // withdrawn or deleted since it was pinned: the automatic order fills in
		}
		if err != nil {
			return nil, err
		}
		shown[a.ID] = true
		c, err := s.cards(ctx, []*article.Article{a})
		if err != nil {
			return nil, err
		}
		return &c[0], nil
	}
	lead, err := pinned(plan.Lead)
	if err != nil {
		return nil, err
	}
	for _, x := range plan.Featured {
		c, err := pinned(x)
		if err != nil {
			return nil, err
		}
		if c != nil {
			p.Featured = append(p.Featured, *c)
		}
	}
	for i, a := range latest {
		if shown[a.ID] {
			continue
		}
		if lead == nil {
			lead = &cards[i]
			shown[a.ID] = true // section blocks repeat the latest stories, but not the top ones
			continue
		}
		p.Stories = append(p.Stories, cards[i])
	}
	if lead != nil {
		p.Lead = lead
		if im := p.Lead.Image; im != nil {
			*im = *s.picture(ctx, p.Lead.ImageURL, p.Lead.ImageAlt, 1280, leadSizes)
			im.Lead = true
		}
	}
	if len(plan.Sections) > 0 {
		secs, err := s.store.Sections(ctx)
		if err != nil {
			return nil, err
		}
		for _, fs := range plan.Sections {
			i := slices.IndexFunc(secs, func(x article.Section) bool { return x.ID == fs.ID })
			if i < 0 || fs.Count <= 0 {
				continue
			}
			list, _, err := s.store.ListArticles(ctx, store.ArticleQuery{LiveAt: now, Kind: article.Story,
				SectionID: fs.ID, Limit: fs.Count + len(shown)})
			if err != nil {
				return nil, err
			}
			list = slices.DeleteFunc(list, func(a *article.Article) bool { return shown[a.ID] })
			list = list[:min(len(list), fs.Count)]
			if len(list) == 0 {
				continue
			}
			cs, err := s.cards(ctx, list)
			if err != nil {
				return nil, err
			}
			p.Blocks = append(p.Blocks, frontBlock{Section: secs[i], Stories: cs})
			deps = append(deps, "section:"+itoa64(fs.ID))
			for _, a := range list {
				deps = append(deps, "article:"+itoa64(a.ID))
			}
		}
	}
	return deps, nil
}

// breaking returns the banner in force at now, or nil. A story withdrawn since it was marked
// shows no banner.
func (s *Server) breaking(ctx context.Context) *breakingBanner {
	now := s.now()
	b := s.settings().Front.Breaking
	if !b.active(now) {
		return nil
	}
	a, err := s.store.Article(ctx, b.ID)
	if err != nil || !a.Live(now) {
		return nil // the banner is an ornament: a page shows without it rather than fail
	}
	return &breakingBanner{Title: a.Title, URL: s.permalink(a)}
}

// withBreaking marks a page that shows the banner: it depends on the banner, and leaves the
// page cache when the banner ends.
func (s *Server) withBreaking(resp *response) {
	b := s.settings().Front.Breaking
	if !b.active(s.now()) || !strings.HasPrefix(resp.contentType, "text/html") {
		return
	}
	resp.deps = append(resp.deps, breakingDep, "article:"+itoa64(b.ID))
	if resp.expires.IsZero() || b.Until.Before(resp.expires) {
		resp.expires = b.Until
	}
}

// expireFront drops the pages whose pins ended between the last call and now, here and in the
// shared caches, so that an expired pin or banner gives way to the automatic front page without
// a restart or an edit. Follow calls it on every tick.
func (s *Server) expireFront() {
	now := s.now()
	l := s.live
	l.mu.Lock()
	since := l.expired
	l.expired = now
	l.mu.Unlock()
	if since.IsZero() {
		return
	}
	plan := s.settings().Front
	var deps []string
	for _, x := range plan.Featured {
		if !x.Until.IsZero() && x.Until.After(since) && !x.Until.After(now) {
			deps = append(deps, frontPageDep)
		}
	}
	if u := plan.Lead.Until; !u.IsZero() && u.After(since) && !u.After(now) {
		deps = append(deps, frontPageDep)
	}
	if u := plan.Breaking.Until; !u.IsZero() && u.After(since) && !u.After(now) {
		deps = append(deps, breakingDep)
	}
	if len(deps) > 0 {
		// No change is logged when a pin's time passes: every node drops its own pages, and
		// each tells the shared caches, which a repeated purge does no harm.
		deps = slices.Compact(deps)
		s.cache.drop(deps)
		if s.cfg.Purge != nil {
			keys := make([]string, len(deps))
			for i, d := range deps {
				keys[i] = SurrogateKey(d)
			}
			s.cfg.Purge(keys)
		}
	}
}
