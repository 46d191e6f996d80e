package mail_test

import (
	"context"
	"errors"
	"mime"
	"net"
	netmail "net/mail"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/mail"
	"github.com/broadsheet/broadsheet/internal/mail/mailtest"
)

// sentAt is the tests' clock.
var sentAt = time.Date(2026, 3, 22, 9, 30, 0, 0, time.FixedZone("CET", 3600))

// through returns an SMTP sender for srv with a fixed clock.
func through(srv *mailtest.Server) mail.SMTP {
	return mail.SMTP{
		Host:    srv.Host(),
		Port:    srv.Port(),
		From:    "The Courier <news@example.org>",
		Timeout: 5 * time.Second,
		Now:     func() time.Time { return sentAt },
	}
}

// notification is a reply notification as the web side sends it, with what breaks naive
// senders: non-ASCII text, lines starting with dots, a long line, trailing spaces.
func notification() mail.Message {
	return mail.Message{
		To:      "Zoë Reader <zoe@example.org>",
		Subject: "Nouvelle réponse à votre commentaire sur « Le budget »",
		Text: "Bonjour Zoë,\n\nAmy a répondu :\n.\n.A line with one dot\n..two dots\n" +
			strings.Repeat("long line — ", 30) + "end\nTrailing spaces   \n\nhttps://news.example.org/2026/03/22/budget/#comment-12\n",
		Headers: map[string]string{
			"List-Unsubscribe":      "<https://news.example.org/unsubscribe?t=abc123>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	}
}

func TestSend(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	m := notification()
	if err := through(srv).Send(t.Context(), m); err != nil {
		t.Fatalf("Send = %v", err)
	}
	got := srv.Wait(t, 1, 30*time.Second)[0]
	if got.From != "news@example.org" {
		t.Errorf("envelope sender = %q, want %q", got.From, "news@example.org")
	}
	if diff := cmp.Diff([]string{"zoe@example.org"}, got.To); diff != "" {
		t.Errorf("envelope recipients (-want +got):\n%s", diff)
	}
	if got.Body != m.Text {
		t.Errorf("decoded body = %q\nwant %q", got.Body, m.Text)
	}
	h := got.Header
	date, err := netmail.ParseDate(h.Get("Date"))
	if err != nil || !date.Equal(sentAt) {
		t.Errorf("Date = %q (%v, %v), want %v", h.Get("Date"), date, err, sentAt)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject = %q, decoded %q, %v; want %q", h.Get("Subject"), subject, err, m.Subject)
	}
	if s := h.Get("Subject"); !strings.HasPrefix(s, "=?utf-8?") {
		t.Errorf("Subject = %q, want RFC 2047 encoded words", s)
	}
	for _, f := range []struct {
		field string
		want  netmail.Address
	}{{"From", netmail.Address{Name: "The Courier", Address: "news@example.org"}}, {"To", netmail.Address{Name: "Zoë Reader", Address: "zoe@example.org"}}} {
		a, err := netmail.ParseAddress(h.Get(f.field))
		if err != nil {
			t.Errorf("%s = %q: %v", f.field, h.Get(f.field), err)
			continue
		}
		if diff := cmp.Diff(f.want, *a); diff != "" {
			t.Errorf("%s = %q (-want +parsed):\n%s", f.field, h.Get(f.field), diff)
		}
	}
	want := map[string]string{
		"Mime-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
		"List-Unsubscribe":          "<https://news.example.org/unsubscribe?t=abc123>",
		"List-Unsubscribe-Post":     "List-Unsubscribe=One-Click",
	}
	for k, v := range want {
		if got := h.Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q once", k, got, v)
		}
	}
	if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.org>") || len(id) < 20 {
		t.Errorf("Message-ID = %q, want <unique@example.org>", id)
	}
	for i, line := range strings.Split(got.Raw, "\r\n") {
		if len(line) > 78 && !strings.HasPrefix(line, "Subject:") {
			t.Errorf("line %d has %d characters, want at most 78: %q", i+1, len(line), line)
		}
	}
	head, body, _ := strings.Cut(got.Raw, "\r\n\r\n")
	for i := range len(body) {
		if body[i] >= 0x80 {
			t.Fatalf("body byte %d is %#x, want 7-bit quoted-printable; head:\n%s", i, body[i], head)
		}
	}
}

func TestSendMessageIDsDiffer(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	s := through(srv)
	for range 2 {
		if err := s.Send(t.Context(), mail.Message{To: "ada@example.org", Subject: "Hello", Text: "Hi."}); err != nil {
			t.Fatalf("Send = %v", err)
		}
	}
	got := srv.Wait(t, 2, 30*time.Second)
	if a, b := got[0].Header.Get("Message-Id"), got[1].Header.Get("Message-Id"); a == b {
		t.Errorf("two messages share Message-ID %q", a)
	}
	if s := got[0].Header.Get("Subject"); s != "Hello" {
		t.Errorf("ASCII Subject = %q, want it as is", s)
	}
}

func TestSendLongSubjectFolds(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	subject := strings.TrimSpace(strings.Repeat("Budget vote delayed again ", 12))
	if err := through(srv).Send(t.Context(), mail.Message{To: "ada@example.org", Subject: subject, Text: "Hi."}); err != nil {
		t.Fatalf("Send = %v", err)
	}
	got := srv.Wait(t, 1, 30*time.Second)[0]
	if s := got.Header.Get("Subject"); s != subject {
		t.Errorf("Subject = %q, want %q", s, subject)
	}
	if !strings.Contains(got.Raw, "\r\n delayed") {
		t.Errorf("a %d-character Subject was not folded:\n%s", len(subject), got.Raw)
	}
}

func TestSendRefusesInjection(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	tests := []struct {
		name string
		edit func(m *mail.Message)
	}{
		{"CRLF in recipient", func(m *mail.Message) { m.To = "ada@example.org\r\nBcc: victim@example.com" }},
		{"LF in recipient name", func(m *mail.Message) { m.To = "Ada\n <ada@example.org>" }},
		{"two recipients", func(m *mail.Message) { m.To = "ada@example.org, victim@example.com" }},
		{"not an address", func(m *mail.Message) { m.To = "ada" }},
		{"CRLF in subject", func(m *mail.Message) { m.Subject = "Hi\r\nBcc: victim@example.com" }},
		{"CR in subject", func(m *mail.Message) { m.Subject = "Hi\rBcc: victim@example.com" }},
		{"LF in a header value", func(m *mail.Message) { m.Headers = map[string]string{"List-Unsubscribe": "<x>\nBcc: v@example.com"} }},
		{"colon in a header name", func(m *mail.Message) { m.Headers = map[string]string{"Bcc: v@example.com\r\nX": "y"} }},
		{"space in a header name", func(m *mail.Message) { m.Headers = map[string]string{"X Header": "y"} }},
		{"empty header name", func(m *mail.Message) { m.Headers = map[string]string{"": "y"} }},
		{"a field Send writes", func(m *mail.Message) { m.Headers = map[string]string{"from": "boss@example.org"} }},
		{"a blind copy", func(m *mail.Message) { m.Headers = map[string]string{"Bcc": "victim@example.com"} }},
		{"a field twice", func(m *mail.Message) { m.Headers = map[string]string{"X-Tag": "a", "x-tag": "b"} }},
		{"a header line too long", func(m *mail.Message) { m.Headers = map[string]string{"X-Long": strings.Repeat("x", 1000)} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := mail.Message{To: "ada@example.org", Subject: "Hello", Text: "Hi."}
			tc.edit(&m)
			err := through(srv).Send(t.Context(), m)
			if err == nil {
				t.Fatalf("Send(%+v) = nil, want an error", m)
			}
			if !mail.Permanent(err) {
				t.Errorf("Permanent(%v) = false, want true: no retry can send it", err)
			}
		})
	}
	t.Cleanup(func() {
		if got := srv.Messages(); len(got) != 0 {
			t.Errorf("the server received %d messages, want none; first:\n%s", len(got), got[0].Raw)
		}
	})
}

func TestSendBadSender(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	s := through(srv)
	s.From = "news@example.org\r\nBcc: victim@example.com"
	if err := s.Send(t.Context(), mail.Message{To: "ada@example.org", Subject: "Hi", Text: "Hi."}); err == nil || !mail.Permanent(err) {
		t.Errorf("Send from a forged sender = %v, want a permanent error", err)
	}
}

func TestSendAuth(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t, mailtest.Config{Username: "courier", Password: "s3cret"})
	m := mail.Message{To: "ada@example.org", Subject: "Hi", Text: "Hi."}
	tests := []struct {
		name, user, pass string
		ok               bool
	}{
		{"right password", "courier", "s3cret", true},
		{"wrong password", "courier", "guess", false},
		{"no credentials", "", "", false},
	}
	for _, tc := range tests {
		s := through(srv)
		s.Username, s.Password = tc.user, tc.pass
		err := s.Send(t.Context(), m)
		if (err == nil) != tc.ok {
			t.Errorf("Send with %s = %v, want success %t", tc.name, err, tc.ok)
		}
		if err != nil && !mail.Permanent(err) {
			t.Errorf("Permanent(%v) = false, want true for a refused login", err)
		}
	}
	if got := srv.Messages(); len(got) != 1 {
		t.Errorf("the server received %d messages, want 1 (the authenticated one)", len(got))
	}
}

func TestSendStartTLSRequired(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t, mailtest.Config{Username: "courier", Password: "s3cret"})
	s := through(srv)
	s.StartTLS, s.Username, s.Password = true, "courier", "s3cret"
	err := s.Send(t.Context(), mail.Message{To: "ada@example.org", Subject: "Hi", Text: "Hi."})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("Send with StartTLS to a server without it = %v, want an error naming STARTTLS", err)
	}
	if got := srv.Messages(); len(got) != 0 {
		t.Errorf("the server received %d messages, want none", len(got))
	}
}

func TestSendTemporaryFailure(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	srv.FailNext(1)
	s := through(srv)
	m := mail.Message{To: "ada@example.org", Subject: "Hi", Text: "Hi."}
	err := s.Send(t.Context(), m)
	if err == nil || mail.Permanent(err) {
		t.Fatalf("Send to a server answering 451 = %v, want a temporary error", err)
	}
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatalf("Send after the failure = %v", err)
	}
	srv.Wait(t, 1, 30*time.Second)
}

// silent accepts connections and never answers, as a hung mail server does.
func silent(t *testing.T) (host string, port int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen = %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	a := ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

func TestSendHungServer(t *testing.T) {
	t.Parallel()
	host, port := silent(t)
	m := mail.Message{To: "ada@example.org", Subject: "Hi", Text: "Hi."}

	// What ended each wait is in the error: the timeout's deadline or the caller's cancellation.
	// (Had either been ignored, Send would wait for the other, or hang until the test times out.)
	s := mail.SMTP{Host: host, Port: port, From: "news@example.org", Timeout: 200 * time.Millisecond}
	err := s.Send(t.Context(), m)
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Send to a hung server with a 200ms timeout = %v, want a deadline error", err)
	}
	if mail.Permanent(err) {
		t.Errorf("Permanent(%v) = true, want a timeout to be temporary", err)
	}

	s.Timeout = time.Minute
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(200*time.Millisecond, cancel)
	err = s.Send(ctx, m)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send to a hung server, cancelled after 200ms = %v; want context.Canceled", err)
	}
}
