package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/mail"
	"github.com/broadsheet/broadsheet/internal/store"
)

// maxNoticeAttempts is how often a notification is tried before it is given up.
const maxNoticeAttempts = 10

// SendNotices sends the comment notifications due in the outbox through sender (nil: mail is not
// configured, and they are dropped) and returns how many were sent. Whoever queued them — this
// server, the command line, an import — the message is composed here, where the site's
// addresses are known. Readers are only ever told of approved comments.
func (s *Server) SendNotices(ctx context.Context, sender mail.Sender) (int, error) {
	now := s.now()
	due, err := s.store.DueNotices(ctx, now, 50)
	if err != nil {
		return 0, err
	}
	if len(due) == 0 {
		return 0, nil
	}
	if sender == nil {
		// Nothing to compose: the whole round is dropped in one write.
		return 0, s.store.InTx(ctx, func(tx store.Store) error {
			for _, n := range due {
				if err := tx.DoneNotice(ctx, n.ID); err != nil {
					return err
				}
			}
			return nil
		})
	}
	sent := 0
	for _, n := range due {
		msgs, err := s.noticeMessages(ctx, n)
		if err == nil {
			for _, m := range msgs {
				if err = sender.Send(ctx, m); err != nil {
					break
				}
				sent++
			}
		}
		switch {
		case err == nil || errors.Is(err, store.ErrNotFound) || mail.Permanent(err) || n.Attempts+1 >= maxNoticeAttempts:
			if err != nil {
				s.log.ErrorContext(ctx, "comment notice given up", slog.Int64("comment", n.CommentID), slog.Any("err", err))
			}
			if err := s.store.DoneNotice(ctx, n.ID); err != nil {
				return sent, err
			}
		default:
			backoff := min(time.Minute<<n.Attempts, 6*time.Hour)
			s.log.WarnContext(ctx, "comment notice failed; will retry", slog.Int64("comment", n.CommentID),
				slog.Duration("in", backoff), slog.Any("err", err))
			if err := s.store.RetryNotice(ctx, n.ID, now.Add(backoff)); err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}

// noticeMessages composes the email a notice calls for; none when it no longer applies.
func (s *Server) noticeMessages(ctx context.Context, n store.Notice) ([]mail.Message, error) {
	c, err := s.store.Comment(ctx, n.CommentID)
	if err != nil {
		return nil, err
	}
	a, err := s.store.Article(ctx, c.ArticleID)
	if err != nil {
		return nil, err
	}
	switch n.Kind {
	case comment.NoticeHeld:
		if c.Status != comment.Pending {
			return nil, nil
		}
		to, err := s.heldRecipients(ctx, a)
		if err != nil {
			return nil, err
		}
		body := fmt.Sprintf("A comment on “%s” is waiting for moderation.\n\nAuthor: %s\nWhy it was held: %s\n\n%s\n\nModerate it: %s\n",
			a.Title, c.AuthorName, strings.Join(c.Reasons, "; "), c.Content, s.abs("/admin/comments?status=pending"))
		var msgs []mail.Message
		for _, addr := range to {
			msgs = append(msgs, mail.Message{To: addr, Subject: "[" + s.cfg.Title + "] Comment awaiting moderation: " + a.Title, Text: body})
		}
		return msgs, nil
	case comment.NoticeReply:
		return s.replyMessage(ctx, a, c)
	case comment.NoticeVerify:
		if c.AuthorEmail == "" {
			return nil, nil
		}
		link := s.abs("/comments/verify?t=" + url.QueryEscape(comment.SignedValue(s.secret, "verify", c.AuthorEmail)))
		return []mail.Message{{To: c.AuthorEmail, Subject: "Confirm your email address for " + s.cfg.Title,
			Text: fmt.Sprintf("You asked to confirm this address for your comments on %s.\n\nConfirm it: %s\n\n"+
				"Once it is confirmed and a moderator has approved one of your comments, your comments appear without waiting.\n"+
				"If you did not ask for this, ignore this email.\n", s.cfg.Title, link)}}, nil
	}
	return nil, nil
}

// heldRecipients are the staff told of a held comment: the story's own writers and everyone who
// moderates comments.
func (s *Server) heldRecipients(ctx context.Context, a *article.Article) ([]string, error) {
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	var to []string
	for _, u := range users {
		writer := false
		for _, au := range a.Authors {
			writer = writer || (u.AuthorID != 0 && au.ID == u.AuthorID)
		}
		if writer || account.Can(&u, account.ModerateComments, a) {
			to = append(to, u.Email)
		}
	}
	return to, nil
}

// replyMessage tells the author of the parent of an approved reply, when they opted in.
func (s *Server) replyMessage(ctx context.Context, a *article.Article, c *comment.Comment) ([]mail.Message, error) {
	if c.Status != comment.Approved || c.ParentID == 0 {
		return nil, nil
	}
	p, err := s.store.Comment(ctx, c.ParentID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !p.Notify || p.AuthorEmail == "" || strings.EqualFold(p.AuthorEmail, c.AuthorEmail) || p.Status != comment.Approved {
		return nil, nil
	}
	unsub := s.abs("/comments/unsubscribe?t=" + url.QueryEscape(comment.SignedValue(s.secret, "unsubscribe", p.AuthorEmail)))
	link := s.abs(s.permalink(a)) + "#comment-" + itoa64(c.ID)
	body := fmt.Sprintf("%s replied to your comment on “%s”:\n\n%s\n\nRead the conversation: %s\n\n"+
		"You receive this because you asked to be told of replies. Stop these emails: %s\n",
		c.AuthorName, a.Title, c.Content, link, unsub)
	return []mail.Message{{To: p.AuthorEmail, Subject: "New reply to your comment on " + a.Title, Text: body,
		Headers: map[string]string{"List-Unsubscribe": "<" + unsub + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}}, nil
}

// handleVerifyEmail serves GET /comments/verify?t=: the link in a verification email.
func (s *Server) handleVerifyEmail(w http.ResponseWriter, r *http.Request) {
	email, ok := comment.CheckSignedValue(s.secret, "verify", r.URL.Query().Get("t"))
	if !ok {
		s.fail(w, r, badRequest("This confirmation link is not valid. Please ask for a new one when you next comment."))
		return
	}
	if err := s.store.VerifyEmail(r.Context(), email, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.messagePage(w, r, "Address confirmed", "Thank you: your email address is confirmed. Once a moderator has approved one of your comments, the next ones appear straight away.")
}

// handleUnsubscribe serves GET and POST /comments/unsubscribe?t=: the unsubscribe link of reply
// notifications. GET asks; POST (the button, or the mail client's RFC 8058 one-click) acts.
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	email, ok := comment.CheckSignedValue(s.secret, "unsubscribe", r.URL.Query().Get("t"))
	if !ok {
		s.fail(w, r, badRequest("This unsubscribe link is not valid."))
		return
	}
	if r.Method != http.MethodPost {
		// Mail scanners follow links; only a press of the button unsubscribes.
		s.showMessage(w, r, &messagePage{Heading: "Stop reply notifications?",
			Message: "Press the button and you will receive no more emails about replies to your comments.",
			Action:  r.URL.RequestURI(), Button: "Unsubscribe"})
		return
	}
	list, _, err := s.store.ListComments(r.Context(), store.CommentQuery{Email: email})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, c := range list {
		if c.Notify {
			c.Notify = false
			if err := s.store.UpdateComment(r.Context(), c); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	s.messagePage(w, r, "Unsubscribed", "You will receive no more emails about replies to your comments.")
}
