// Package moderation carries out moderators' decisions on comments — from the admin, the
// command line or the JSON API alike — with what each decision entails: the spam classifier
// learns from it and the notifications it calls for are queued, in the same transaction.
package moderation

import (
	"context"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
)

// SetStatus moves the comments ids to status and returns those that changed, as they are now.
func SetStatus(ctx context.Context, st store.Store, ids []int64, status comment.Status, now time.Time) ([]*comment.Comment, error) {
	if !status.Valid() {
		return nil, fmt.Errorf("moderation: unknown status %q", status)
	}
	var changed []*comment.Comment
	err := st.InTx(ctx, func(tx store.Store) error {
		before, err := tx.SetCommentStatus(ctx, ids, status)
		if err != nil {
			return err
		}
		for _, c := range before {
			from := c.Status
			c.Status = status
			if err := train(ctx, tx, c, from, status); err != nil {
				return err
			}
			for _, kind := range comment.Notices(c, from) {
				if err := tx.QueueNotice(ctx, c.ID, kind, now); err != nil {
					return err
				}
			}
			changed = append(changed, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("moderation: set %v to %s: %w", ids, status, err)
	}
	return changed, nil
}

// Created queues what a newly stored comment calls for; call it in the transaction that stores it.
func Created(ctx context.Context, tx store.Store, c *comment.Comment, now time.Time) error {
	for _, kind := range comment.Notices(c, "") {
		if err := tx.QueueNotice(ctx, c.ID, kind, now); err != nil {
			return err
		}
	}
	return nil
}

// train teaches the classifier a moderator's decision.
func train(ctx context.Context, tx store.Store, c *comment.Comment, from, to comment.Status) error {
	spam, ham := comment.Training(from, to)
	if spam == 0 && ham == 0 {
		return nil
	}
	tokens := comment.SpamTokens(comment.Input{Name: c.AuthorName, URL: c.AuthorURL, Content: c.Content})
	if spam != 0 {
		if err := tx.TrainSpam(ctx, tokens, true, spam); err != nil {
			return err
		}
	}
	if ham != 0 {
		return tx.TrainSpam(ctx, tokens, false, ham)
	}
	return nil
}
