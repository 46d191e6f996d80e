package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/mail"
	"github.com/broadsheet/broadsheet/internal/store"
)

// SendStaffMail sends the staff emails due in the outbox through sender (nil: mail is not
// configured, and they are dropped) and returns how many were sent. An invitation or a reset
// gets its set-password link now, as it is sent, so that the outbox never holds a usable token;
// a link whose email could not be sent is deleted at once.
func (s *Server) SendStaffMail(ctx context.Context, sender mail.Sender) (int, error) {
	now := s.now()
	due, err := s.store.DueStaffMail(ctx, now, 50)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range due {
		err := s.sendStaffMail(ctx, sender, m)
		if err == nil && sender != nil {
			sent++
		}
		switch {
		case err == nil || errors.Is(err, store.ErrNotFound) || mail.Permanent(err) || m.Attempts+1 >= maxNoticeAttempts:
			if err != nil {
				s.log.ErrorContext(ctx, "staff email given up", slog.String("kind", m.Kind), slog.Int64("user", m.UserID), slog.Any("err", err))
			}
			if err := s.store.DoneStaffMail(ctx, m.ID); err != nil {
				return sent, err
			}
		default:
			backoff := min(time.Minute<<m.Attempts, 6*time.Hour)
			s.log.WarnContext(ctx, "staff email failed; will retry", slog.String("kind", m.Kind), slog.Int64("user", m.UserID),
				slog.Duration("in", backoff), slog.Any("err", err))
			if err := s.store.RetryStaffMail(ctx, m.ID, now.Add(backoff)); err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}

// sendStaffMail composes and sends one staff email; without a sender it does nothing.
func (s *Server) sendStaffMail(ctx context.Context, sender mail.Sender, m store.StaffMail) error {
	if sender == nil {
		return nil
	}
	u, err := s.store.User(ctx, m.UserID)
	if err != nil {
		return err
	}
	var link *account.PasswordLink
	var linkURL string
	if m.Kind == store.StaffInvite || m.Kind == store.StaffReset {
		purpose := account.LinkReset
		if m.Kind == store.StaffInvite {
			purpose = account.LinkInvite
		}
		var token string
		token, link = account.NewPasswordLink(u, purpose, s.now())
		if err := s.store.CreatePasswordLink(ctx, link); err != nil {
			return err
		}
		linkURL = s.abs("/admin/password?t=" + url.QueryEscape(token))
	}
	msg := s.staffMessage(m, u, linkURL)
	if err := sender.Send(ctx, msg); err != nil {
		if link != nil {
			if _, derr := s.store.UsePasswordLink(context.WithoutCancel(ctx), link.TokenHash); derr != nil && !errors.Is(derr, store.ErrNotFound) {
				err = errors.Join(err, derr)
			}
		}
		return err
	}
	return nil
}

// staffMessage composes the email m calls for to u; linkURL is its set-password link, if any.
func (s *Server) staffMessage(m store.StaffMail, u *account.User, linkURL string) mail.Message {
	title := s.cfg.Title
	to := (&netmail.Address{Name: u.Name, Address: u.Email}).String()
	lost := s.abs("/admin/password/lost")
	var subject, body string
	switch m.Kind {
	case store.StaffInvite:
		by := m.Detail
		if by == "" {
			by = "An administrator"
		}
		subject = "You are invited to join " + title
		body = fmt.Sprintf("%s has invited you to join the newsroom of %s as %s.\n\n"+
			"Choose your password here; the link works once, for %s:\n\n%s\n\n"+
			"You will sign in with this email address, %s.\n",
			by, title, u.Role.Label(), plural(int(account.InviteLinkLife.Hours()/24), "day", "days"), linkURL, u.Email)
	case store.StaffReset:
		subject = "Choose a new password for " + title
		body = fmt.Sprintf("Someone asked for a new password for your newsroom account at %s, %s.\n\n"+
			"Choose it here; the link works once, for %s:\n\n%s\n\n"+
			"If you did not ask, ignore this email: your password stays as it is.\n",
			title, u.Email, plural(int(account.ResetLinkLife.Minutes()), "minute", "minutes"), linkURL)
	case store.StaffPassword:
		subject = "Your password at " + title + " was changed"
		body = fmt.Sprintf("The password of your newsroom account at %s, %s, was changed, and every other browser "+
			"signed in as you was signed out.\n\nIf you did not change it, choose a new one at once: %s\n"+
			"and tell an administrator.\n", title, u.Email, lost)
	case store.StaffRole:
		subject = "Your role at " + title + " is now " + account.Role(m.Detail).Label()
		body = fmt.Sprintf("An administrator made you %s in the newsroom of %s.\n\n%s\n\nSign in: %s\n",
			account.Role(m.Detail).Label(), title, roleSummary(account.Role(m.Detail)), s.abs("/admin/"))
	case store.StaffEmailOld:
		// The new address is not named: whoever reads the old mailbox need not learn it.
		to = (&netmail.Address{Name: u.Name, Address: m.Detail}).String()
		subject = "Your sign-in email at " + title + " was changed"
		body = fmt.Sprintf("The newsroom account at %s that signed in with this address, %s, now signs in with "+
			"another one, and its emails go there.\n\nIf you did not ask for this, tell an administrator of %s at once.\n",
			title, m.Detail, title)
	case store.StaffEmailNew:
		subject = "This is now your sign-in email at " + title
		body = fmt.Sprintf("Your newsroom account at %s now signs in with this address, %s, instead of %s. "+
			"Your password and role are as they were.\n\nSign in: %s\n", title, u.Email, m.Detail, s.abs("/admin/"))
	case store.StaffDevice:
		subject = "New sign-in to your account at " + title
		body = fmt.Sprintf("Your newsroom account at %s, %s, was signed in to from a browser that had not signed in "+
			"as you before:\n\n%s\n\nIf it was you, there is nothing to do. If not, choose a new password at once: %s\n"+
			"Choosing one signs out every other browser.\n", title, u.Email, m.Detail, lost)
	}
	return mail.Message{To: to, Subject: subject, Text: body}
}

// roleSummary says in one sentence what a role may do.
func roleSummary(r account.Role) string {
	switch r {
	case account.Administrator:
		return "You may do everything, including settings and users."
	case account.Editor:
		return "You may manage every story, sections, tags, bylines and comments."
	case account.Author:
		return "You may write and publish your own stories."
	case account.Contributor:
		return "You may write your own drafts and submit them for review."
	case account.Moderator:
		return "You may moderate readers' comments."
	}
	return ""
}
