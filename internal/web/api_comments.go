package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
)

// apiComment is a comment as the moderation API and the privacy export show it.
//
// Privacy: it carries the commenter's email, IP address and user agent. Only moderators'
// requests and an administrator's export get it; no public page or feed uses it.
type apiComment struct {
	ID          int64     `json:"id"`
	StoryID     int64     `json:"story_id"`
	StoryTitle  string    `json:"story_title"`
	ParentID    int64     `json:"parent_id"`
	Type        string    `json:"type"`
	Status      string    `json:"status"`
	Author      string    `json:"author"`
	Email       string    `json:"email"`
	URL         string    `json:"url"`
	IP          string    `json:"ip"`
	UserAgent   string    `json:"user_agent"`
	Staff       bool      `json:"staff"`
	Content     string    `json:"content"`
	ContentHTML string    `json:"content_html"`
	CreatedAt   time.Time `json:"created_at"`
	Featured    bool      `json:"featured"`
	Notify      bool      `json:"notify"`
	Reasons     []string  `json:"reasons"`
	SpamScore   float64   `json:"spam_score"`
	// Link is the comment on the story's page, once readers can see both.
	Link string `json:"link,omitempty"`
}

// apiComment converts a comment, as the moderation screens show it, for the API.
func (s *Server) apiComment(row commentRow) apiComment {
	c := row.Comment
	out := apiComment{ID: c.ID, StoryID: c.ArticleID, StoryTitle: row.Story.Title, ParentID: c.ParentID, Type: string(c.Type),
		Status: string(c.Status), Author: c.AuthorName, Email: c.AuthorEmail, URL: c.AuthorURL, IP: c.AuthorIP,
		UserAgent: c.UserAgent, Staff: c.StaffID != 0, Content: c.Content, ContentHTML: string(row.HTML),
		CreatedAt: c.CreatedAt, Featured: c.Featured, Notify: c.Notify, Reasons: append([]string{}, c.Reasons...),
		SpamScore: c.SpamScore}
	if row.Link != "" {
		out.Link = s.abs(row.Link)
	}
	return out
}

// apiComments converts comments for the API, reading each story once.
func (s *Server) apiComments(ctx context.Context, list []*comment.Comment) ([]apiComment, error) {
	rows, err := s.commentRows(ctx, list)
	if err != nil {
		return nil, err
	}
	out := make([]apiComment, 0, len(rows))
	for _, row := range rows {
		out = append(out, s.apiComment(row))
	}
	return out, nil
}

// apiPaging reads a list's ?page= (default 1) and ?per_page= (1 to 100, default 25).
func apiPaging(r *http.Request) (page, per int, err error) {
	if page, err = pageParam(r); err != nil {
		return 0, 0, apiErr{status: http.StatusBadRequest, msg: "Send page as a positive number.", field: "page"}
	}
	per = 25
	if v := r.URL.Query().Get("per_page"); v != "" {
		if per, err = strconv.Atoi(v); err != nil || per < 1 || per > 100 {
			return 0, 0, apiErr{status: http.StatusBadRequest, msg: "Send per_page from 1 to 100.", field: "per_page"}
		}
	}
	return page, per, nil
}

// handleAPIComments serves GET /api/v1/comments: comments newest first, filtered by status,
// story (an ID), email, ip and q (words of the text or the author's name); page and per_page
// paginate. The answer carries the count of every status.
func (s *Server) handleAPIComments(w http.ResponseWriter, r *http.Request, u *account.User) error {
	ctx := r.Context()
	q := r.URL.Query()
	page, per, err := apiPaging(r)
	if err != nil {
		return err
	}
	cq := store.CommentQuery{Text: truncate(q.Get("q"), 200), Email: truncate(q.Get("email"), comment.MaxEmail),
		IP: truncate(q.Get("ip"), 64), Limit: per, Offset: (page - 1) * per}
	if v := q.Get("status"); v != "" {
		if cq.Status = comment.Status(v); !cq.Status.Valid() {
			return apiErr{status: http.StatusBadRequest, msg: "Use the status pending, approved, spam or trash.", field: "status"}
		}
	}
	if v := q.Get("story"); v != "" {
		if cq.ArticleID, err = strconv.ParseInt(v, 10, 64); err != nil || cq.ArticleID <= 0 {
			return apiErr{status: http.StatusBadRequest, msg: "Send story as a story's ID.", field: "story"}
		}
	}
	list, total, err := s.store.ListComments(ctx, cq)
	if err != nil {
		return err
	}
	counts, err := s.store.CommentStatusCounts(ctx)
	if err != nil {
		return err
	}
	out := struct {
		Comments []apiComment   `json:"comments"`
		Total    int            `json:"total"`
		Page     int            `json:"page"`
		PerPage  int            `json:"per_page"`
		Counts   map[string]int `json:"counts"`
	}{Total: total, Page: page, PerPage: per, Counts: map[string]int{}}
	for _, st := range []comment.Status{comment.Pending, comment.Approved, comment.Spam, comment.Trash} {
		out.Counts[string(st)] = counts[st]
	}
	if out.Comments, err = s.apiComments(ctx, list); err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, out)
	return nil
}

// writeAPIComment answers one comment, read afresh, with status.
func (s *Server) writeAPIComment(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	c, err := s.store.Comment(r.Context(), id)
	if err != nil {
		return err
	}
	out, err := s.apiComments(r.Context(), []*comment.Comment{c})
	if err != nil {
		return err
	}
	s.writeJSON(w, status, out[0])
	return nil
}

// handleAPIComment serves GET /api/v1/comments/{id}.
func (s *Server) handleAPIComment(w http.ResponseWriter, r *http.Request, u *account.User) error {
	c, err := s.loadComment(r)
	if err != nil {
		return err
	}
	return s.writeAPIComment(w, r, http.StatusOK, c.ID)
}

// apiCommentInput is a moderator's change to a comment; absent fields keep their value.
type apiCommentInput struct {
	Status   *string `json:"status"`
	Content  *string `json:"content"`
	Name     *string `json:"name"`
	URL      *string `json:"url"`
	Featured *bool   `json:"featured"`
}

// apiStatus reads a status a request sends.
func apiStatus(v string) (comment.Status, error) {
	st := comment.Status(v)
	if !st.Valid() {
		return "", apiErr{status: http.StatusUnprocessableEntity, msg: "Use the status pending, approved, spam or trash.", field: "status"}
	}
	return st, nil
}

// handleAPIUpdateComment serves PATCH /api/v1/comments/{id}: an edit of the text, name, website
// or featured mark, and a move to another status, which goes through moderation as the admin's
// does (the spam filter learns, the author of the comment replied to is told of an approval).
func (s *Server) handleAPIUpdateComment(w http.ResponseWriter, r *http.Request, u *account.User) error {
	c, err := s.loadComment(r)
	if err != nil {
		return err
	}
	var in apiCommentInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var to comment.Status
	if in.Status != nil {
		if to, err = apiStatus(*in.Status); err != nil {
			return err
		}
	}
	ctx := r.Context()
	if in.Content != nil || in.Name != nil || in.URL != nil || in.Featured != nil {
		if in.Content != nil || in.Name != nil || in.URL != nil {
			f := commentEdit{Content: c.Content, Name: c.AuthorName, URL: c.AuthorURL}
			for _, set := range []struct{ to, from *string }{{&f.Content, in.Content}, {&f.Name, in.Name}, {&f.URL, in.URL}} {
				if set.from != nil {
					*set.to = *set.from
				}
			}
			if errs := editComment(c, f); len(errs) > 0 {
				return article.ValidationError(errs)
			}
		}
		if in.Featured != nil {
			c.Featured = *in.Featured
		}
		if err := s.store.UpdateComment(ctx, c); err != nil {
			return err
		}
	}
	if to != "" {
		if _, err := s.setCommentStatus(ctx, []int64{c.ID}, to); err != nil {
			return err
		}
	}
	return s.writeAPIComment(w, r, http.StatusOK, c.ID)
}

// handleAPICommentStatus serves POST /api/v1/comments/status: {"ids": […], "status": "spam"}
// moves many comments at once and answers the IDs of those that changed.
func (s *Server) handleAPICommentStatus(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var in struct {
		IDs    []int64 `json:"ids"`
		Status string  `json:"status"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if len(in.IDs) == 0 || len(in.IDs) > maxBulk {
		return apiErr{status: http.StatusUnprocessableEntity, msg: "Send from 1 to " + itoa(maxBulk) + " comment IDs.", field: "ids"}
	}
	to, err := apiStatus(in.Status)
	if err != nil {
		return err
	}
	changed, err := s.setCommentStatus(r.Context(), in.IDs, to)
	if err != nil {
		return err
	}
	out := struct {
		Status  string  `json:"status"`
		Changed []int64 `json:"changed"`
	}{Status: string(to), Changed: []int64{}}
	for _, c := range changed {
		out.Changed = append(out.Changed, c.ID)
	}
	s.writeJSON(w, http.StatusOK, out)
	return nil
}

// handleAPIDeleteComment serves DELETE /api/v1/comments/{id}: the comment is removed for good
// (its replies move up to its parent); 204.
func (s *Server) handleAPIDeleteComment(w http.ResponseWriter, r *http.Request, u *account.User) error {
	c, err := s.loadComment(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteComment(r.Context(), c.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleAPIReply serves POST /api/v1/comments/{id}/replies: {"content": "…"} publishes a reply as
// the token's user, marked as staff's (201). A held comment is approved first.
func (s *Server) handleAPIReply(w http.ResponseWriter, r *http.Request, u *account.User) error {
	parent, err := s.loadComment(r)
	if err != nil {
		return err
	}
	var in struct {
		Content string `json:"content"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, _, err := s.staffReply(r.Context(), u, parent.ID, in.Content, s.readerIP(r), truncate(r.UserAgent(), 500))
	if err != nil {
		if code, msg, ok := replyRejection(err); ok {
			e := apiErr{status: code, msg: msg}
			if code == http.StatusUnprocessableEntity {
				e.field = "content"
			}
			return e
		}
		return err
	}
	w.Header().Set("Location", "/api/v1/comments/"+itoa64(c.ID))
	return s.writeAPIComment(w, r, http.StatusCreated, c.ID)
}
