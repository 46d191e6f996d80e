package web

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/moderation"
	"github.com/broadsheet/broadsheet/internal/store"
)

// commentRow is one comment as the moderation screens show it.
//
// Privacy: it carries the commenter's email, IP address and user agent. Only staff pages use it.
type commentRow struct {
	*comment.Comment
	Story        *article.Article
	Link         string // the comment on the story's page, when readers can see both
	Edit         string
	HTML         template.HTML // the text as readers get it
	Excerpt      string        // the text on one short line
	Score        int           // SpamScore as a percentage
	Why          string        // what Reasons explain: "Held", "Spam"
	Reasons      string
	ParentAuthor string // the name of the comment replied to
	Actions      []rowAction
	CanReply     bool
}

// rowAction is a moderation button: Value is the action the form posts.
type rowAction struct {
	Value, Label string
	Danger       bool
}

// queueTab is one moderation queue with its count.
type queueTab struct {
	Label   string
	N       int
	URL     string
	Current bool
}

// commentsPage is the moderation queue.
type commentsPage struct {
	adminLayout
	Status     comment.Status
	Queues     []queueTab
	Rows       []commentRow
	Total      int
	Pager      pager
	Text       string
	Story      *article.Article // the story the queue is filtered by, if any
	Actions    []rowAction      // the bulk actions of this queue
	Return     string           // this page, for the forms to come back to
	CanPrivacy bool
}

// commentEdit is a moderator's edit of a comment as typed.
type commentEdit struct {
	Content, Name, URL string
}

// commentPage shows one comment with its edit, reply and ban forms.
type commentPage struct {
	adminLayout
	Row        commentRow
	Parent     *commentRow
	Form       commentEdit
	Errors     map[string]string
	Reply      string // a staff reply as typed
	ReplyError string
	Return     string
	Ban        banForm
	Durations  []banDuration
}

// commentsQuery reads the filters of the queue: status (pending by default), words, story.
func commentsQuery(q url.Values) (comment.Status, string, int64) {
	st := comment.Status(q.Get("status"))
	if !st.Valid() {
		st = comment.Pending
	}
	story, _ := strconv.ParseInt(q.Get("story"), 10, 64)
	return st, strings.TrimSpace(q.Get("q")), story
}

// handleComments serves GET /admin/comments/: the queue of one status (pending by default),
// newest first, with the count of every queue, filtered by words of the text or the author's
// name and by story.
func (s *Server) handleComments(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	page, err := pageParam(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	st, text, storyID := commentsQuery(r.URL.Query())
	p := &commentsPage{adminLayout: s.adminLayout(r, u, "Comments"), Status: st, Text: text,
		Actions: actionsFor(st), CanPrivacy: account.Can(u, account.ManageSettings, nil)}
	s.commentFlash(r, &p.adminLayout)
	filters := url.Values{"status": {string(st)}}
	if text != "" {
		filters.Set("q", text)
	}
	cq := store.CommentQuery{Status: st, Text: truncate(text, 200), Limit: adminPageSize, Offset: (page - 1) * adminPageSize}
	if storyID != 0 {
		if p.Story, err = s.store.Article(ctx, storyID); err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		cq.ArticleID = storyID
		filters.Set("story", itoa64(storyID))
	}
	counts, err := s.store.CommentStatusCounts(ctx)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	for _, q := range []struct {
		st    comment.Status
		label string
	}{{comment.Pending, "Pending"}, {comment.Approved, "Approved"}, {comment.Spam, "Spam"}, {comment.Trash, "Trash"}} {
		v := url.Values{}
		for k, vs := range filters {
			v[k] = vs
		}
		v.Set("status", string(q.st))
		p.Queues = append(p.Queues, queueTab{Label: q.label, N: counts[q.st], URL: "/admin/comments/?" + v.Encode(), Current: q.st == st})
	}
	list, total, err := s.store.ListComments(ctx, cq)
	if err == nil {
		p.Rows, err = s.commentRows(ctx, list)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p.Total = total
	p.Pager = adminPager("/admin/comments/", filters, page, total)
	if page > 1 {
		filters.Set("page", itoa(page))
	}
	p.Return = "/admin/comments/?" + filters.Encode()
	s.adminPage(w, r, http.StatusOK, "admin_comments", p)
}

// commentRows prepares comments for the moderation screens, with their stories and the names
// of the comments they reply to.
func (s *Server) commentRows(ctx context.Context, list []*comment.Comment) ([]commentRow, error) {
	stories := map[int64]*article.Article{}
	parents := map[int64]string{}
	rows := make([]commentRow, 0, len(list))
	for _, c := range list {
		a, ok := stories[c.ArticleID]
		if !ok {
			var err error
			if a, err = s.store.Article(ctx, c.ArticleID); err != nil {
				return nil, err
			}
			stories[c.ArticleID] = a
		}
		row := s.commentRow(c, a)
		if c.ParentID != 0 {
			name, ok := parents[c.ParentID]
			if !ok {
				p, err := s.store.Comment(ctx, c.ParentID)
				switch {
				case err == nil:
					name = p.AuthorName
				case !errors.Is(err, store.ErrNotFound):
					return nil, err
				}
				parents[c.ParentID] = name
			}
			row.ParentAuthor = name
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// commentRow prepares one comment of story a.
func (s *Server) commentRow(c *comment.Comment, a *article.Article) commentRow {
	row := commentRow{Comment: c, Story: a, Edit: "/admin/comments/" + itoa64(c.ID) + "/",
		HTML: template.HTML(comment.Render(c.Content)), Excerpt: truncate(strings.Join(strings.Fields(c.Content), " "), 140),
		Score: int(math.Round(c.SpamScore * 100)), Reasons: strings.Join(c.Reasons, "; "), Actions: actionsFor(c.Status),
		CanReply: c.Status == comment.Pending || c.Status == comment.Approved}
	switch c.Status {
	case comment.Pending:
		row.Why = "Held"
	case comment.Spam:
		row.Why = "Spam"
	default:
		row.Why = "On arrival"
	}
	if c.Status == comment.Approved && a.Live(s.now()) {
		row.Link = s.permalink(a) + "#comment-" + itoa64(c.ID)
	}
	return row
}

// actionsFor lists the moves a comment with status st can make: to every other queue, and out
// of the spam and the trash for good.
func actionsFor(st comment.Status) []rowAction {
	var out []rowAction
	if st != comment.Approved {
		out = append(out, rowAction{Value: "approve", Label: "Approve"})
	}
	switch st {
	case comment.Approved:
		out = append(out, rowAction{Value: "pending", Label: "Unapprove"})
	case comment.Spam:
		out = append(out, rowAction{Value: "pending", Label: "Not spam"})
	case comment.Trash:
		out = append(out, rowAction{Value: "pending", Label: "Restore to pending"})
	}
	if st != comment.Spam {
		out = append(out, rowAction{Value: "spam", Label: "Spam"})
	}
	if st != comment.Trash {
		out = append(out, rowAction{Value: "trash", Label: "Trash"})
	}
	if st == comment.Spam || st == comment.Trash {
		out = append(out, rowAction{Value: "delete", Label: "Delete permanently", Danger: true})
	}
	return out
}

// actionStatus is the status a moderation action moves comments to; ok is false for "delete"
// and for unknown actions.
func actionStatus(action string) (comment.Status, bool) {
	switch action {
	case "approve":
		return comment.Approved, true
	case "pending":
		return comment.Pending, true
	case "spam":
		return comment.Spam, true
	case "trash":
		return comment.Trash, true
	}
	return "", false
}

// setCommentStatus moves comments through moderation.SetStatus, which trains the classifier
// and queues notifications, then wakes the notifier: an approval may owe a reader an email.
func (s *Server) setCommentStatus(ctx context.Context, ids []int64, to comment.Status) ([]*comment.Comment, error) {
	changed, err := moderation.SetStatus(ctx, s.store, ids, to, s.now())
	if err != nil {
		return nil, err
	}
	if len(changed) > 0 {
		s.wakeNotifier()
	}
	return changed, nil
}

// wakeNotifier asks the notification sender, when there is one, to look at the outbox now.
func (s *Server) wakeNotifier() {
	if s.cfg.Notify != nil {
		s.cfg.Notify()
	}
}

// deleteComments removes comments for good, in one transaction, and returns how many there were.
// Their replies move up to their parents.
func (s *Server) deleteComments(ctx context.Context, ids []int64) (int, error) {
	var n int
	err := s.store.InTx(ctx, func(tx store.Store) error {
		n = 0
		for _, id := range ids {
			err := tx.DeleteComment(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// maxBulk bounds the comments one request may act on.
const maxBulk = 500

// handleModerate serves POST /admin/comments/: a moderation action on the ticked comments
// ("action" with every "id"), or on one ("row" = "approve:12"). It returns to the page the form
// came from.
func (s *Server) handleModerate(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	f := r.PostForm
	action, raw := f.Get("action"), f["id"]
	if row := f.Get("row"); row != "" {
		var id string
		action, id, _ = strings.Cut(row, ":")
		raw = []string{id}
	}
	back := localPath(f.Get("return"))
	if back == "/admin/" {
		back = "/admin/comments/"
	}
	if len(raw) == 0 {
		http.Redirect(w, r, withQuery(back, "msg", "none"), http.StatusSeeOther)
		return
	}
	if len(raw) > maxBulk {
		s.adminFail(w, r, u, badRequest("Choose at most "+itoa(maxBulk)+" comments at a time."))
		return
	}
	ids := make([]int64, 0, len(raw))
	for _, v := range raw {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.adminFail(w, r, u, badRequest("The form named a comment that does not exist."))
			return
		}
		ids = append(ids, id)
	}
	ctx := r.Context()
	var n int
	var err error
	if to, ok := actionStatus(action); ok {
		var changed []*comment.Comment
		changed, err = s.setCommentStatus(ctx, ids, to)
		n = len(changed)
	} else if action == "delete" {
		n, err = s.deleteComments(ctx, ids)
	} else {
		err = badRequest("Choose what to do with the comments: approve, spam, trash, restore or delete.")
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if action == "delete" && back == "/admin/comments/"+itoa64(ids[0])+"/" {
		back = "/admin/comments/" // the page of a deleted comment is gone
	}
	http.Redirect(w, r, withQuery(back, "msg", action, "n", itoa(n)), http.StatusSeeOther)
}

// withQuery returns the local path p with the query parameters kv (name, value pairs) set.
func withQuery(p string, kv ...string) string {
	u, err := url.Parse(p)
	if err != nil {
		return p
	}
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// commentFlash sets the message of a moderation redirect (?msg=approve&n=3), which flash does
// not know, on l.
func (s *Server) commentFlash(r *http.Request, l *adminLayout) {
	q := r.URL.Query()
	n, _ := strconv.Atoi(q.Get("n"))
	count := plural(max(n, 0), "comment", "comments")
	switch q.Get("msg") {
	case "approve":
		l.Flash = count + " approved."
	case "pending":
		l.Flash = count + " moved to pending."
	case "spam":
		l.Flash = count + " marked as spam. The spam filter learns from it."
	case "trash":
		l.Flash = count + " moved to the trash."
	case "delete":
		l.Flash = count + " deleted permanently."
	case "none":
		l.Flash = "Tick one or more comments first."
	case "edited":
		l.Flash = "Comment saved."
	case "reply":
		l.Flash = "Your reply is published."
	case "reply-approved":
		l.Flash = "Comment approved and your reply published."
	case "featured":
		l.Flash = "Comment featured: it is shown first."
	case "unfeatured":
		l.Flash = "Comment no longer featured."
	case "ban":
		l.Flash = "Ban saved. It applies to the next comment at once."
	case "unban":
		l.Flash = "Ban lifted."
	case "erased":
		l.Flash = count + " anonymised."
	}
}

// loadComment reads the comment {id} of the request.
func (s *Server) loadComment(r *http.Request) (*comment.Comment, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, store.ErrNotFound
	}
	return s.store.Comment(r.Context(), id)
}

// handleComment serves GET /admin/comments/{id}/: one comment with everything known of it, and
// the forms to edit it, reply to it and ban its author.
func (s *Server) handleComment(w http.ResponseWriter, r *http.Request, u *account.User) {
	c, err := s.loadComment(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.showComment(w, r, u, http.StatusOK, c, func(p *commentPage) {})
}

// showComment renders the page of comment c; edit fills in what a failed post sends back.
func (s *Server) showComment(w http.ResponseWriter, r *http.Request, u *account.User, status int, c *comment.Comment, edit func(*commentPage)) {
	ctx := r.Context()
	rows, err := s.commentRows(ctx, []*comment.Comment{c})
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p := &commentPage{adminLayout: s.adminLayout(r, u, "Comment by "+c.AuthorName), Row: rows[0],
		Form: commentEdit{Content: c.Content, Name: c.AuthorName, URL: c.AuthorURL}, Return: rows[0].Edit,
		Ban: banForm{Kind: "email", Days: "30"}, Durations: banDurations()}
	if c.AuthorEmail == "" {
		p.Ban.Kind = "ip"
	}
	s.commentFlash(r, &p.adminLayout)
	if c.ParentID != 0 {
		parent, err := s.store.Comment(ctx, c.ParentID)
		if err == nil {
			var prow []commentRow
			if prow, err = s.commentRows(ctx, []*comment.Comment{parent}); err == nil {
				p.Parent = &prow[0]
			}
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.adminFail(w, r, u, err)
			return
		}
	}
	edit(p)
	s.adminPage(w, r, status, "admin_comment", p)
}

// editComment applies a moderator's edit to c, or returns what is wrong with it. The email
// address is not the moderator's to change and is not checked.
func editComment(c *comment.Comment, f commentEdit) map[string]string {
	in := comment.Input{Name: f.Name, Email: c.AuthorEmail, URL: f.URL, Content: f.Content, StaffID: c.StaffID}
	in.Clean()
	errs := map[string]string{}
	var v comment.ValidationError
	if err := in.Validate(); errors.As(err, &v) {
		for k, msg := range v {
			errs[k] = msg
		}
	}
	delete(errs, "email")
	if in.Name == "" {
		errs["name"] = "Give the comment an author's name (“Anonymous” will do)."
	}
	if len(errs) > 0 {
		return errs
	}
	c.Content, c.AuthorName, c.AuthorURL = in.Content, in.Name, in.NormalURL()
	return nil
}

// handleSaveComment serves POST /admin/comments/{id}/: the edited text, name and website.
func (s *Server) handleSaveComment(w http.ResponseWriter, r *http.Request, u *account.User) {
	c, err := s.loadComment(r)
	if err == nil {
		err = s.parseForm(w, r)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	f := commentEdit{Content: r.PostForm.Get("content"), Name: r.PostForm.Get("name"), URL: r.PostForm.Get("url")}
	if errs := editComment(c, f); len(errs) > 0 {
		s.showComment(w, r, u, http.StatusUnprocessableEntity, c, func(p *commentPage) {
			p.Form, p.Errors = f, errs
			p.Error = "The comment was not saved: please correct the fields marked below."
		})
		return
	}
	if err := s.store.UpdateComment(r.Context(), c); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/comments/"+itoa64(c.ID)+"/?msg=edited", http.StatusSeeOther)
}

// staffReply publishes u's reply to the comment parentID: approved at once, marked as staff's,
// and announced to the parent's author if they asked. A reply to a held comment approves it
// first, as WordPress's "Approve and Reply" does; a comment in the spam or the trash takes none.
// approved reports that the parent was approved.
func (s *Server) staffReply(ctx context.Context, u *account.User, parentID int64, text, ip, userAgent string) (reply *comment.Comment, approved bool, err error) {
	p, err := s.store.Comment(ctx, parentID)
	if err != nil {
		return nil, false, err
	}
	if p.Status != comment.Pending && p.Status != comment.Approved {
		return nil, false, badRequest("Restore this comment before replying: replies go only under published comments.")
	}
	a, err := s.store.Article(ctx, p.ArticleID)
	if err != nil {
		return nil, false, err
	}
	in := comment.Input{ArticleID: a.ID, ParentID: p.ID, Name: u.Name, Email: u.Email, Content: text, IP: ip,
		UserAgent: userAgent, StaffID: u.ID}
	in.Clean()
	if err := in.Validate(); err != nil {
		return nil, false, err
	}
	if err := s.commentSettings().CheckOpen(comment.Facts{Now: s.now(), Published: a.PublishedAt, Open: a.CommentsOpen, Staff: true}); err != nil {
		return nil, false, err
	}
	if p.Status == comment.Pending {
		if _, err := s.setCommentStatus(ctx, []int64{p.ID}, comment.Approved); err != nil {
			return nil, false, err
		}
		approved = true
	}
	reply, err = s.acceptComment(ctx, a, in, "", false, false)
	return reply, approved, err
}

// replyRejection is the message for a staff reply the policy refused; ok is false for a server
// fault.
func replyRejection(err error) (int, string, bool) {
	var v comment.ValidationError
	if errors.As(err, &v) {
		if msg, ok := v["content"]; ok {
			return http.StatusUnprocessableEntity, msg, true
		}
		return http.StatusUnprocessableEntity, "Your account's name or email cannot sign a comment: " + v.Error(), true
	}
	var br badRequest
	if errors.As(err, &br) {
		return http.StatusBadRequest, string(br), true
	}
	if code, ok := rejectionStatus(err); ok {
		return code, err.Error(), true
	}
	return 0, "", false
}

// handleStaffReply serves POST /admin/comments/{id}/reply: a reply as staff, published at once.
// A refused reply comes back on the comment's page with its text.
func (s *Server) handleStaffReply(w http.ResponseWriter, r *http.Request, u *account.User) {
	parent, err := s.loadComment(r)
	if err == nil {
		err = s.parseForm(w, r)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	text := r.PostForm.Get("content")
	_, approved, err := s.staffReply(r.Context(), u, parent.ID, text, s.readerIP(r), truncate(r.UserAgent(), 500))
	if err != nil {
		code, msg, ok := replyRejection(err)
		if !ok {
			s.adminFail(w, r, u, err)
			return
		}
		if parent, err = s.store.Comment(r.Context(), parent.ID); err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		s.showComment(w, r, u, code, parent, func(p *commentPage) { p.Reply, p.ReplyError = text, msg })
		return
	}
	msg := "reply"
	if approved {
		msg = "reply-approved"
	}
	http.Redirect(w, r, withQuery(s.commentReturn(r, parent.ID), "msg", msg), http.StatusSeeOther)
}

// commentReturn is where a form about comment id returns: the admin page it names, or the
// comment's own page.
func (s *Server) commentReturn(r *http.Request, id int64) string {
	if back := localPath(r.PostForm.Get("return")); back != "/admin/" {
		return back
	}
	return "/admin/comments/" + itoa64(id) + "/"
}

// handleFeatureComment serves POST /admin/comments/{id}/feature: featured comments are shown
// first; posting again takes the mark away.
func (s *Server) handleFeatureComment(w http.ResponseWriter, r *http.Request, u *account.User) {
	c, err := s.loadComment(r)
	if err == nil {
		err = s.parseForm(w, r)
	}
	if err == nil {
		c.Featured = !c.Featured
		err = s.store.UpdateComment(r.Context(), c)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	msg := "unfeatured"
	if c.Featured {
		msg = "featured"
	}
	http.Redirect(w, r, withQuery(s.commentReturn(r, c.ID), "msg", msg), http.StatusSeeOther)
}

// pendingCount is the number of comments awaiting moderation, for the navigation's badge. The
// badge is a convenience: a failure is logged and shows none, rather than failing the page.
func (s *Server) pendingCount(ctx context.Context) int {
	_, n, err := s.store.ListComments(ctx, store.CommentQuery{Status: comment.Pending, Limit: 1})
	if err != nil {
		s.log.WarnContext(ctx, "count of pending comments", slog.Any("err", err))
		return 0
	}
	return n
}

// recentPending returns up to n comments awaiting moderation, newest first, for the dashboard.
func (s *Server) recentPending(ctx context.Context, n int) ([]commentRow, error) {
	list, _, err := s.store.ListComments(ctx, store.CommentQuery{Status: comment.Pending, Limit: n})
	if err != nil {
		return nil, err
	}
	return s.commentRows(ctx, list)
}
