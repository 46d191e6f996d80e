package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/moderation"
	"github.com/broadsheet/broadsheet/internal/store"
)

// maxCommentBody bounds a comment form post: the longest comment WordPress takes, four bytes a
// character, plus the other fields.
const maxCommentBody = 4*comment.MaxContent + 16<<10

// commentForm is the "Leave a Reply" form as a page shows it: empty, or sent back with the
// reader's input and what was wrong.
type commentForm struct {
	ArticleID int64
	ParentID  int64
	ReplyTo   string // the name of the comment replied to
	// Token is the form token: empty in the page every reader shares (the page's script asks
	// GET /comments/token for one), set when the form comes back to one reader.
	Token   string
	Content string
	Name    string
	Email   string
	URL     string
	Notify  bool
	Verify  bool
	Mail    bool // the site sends email: offer reply notifications and address confirmation
	Errors  comment.ValidationError
	Message string // a rejection shown above the form
}

// commentSection is what the story page shows under the story.
type commentSection struct {
	Open     bool
	Closed   string // why the form is missing
	Count    int
	Thread   []*comment.Public
	Form     commentForm
	Pages    int
	Page     int
	PageURLs []string
}

// commentsFor builds the comment section of a story: approved comments (and the reader's own
// held one, when heldID is set) threaded, and the form.
func (s *Server) commentsFor(ctx context.Context, a *article.Article, heldID int64, form *commentForm, page int) (commentSection, error) {
	list, _, err := s.store.ListComments(ctx, store.CommentQuery{ArticleID: a.ID, Status: comment.Approved,
		Type: comment.Regular, Oldest: true}) // pingbacks and trackbacks are kept, not shown
	if err != nil {
		return commentSection{}, err
	}
	// Pingbacks and trackbacks (kept by imports) are not readers' comments.
	list = slices.DeleteFunc(list, func(c *comment.Comment) bool { return c.Type == comment.Pingback || c.Type == comment.Trackback })
	held := false
	if heldID != 0 {
		if c, err := s.store.Comment(ctx, heldID); err == nil && c.ArticleID == a.ID && c.Status == comment.Pending {
			list, held = append(list, c), true
		}
	}
	pub := make([]*comment.Public, 0, len(list))
	for _, c := range list {
		pub = append(pub, s.public(c))
	}
	set := s.commentSettings()
	sec := commentSection{Thread: comment.Thread(pub, set.MaxDepth, set.NewestFirst)}
	sec.Count = comment.Count(sec.Thread)
	if held {
		sec.Count-- // the held comment is not counted until it is approved
	}
	if per := set.PerPage; per > 0 && len(sec.Thread) > per {
		sec.Pages = (len(sec.Thread) + per - 1) / per
		sec.Page = min(max(page, 1), sec.Pages)
		for i := 1; i <= sec.Pages; i++ {
			sec.PageURLs = append(sec.PageURLs, s.permalink(a)+"?cpage="+itoa(i)+"#comments")
		}
		sec.Thread = sec.Thread[(sec.Page-1)*per : min(sec.Page*per, len(sec.Thread))]
	}
	if err := set.CheckOpen(comment.Facts{Now: s.now(), Published: a.PublishedAt, Open: a.CommentsOpen}); err != nil {
		sec.Closed = err.Error()
	} else {
		sec.Open = true
	}
	if form != nil {
		sec.Form = *form
	}
	sec.Form.ArticleID = a.ID
	sec.Form.Mail = s.cfg.Mail
	if sec.Form.ParentID != 0 {
		for _, c := range pub {
			if c.ID == sec.Form.ParentID && !c.Pending {
				sec.Form.ReplyTo = c.AuthorName
			}
		}
		if sec.Form.ReplyTo == "" {
			sec.Form.ParentID = 0
		}
	}
	return sec, nil
}

// public is the reader-facing view of a comment. It copies no email, IP or user agent.
func (s *Server) public(c *comment.Comment) *comment.Public {
	p := &comment.Public{ID: c.ID, ArticleID: c.ArticleID, ParentID: c.ParentID, AuthorName: c.AuthorName,
		AuthorURL: c.AuthorURL, Staff: c.StaffID != 0, Featured: c.Featured, ContentHTML: comment.Render(c.Content),
		CreatedAt: c.CreatedAt, Pending: c.Status == comment.Pending}
	if p.AuthorName == "" {
		p.AuthorName = "Anonymous"
	}
	key := c.AuthorEmail
	if key == "" {
		key = "name:" + c.AuthorName
	}
	p.Avatar = comment.AvatarKey(s.secret, key)
	return p
}

// commentSettings are the discussion settings in force.
func (s *Server) commentSettings() comment.Settings {
	if s.cfg.CommentSettings != nil {
		return s.cfg.CommentSettings()
	}
	return comment.DefaultSettings()
}

// handlePostComment serves POST /comments: the "Leave a Reply" form. Every rejection shows the
// form again with the reader's text; success answers 303 See Other to the comment (or JSON for
// the page's script).
func (s *Server) handlePostComment(w http.ResponseWriter, r *http.Request) {
	if err := parseLimitedForm(w, r, maxCommentBody); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.errorPage(w, r, http.StatusRequestEntityTooLarge,
				"Your comment is longer than this site accepts (65,525 characters). Please shorten it and post again.")
			return
		}
		s.fail(w, r, badRequest("The form could not be read. Please go back and post again."))
		return
	}
	f := r.PostForm
	in := comment.Input{Name: f.Get("author"), Email: f.Get("email"), URL: f.Get("url"), Content: f.Get("comment"),
		Notify: f.Get("notify") != "" && s.cfg.Mail, IP: s.readerIP(r), UserAgent: truncate(r.UserAgent(), 500),
		Returning: f.Get("returning"), Remember: f.Get("consent") != ""}
	in.ArticleID, _ = strconv.ParseInt(f.Get("article_id"), 10, 64)
	in.ParentID, _ = strconv.ParseInt(f.Get("parent_id"), 10, 64)
	in.Clean()
	form := &commentForm{ParentID: in.ParentID, Content: in.Content, Name: in.Name, Email: in.Email, URL: in.URL,
		Notify: in.Notify, Verify: f.Get("verify") != "" && s.cfg.Mail}
	ctx := r.Context()
	a, err := s.storyFacts(ctx, in.ArticleID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		// The database is down or restarting: the reader keeps their text.
		s.observeComment("failed")
		form.ArticleID, form.Mail = in.ArticleID, s.cfg.Mail
		s.commentUnsaved(w, r, form, err)
		return
	}
	if err != nil || !a.Live(s.now()) {
		s.fail(w, r, badRequest("That story does not take comments."))
		return
	}
	c, err := s.acceptComment(ctx, a, in, f.Get("token"), f.Get("fax") != "", form.Verify)
	if err != nil {
		var v comment.ValidationError
		if errors.As(err, &v) {
			form.Errors, form.Message = v, "Please correct the fields marked below."
		} else {
			form.Message = err.Error()
		}
		code, ok := rejectionStatus(err)
		if errors.Is(err, comment.ErrToken) && f.Get("token") == "" && !wantsJSON(r) {
			// A reader without the page's script, whose shared page carries no token: the
			// form comes back with their text and a token of its own, to post again.
			code, form.Message = http.StatusOK, errConfirm
		}
		if !ok {
			// A fault on our side: log it, and still give the reader their text back.
			code, form.Message = statusOf(err)
			if code == 499 {
				return // the reader went away
			}
			if code >= 500 {
				s.log.ErrorContext(ctx, "comment failed", slog.Any("err", err))
			}
		}
		if ok {
			s.observeComment("rejected")
		} else {
			s.observeComment("failed")
		}
		form.Token = comment.NewFormToken(s.secret, a.ID, s.now())
		s.commentRejected(w, r, a, form, code)
		return
	}
	s.observeComment(commentOutcome(c.Status))
	s.commentAccepted(w, r, a, c, s.returningToken(ctx, in, c))
}

// observeComment tells the observer, if any, what became of a posted comment.
func (s *Server) observeComment(outcome string) {
	if s.cfg.Observer != nil {
		s.cfg.Observer.Comment(outcome)
	}
}

// commentOutcome names a stored comment's status for the metrics.
func commentOutcome(st comment.Status) string {
	switch st {
	case comment.Approved:
		return "approved"
	case comment.Pending:
		return "held"
	case comment.Spam:
		return "spam"
	}
	return string(st)
}

// errConfirm asks a reader without JavaScript to post the form again, now with a token.
const errConfirm = "Please check your comment and press “Post Comment” again. (This step keeps robots out of the comments.)"

// formToken is the answer of GET /comments/token.
type formToken struct {
	Token string `json:"token"`
	// Wait is how many milliseconds must pass before the form may be posted.
	Wait int64 `json:"wait"`
}

// handleCommentToken serves GET /comments/token?story=ID: a form token for the comment form of
// a story, asked for by the page's script. Story pages are the same bytes for every reader,
// so that any cache may keep them; the token, which is single-use and per reader, comes from
// here, never kept by a cache. It reads no database: the token only names the story, and a
// post is checked against the story when it comes.
func (s *Server) handleCommentToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.URL.Query().Get("story"), 10, 64)
	if err != nil || id <= 0 {
		writeJSON(w, http.StatusBadRequest, commentReply{Message: "Name a story: /comments/token?story=ID."})
		return
	}
	writeJSON(w, http.StatusOK, formToken{Token: comment.NewFormToken(s.secret, id, s.now()),
		Wait: s.commentSettings().MinFillTime.Milliseconds()})
}

// rejectionStatus maps a rejected comment to its HTTP status; ok is false for a server fault.
func rejectionStatus(err error) (int, bool) {
	var v comment.ValidationError
	switch {
	case errors.As(err, &v), errors.Is(err, comment.ErrToken), errors.Is(err, comment.ErrTooFast), errors.Is(err, comment.ErrParent):
		return http.StatusBadRequest, true
	case errors.Is(err, comment.ErrClosed), errors.Is(err, comment.ErrBanned):
		return http.StatusForbidden, true
	case errors.Is(err, comment.ErrFlood):
		return http.StatusTooManyRequests, true
	case errors.Is(err, comment.ErrDuplicate):
		return http.StatusConflict, true
	}
	return 0, false
}

// acceptComment runs the comment policy and stores the comment (moderation.Accept), then logs
// it and wakes the notifier.
func (s *Server) acceptComment(ctx context.Context, a *article.Article, in comment.Input, token string, honeypot, verify bool) (*comment.Comment, error) {
	c, err := moderation.Accept(ctx, s.store, s.commentSettings(), s.secret,
		moderation.Post{Article: a, Input: in, Token: token, Honeypot: honeypot, Verify: verify, Unmailed: !s.cfg.Mail}, s.now())
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "comment", slog.Int64("id", c.ID), slog.Int64("article", a.ID),
		slog.String("status", string(c.Status)), slog.String("reasons", strings.Join(c.Reasons, "; ")))
	if s.cfg.Notify != nil && s.cfg.Mail {
		s.cfg.Notify() // without mail the post queued nothing to send
	}
	return c, nil
}

// returningToken is the returning-commenter token the reader's browser keeps after comment c,
// when they consented: the one it sent, while that names an approved or held comment of theirs,
// else c's own. (A lookup that fails costs the reader only the old token.)
func (s *Server) returningToken(ctx context.Context, in comment.Input, c *comment.Comment) string {
	if !in.Remember || in.StaffID != 0 {
		return ""
	}
	if k, err := moderation.ReturningComment(ctx, s.store, s.secret, in.Returning); err == nil && k != nil && k.SameAuthor(in) &&
		(k.Status == comment.Approved || k.Status == comment.Pending) {
		return in.Returning
	}
	return comment.ReturningToken(s.secret, c.ID)
}

// commentReply is the JSON answer to the page's script.
type commentReply struct {
	ID      int64  `json:"id,omitempty"`
	Status  string `json:"status,omitempty"`
	HTML    string `json:"html,omitempty"`
	Message string `json:"message"`
	URL     string `json:"url,omitempty"`
	// Returning is the returning-commenter token the page's script keeps in the browser's
	// storage, for a reader who ticked "Save my name…".
	Returning string `json:"returning,omitempty"`
	// Errors maps form fields to messages.
	Errors map[string]string `json:"errors,omitempty"`
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// commentAccepted answers a stored comment: back to the story at the comment, with a signed
// token that shows a held comment to its author alone, and to the page's script the
// returning-commenter token to keep (empty: none).
func (s *Server) commentAccepted(w http.ResponseWriter, r *http.Request, a *article.Article, c *comment.Comment, returning string) {
	to := s.permalink(a)
	msg := "Thank you for your comment."
	if c.Status != comment.Approved {
		// Spam is answered like a held comment: a robot learns nothing.
		to += "?held=" + comment.HeldToken(s.secret, c.ID, s.now().Add(7*24*time.Hour))
		msg = "Your comment is awaiting moderation."
	}
	to += "#comment-" + itoa64(c.ID)
	if wantsJSON(r) {
		reply := commentReply{ID: c.ID, Status: "approved", Message: msg, URL: to, Returning: returning}
		if c.Status != comment.Approved {
			reply.Status = "pending"
		}
		if c.Status != comment.Spam {
			p := s.public(c)
			p.Depth = 1
			var b bytes.Buffer
			s.writeComment(&b, p)
			reply.HTML = b.String()
		}
		writeJSON(w, http.StatusCreated, reply)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// storyFacts is the story a comment is posted to, as far as the checks of the post and the
// answer need it (no bodies), from the page cache when it has it: a post reads no article.
func (s *Server) storyFacts(ctx context.Context, id int64) (*article.Article, error) {
	from, err := s.cache.sync(ctx)
	if err != nil {
		return nil, err
	}
	if a := s.cache.storyFacts(id); a != nil {
		return a, nil
	}
	a, err := s.store.Article(ctx, id)
	if err != nil {
		return nil, err
	}
	s.cache.putStoryFacts(a, from)
	return a, nil
}

// commentRejected shows the story again with the form, the reader's input and the reason.
func (s *Server) commentRejected(w http.ResponseWriter, r *http.Request, a *article.Article, form *commentForm, code int) {
	if wantsJSON(r) {
		writeJSON(w, code, commentReply{Message: form.Message, Errors: form.Errors})
		return
	}
	a, err := s.store.Article(r.Context(), a.ID) // the whole story, facts were enough until now
	if err != nil {
		s.fail(w, r, err)
		return
	}
	resp, err := s.renderStory(r, a, 0, form, 0)
	if err != nil {
		form.ArticleID, form.Mail = a.ID, s.cfg.Mail
		s.commentUnsaved(w, r, form, err)
		return
	}
	resp.status, resp.cacheControl = code, "private, no-store" // it holds the reader's text and token
	resp.write(w, r)
}

// commentUnsaved answers a comment the site could not take for a fault of its own (the database
// down or restarting) when even the story cannot be shown: the error page, holding the reader's
// text in the form to post again.
func (s *Server) commentUnsaved(w http.ResponseWriter, r *http.Request, form *commentForm, err error) {
	code, msg := statusOf(err)
	if code == 499 {
		return // the reader went away
	}
	if code >= 500 {
		s.log.ErrorContext(r.Context(), "comment failed", slog.Any("err", err))
	}
	if wantsJSON(r) {
		writeJSON(w, code, commentReply{Message: msg})
		return
	}
	form.Message = "Your comment was not saved, but it is below: please post it again in a moment."
	form.Token = comment.NewFormToken(s.secret, form.ArticleID, s.now())
	s.showError(w, r, &errorPage{Code: code, Message: msg, Comments: &commentSection{Open: true, Form: *form}})
}

// handleAvatar serves GET /avatars/{key}: the identicon of a commenter, made from the keyed
// hash alone, so no email address is involved in the URL or the image.
func (s *Server) handleAvatar(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimSuffix(r.PathValue("key"), ".svg")
	if len(key) != 24 || strings.Trim(key, "0123456789abcdef") != "" {
		s.notFound(w, r)
		return
	}
	resp := newResponse(http.StatusOK, "image/svg+xml", comment.Identicon(key))
	resp.cacheControl = "public, max-age=31536000, immutable"
	resp.write(w, r)
}

// avatarURL is the identicon address of a public comment.
func avatarURL(p *comment.Public) string { return "/avatars/" + p.Avatar + ".svg" }
