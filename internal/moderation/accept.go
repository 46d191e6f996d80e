package moderation

import (
	"context"
	"errors"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Post is a comment as submitted, by a reader's form or a staff member's reply.
type Post struct {
	Article  *article.Article
	Input    comment.Input // cleaned; StaffID set for a signed-in staff member
	Token    string        // the form token; staff need none
	Honeypot bool          // the form's hidden field was filled
	Verify   bool          // the reader asked to confirm their address
	// Unmailed: the site sends no email, so the comment queues no notices (they would only be
	// dropped unread).
	Unmailed bool
}

// Accept is the use case "accept a comment", shared by the web form, the admin's reply and any
// other way in: it gathers the facts the comment policy needs from st (ban, the commenter's last
// comment, a duplicate, trust and the spam classifier's counts in one read, then the parent),
// applies
// comment.Settings to them and stores the comment with the status it earns, in one transaction
// with its form nonce and the notices it calls for. A rejection is one of comment's errors
// (ErrClosed, ErrToken, ErrFlood, …) or a comment.ValidationError; anything else is a fault.
func Accept(ctx context.Context, st store.Store, set comment.Settings, secret []byte, p Post, now time.Time) (*comment.Comment, error) {
	a, in := p.Article, p.Input
	if err := in.Validate(); err != nil {
		return nil, err
	}
	facts := comment.Facts{Now: now, Published: a.PublishedAt, Open: a.CommentsOpen, Staff: in.StaffID != 0}
	if err := set.CheckOpen(facts); err != nil {
		return nil, err
	}
	nonce, err := set.CheckFormToken(secret, p.Token, a.ID, now)
	if err != nil && !facts.Staff {
		return nil, err
	}
	tokens := comment.SpamTokens(in)
	known, err := st.PostFacts(ctx, store.PostCheck{ArticleID: a.ID, Name: in.Name, Email: in.Email, IP: in.IP,
		Content: in.Content, Tokens: tokens, Now: now})
	if err != nil {
		return nil, err
	}
	if known.Banned {
		return nil, comment.ErrBanned
	}
	if in.ParentID != 0 {
		p, err := st.Comment(ctx, in.ParentID)
		if err != nil || p.ArticleID != a.ID || p.Status != comment.Approved {
			return nil, comment.ErrParent
		}
	}
	facts.LastPostedAt = known.LastPostedAt
	if err := set.CheckFlood(facts); err != nil {
		return nil, err
	}
	if known.Duplicate {
		return nil, comment.ErrDuplicate
	}
	kept, err := ReturningComment(ctx, st, secret, in.Returning)
	if err != nil {
		return nil, err
	}
	facts.Returning = comment.Recognise(in, known.Trusted, kept)
	facts.SpamScore = comment.SpamScore(tokens, known.Counts, known.Spam, known.Ham)
	facts.SpamTrained = known.Spam > 0 && known.Ham > 0
	d := set.Decide(in, facts)
	if p.Honeypot {
		d = comment.Decision{Status: comment.Spam, Reasons: []string{"the hidden honeypot field was filled (a robot)"}}
	}
	c := &comment.Comment{ArticleID: a.ID, ParentID: in.ParentID, Type: comment.Regular, Status: d.Status,
		AuthorName: in.Name, AuthorEmail: in.Email, AuthorURL: in.NormalURL(), AuthorIP: in.IP, UserAgent: in.UserAgent,
		StaffID: in.StaffID, Content: in.Content, CreatedAt: now, Notify: in.Notify, Reasons: d.Reasons, SpamScore: facts.SpamScore}
	err = st.InTx(ctx, func(tx store.Store) error {
		if nonce != "" {
			if err := tx.UseNonce(ctx, nonce, now.Add(set.FormLifetime), now); err != nil {
				if errors.Is(err, store.ErrConflict) {
					return comment.ErrToken
				}
				return err
			}
		}
		if err := tx.CreateComment(ctx, c); err != nil {
			return err
		}
		if p.Unmailed {
			return nil
		}
		if p.Verify && c.Status != comment.Spam && !known.Trusted {
			if err := tx.QueueNotice(ctx, c.ID, comment.NoticeVerify, now); err != nil {
				return err
			}
		}
		return Created(ctx, tx, c, now)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ReturningComment is the comment a returning-commenter token names; nil for no token, a forged
// one or a comment since erased.
func ReturningComment(ctx context.Context, st store.Store, secret []byte, token string) (*comment.Comment, error) {
	id, ok := comment.CheckReturningToken(secret, token)
	if !ok {
		return nil, nil
	}
	c, err := st.Comment(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return c, err
}
