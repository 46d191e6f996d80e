package web

import (
	"context"
	"net/http"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
)

// dashboardPage is the newsroom's front page.
type dashboardPage struct {
	adminLayout
	Counts          []countCard
	PendingComments int
	Pending         []commentRow // the latest comments awaiting moderation
	ShowComments    bool
	ModerationURL   string // the moderation queue, once it has a page
	Recent          []storyRow
	Chart           chart
}

type countCard struct {
	Label string
	N     int
	URL   string
}

// chart is the inline SVG bar chart of stories and comments per day.
type chart struct {
	Width, Height int
	Baseline      int
	Days          []chartDay
	Max           int
	Stories       int // totals over the period
	Comments      int
}

type chartDay struct {
	Label              string // "22 Mar"
	X, W               int
	StoryY, StoryH     int
	CommentX           int
	CommentY, CommentH int
	Stories, Comments  int
}

// chartDays is the chart's period.
const chartDays = 30

// handleDashboard serves GET /admin/: counts, comments awaiting moderation, recent stories and
// the chart of the last 30 days.
func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	p := &dashboardPage{adminLayout: s.adminLayout(r, u, "Dashboard")}
	own := int64(0)
	if !account.Can(u, account.ViewStory, &article.Article{}) {
		own = u.AuthorID
	}
	if account.Can(u, account.CreateStory, nil) && (own != 0 || account.Can(u, account.ViewStory, &article.Article{})) {
		for _, st := range []struct {
			status article.Status
			label  string
		}{{article.Published, "Published"}, {article.Scheduled, "Scheduled"}, {article.Pending, "Awaiting review"}, {article.Draft, "Drafts"}} {
			_, n, err := s.store.ListArticles(ctx, store.ArticleQuery{Status: st.status, AuthorID: own, Limit: 1})
			if err != nil {
				s.adminFail(w, r, u, err)
				return
			}
			p.Counts = append(p.Counts, countCard{Label: st.label, N: n, URL: "/admin/stories/?status=" + string(st.status)})
		}
		list, _, err := s.store.ListArticles(ctx, store.ArticleQuery{AuthorID: own, Limit: 8})
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		for _, a := range list {
			p.Recent = append(p.Recent, storyRow{Article: a, Edit: "/admin/stories/" + itoa64(a.ID) + "/"})
		}
	}
	p.ModerationURL = "/admin/comments/"
	if !s.hasAdminPage(p.ModerationURL) {
		p.ModerationURL = "" // until the moderation queue has its page
	}
	if p.ShowComments = account.Can(u, account.ModerateComments, nil); p.ShowComments {
		counts, err := s.store.CommentStatusCounts(ctx)
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		p.PendingComments = counts[comment.Pending]
		if p.Pending, err = s.recentPending(ctx, 5); err != nil {
			s.adminFail(w, r, u, err)
			return
		}
	}
	c, err := s.chart(ctx, p.ShowComments)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p.Chart = c
	s.adminPage(w, r, http.StatusOK, "admin_dashboard", p)
}

// chart counts stories published, and comments approved, on each of the last 30 days in the
// newsroom's time zone, and lays the bars out.
func (s *Server) chart(ctx context.Context, withComments bool) (chart, error) {
	loc := s.cfg.Location
	now := s.now().In(loc)
	first := time.Date(now.Year(), now.Month(), now.Day()-chartDays+1, 0, 0, 0, 0, loc)
	dayOf := func(t time.Time) int {
		t = t.In(loc)
		return int(time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, time.UTC).
			Sub(time.Date(first.Year(), first.Month(), first.Day(), 12, 0, 0, 0, time.UTC)).Hours() / 24)
	}
	stories, comments := make([]int, chartDays), make([]int, chartDays)
	times, err := s.store.PublishedTimes(ctx, first, now.Add(time.Microsecond))
	if err != nil {
		return chart{}, err
	}
	for _, t := range times {
		if d := dayOf(t); d >= 0 && d < chartDays {
			stories[d]++
		}
	}
	if withComments {
		if err := s.countComments(ctx, first, comments, dayOf); err != nil {
			return chart{}, err
		}
	}
	c := chart{Width: 620, Height: 160, Baseline: 130, Max: 1}
	for d := range chartDays {
		c.Max = max(c.Max, stories[d], comments[d])
		c.Stories += stories[d]
		c.Comments += comments[d]
	}
	const slot, bar = 20, 8
	scale := func(n int) int { return n * (c.Baseline - 10) / c.Max }
	for d := range chartDays {
		x := 10 + d*slot
		day := chartDay{Label: first.AddDate(0, 0, d).Format("2 Jan"), X: x, W: bar, CommentX: x + bar + 1,
			Stories: stories[d], Comments: comments[d], StoryH: scale(stories[d]), CommentH: scale(comments[d])}
		day.StoryY, day.CommentY = c.Baseline-day.StoryH, c.Baseline-day.CommentH
		c.Days = append(c.Days, day)
	}
	return c, nil
}

// countComments adds the approved comments since first to counts by day. It reads the newest
// comments in pages and stops at the period's start, or after 5,000 comments on a very busy site.
func (s *Server) countComments(ctx context.Context, first time.Time, counts []int, dayOf func(time.Time) int) error {
	const pageSize, most = 500, 5000
	for offset := 0; offset < most; offset += pageSize {
		list, _, err := s.store.ListComments(ctx, store.CommentQuery{Status: comment.Approved, Limit: pageSize, Offset: offset})
		if err != nil {
			return err
		}
		for _, c := range list {
			if c.CreatedAt.Before(first) {
				return nil
			}
			if d := dayOf(c.CreatedAt); d >= 0 && d < len(counts) {
				counts[d]++
			}
		}
		if len(list) < pageSize {
			return nil
		}
	}
	return nil
}
