package mailtest_test

import (
	"bufio"
	"encoding/base64"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/mail/mailtest"
)

// session is a raw SMTP client: each step sends a command and checks the reply's code.
type session struct {
	t *testing.T
	c *textproto.Conn
}

func dial(t *testing.T, srv *mailtest.Server) *session {
	t.Helper()
	nc, err := net.DialTimeout("tcp", srv.Addr(), 5*time.Second)
	if err != nil {
		t.Fatalf("Dial(%s) = %v", srv.Addr(), err)
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	c := textproto.NewConn(nc)
	t.Cleanup(func() { c.Close() })
	s := &session{t: t, c: c}
	s.expect("greeting", 220)
	return s
}

func (s *session) expect(what string, code int) string {
	s.t.Helper()
	got, msg, err := s.c.ReadResponse(0)
	if err != nil && got == 0 {
		s.t.Fatalf("%s: reading the reply: %v", what, err)
	}
	if got != code {
		s.t.Fatalf("%s: reply %d %q, want %d", what, got, msg, code)
	}
	return msg
}

// do sends line and checks the reply's code.
func (s *session) do(line string, code int) string {
	s.t.Helper()
	if err := s.c.PrintfLine("%s", line); err != nil {
		s.t.Fatalf("%s: %v", line, err)
	}
	return s.expect(line, code)
}

func TestProtocol(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	s := dial(t, srv)
	s.do("MAIL FROM:<a@example.org>", 503)
	if ext := s.do("EHLO client.example.org", 250); strings.Contains(ext, "AUTH") {
		t.Errorf("EHLO lists %q, want no AUTH without credentials configured", ext)
	}
	s.do("AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("\x00u\x00p")), 504)
	s.do("RCPT TO:<b@example.org>", 503)
	s.do("DATA", 503)
	s.do("NOOP", 250)
	s.do("VRFY b@example.org", 502)
	s.do("MAIL FROM:<dropped@example.org>", 250)
	s.do("RCPT TO:<dropped@example.org>", 250)
	s.do("RSET", 250)
	s.do("RCPT TO:<b@example.org>", 503)
	s.do("mail from:<a@example.org> BODY=8BITMIME", 250)
	s.do("RCPT TO:<b@example.org>", 250)
	s.do("RCPT TO:<c@example.org>", 250)
	s.do("DATA", 354)
	// Written as it travels: a line starting with a dot has one more.
	s.c.W.WriteString("Subject: dots\r\nContent-Transfer-Encoding: 7bit\r\n\r\n..one\r\n...two\r\n..\r\nend\r\n.\r\n")
	s.c.W.Flush()
	s.expect("end of DATA", 250)
	s.do("HELO again.example.org", 250)
	s.do("MAIL FROM:<>", 250)
	s.do("RCPT TO:<d@example.org>", 250)
	s.do("DATA", 354)
	s.c.W.WriteString("Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte("décodé\r\n")) + "\r\n.\r\n")
	s.c.W.Flush()
	s.expect("end of DATA", 250)
	s.do("QUIT", 221)

	got := srv.Wait(t, 2, 30*time.Second)
	want := []mailtest.Message{
		{From: "a@example.org", To: []string{"b@example.org", "c@example.org"},
			Header: textproto.MIMEHeader{"Subject": {"dots"}, "Content-Transfer-Encoding": {"7bit"}},
			Body:   ".one\n..two\n.\nend\n",
			Raw:    "Subject: dots\r\nContent-Transfer-Encoding: 7bit\r\n\r\n.one\r\n..two\r\n.\r\nend\r\n"},
		{From: "", To: []string{"d@example.org"},
			Header: textproto.MIMEHeader{"Content-Transfer-Encoding": {"base64"}},
			Body:   "décodé\n",
			Raw:    "Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte("décodé\r\n")) + "\r\n"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Messages (-want +got):\n%s", diff)
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t, mailtest.Config{Username: "courier", Password: "s3cret"})
	plain := func(user, pass string) string {
		return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
	}
	s := dial(t, srv)
	if ext := s.do("EHLO client.example.org", 250); !strings.Contains(ext, "AUTH PLAIN") {
		t.Errorf("EHLO lists %q, want AUTH PLAIN", ext)
	}
	s.do("MAIL FROM:<a@example.org>", 530)
	s.do("AUTH PLAIN "+plain("courier", "guess"), 535)
	s.do("AUTH LOGIN", 504)
	s.do("AUTH PLAIN", 334)
	s.do(plain("courier", "s3cret"), 235)
	s.do("AUTH PLAIN "+plain("courier", "s3cret"), 503)
	s.do("MAIL FROM:<a@example.org>", 250)
}

func TestFailNext(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	srv.FailNext(1)
	s := dial(t, srv)
	s.do("HELO client.example.org", 250)
	for _, code := range []int{451, 250} {
		s.do("MAIL FROM:<a@example.org>", 250)
		s.do("RCPT TO:<b@example.org>", 250)
		s.do("DATA", 354)
		w := s.c.DotWriter()
		w.Write([]byte("Subject: hi\r\n\r\nHi.\r\n"))
		w.Close()
		s.expect("end of DATA", code)
	}
	if got := srv.Messages(); len(got) != 1 {
		t.Errorf("Messages() = %d, want the one accepted", len(got))
	}
}

func TestCloseEndsSessions(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	s := dial(t, srv)
	srv.Close()
	if _, err := bufio.NewReader(s.c.R).ReadString('\n'); err == nil {
		t.Errorf("a session survived Close")
	}
	srv.Close() // twice is harmless: the test's cleanup calls it again
}
