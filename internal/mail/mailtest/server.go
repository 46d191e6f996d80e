// Package mailtest is an in-process SMTP server for tests: it speaks enough SMTP for net/smtp
// (EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), listens on 127.0.0.1 and records
// the messages it receives, decoded.
package mailtest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one message the server accepted.
type Message struct {
	// From and To are the envelope: MAIL FROM and every RCPT TO, without angle brackets.
	From string
	To   []string
	// Header is the message's header, parsed; encoded words are left as sent.
	Header textproto.MIMEHeader
	// Body is the body decoded from its Content-Transfer-Encoding, with "\n" line ends.
	Body string
	// Raw is the message as received, after dot-unstuffing, with "\r\n" line ends.
	Raw string
}

// Config changes what the server accepts; the zero value accepts every message without
// authentication.
type Config struct {
	// Username and Password, when Username is set, make the server offer AUTH PLAIN (without TLS,
	// which net/smtp allows towards 127.0.0.1) and refuse MAIL before a successful AUTH.
	Username, Password string
}

// Server is a running test SMTP server. Its methods are safe for concurrent use.
type Server struct {
	cfg Config
	ln  net.Listener
	wg  sync.WaitGroup

	mu      sync.Mutex
	msgs    []Message
	fail    int
	conns   map[net.Conn]bool
	changed chan struct{} // closed and replaced whenever a message arrives
	closed  bool
}

// NewServer starts a server that accepts every message and stops it when the test ends.
func NewServer(t testing.TB) *Server {
	return Start(t, Config{})
}

// Start starts a server configured by cfg and stops it when the test ends.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s := &Server{cfg: cfg, ln: ln, conns: map[net.Conn]bool{}, changed: make(chan struct{})}
	s.wg.Go(s.serve)
	t.Cleanup(s.Close)
	return s
}

// Addr returns the server's "host:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host returns the server's IP address, "127.0.0.1".
func (s *Server) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port returns the server's port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// FailNext makes the server answer the next n messages' DATA with a temporary failure (451)
// instead of accepting them.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = n
}

// Messages returns the messages accepted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait returns the messages once at least n have arrived; it fails the test when they have not
// within timeout.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		msgs, changed := append([]Message(nil), s.msgs...), s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("mailtest: %d messages after %v, want %d", len(msgs), timeout, n)
			return nil
		}
	}
}

// Close stops the server and ends its connections; the test's cleanup calls it.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Go(func() {
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.session(c)
		})
	}
}

// maxLine bounds a command line and a message (10 MB), so a broken client cannot exhaust memory.
const (
	maxLine    = 4096
	maxMessage = 10 << 20
)

// session holds one SMTP conversation.
func (s *Server) session(c net.Conn) {
	r := textproto.NewReader(bufio.NewReader(io.LimitReader(c, maxMessage+1<<20)))
	w := bufio.NewWriter(c)
	reply := func(lines ...string) {
		for _, l := range lines {
			w.WriteString(l)
			w.WriteString("\r\n")
		}
		w.Flush()
	}
	reply("220 mailtest ESMTP ready")
	var greeted, authed bool
	var from string
	var to []string
	inMail := false
	reset := func() { from, to, inMail = "", nil, false }
	for {
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		if len(line) > maxLine {
			reply("500 5.5.2 line too long")
			continue
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		switch verb {
		case "EHLO":
			greeted = true
			reset()
			ext := []string{"250-mailtest", "250-8BITMIME", "250-SMTPUTF8"}
			if s.cfg.Username != "" {
				ext = append(ext, "250-AUTH PLAIN")
			}
			reply(append(ext, "250 SIZE "+strconv.Itoa(maxMessage))...)
		case "HELO":
			greeted = true
			reset()
			reply("250 mailtest")
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			switch {
			case s.cfg.Username == "" || !strings.EqualFold(mech, "PLAIN"):
				reply("504 5.5.4 mechanism not supported")
				continue
			case authed:
				reply("503 5.5.1 already authenticated")
				continue
			}
			if initial == "" {
				reply("334 ")
				if initial, err = r.ReadLine(); err != nil {
					return
				}
			}
			if s.checkPlain(initial) {
				authed = true
				reply("235 2.7.0 authentication succeeded")
			} else {
				reply("535 5.7.8 authentication credentials invalid")
			}
		case "MAIL":
			addr, ok := path(arg, "FROM:")
			switch {
			case !greeted:
				reply("503 5.5.1 say EHLO first")
			case s.cfg.Username != "" && !authed:
				reply("530 5.7.0 authentication required")
			case inMail:
				reply("503 5.5.1 nested MAIL command")
			case !ok:
				reply("501 5.5.4 syntax: MAIL FROM:<address>")
			default:
				from, inMail = addr, true
				reply("250 2.1.0 ok")
			}
		case "RCPT":
			addr, ok := path(arg, "TO:")
			switch {
			case !inMail:
				reply("503 5.5.1 need MAIL first")
			case !ok || addr == "":
				reply("501 5.5.4 syntax: RCPT TO:<address>")
			default:
				to = append(to, addr)
				reply("250 2.1.5 ok")
			}
		case "DATA":
			if len(to) == 0 {
				reply("503 5.5.1 need RCPT first")
				continue
			}
			reply("354 end data with <CR><LF>.<CR><LF>")
			raw, err := io.ReadAll(io.LimitReader(r.DotReader(), maxMessage+1))
			if err != nil {
				return
			}
			switch {
			case len(raw) > maxMessage:
				reply("552 5.3.4 message too big")
			case s.record(from, to, raw):
				reply("250 2.0.0 ok: queued")
			default:
				reply("451 4.3.0 try again later")
			}
			reset()
		case "RSET":
			reset()
			reply("250 2.0.0 ok")
		case "NOOP":
			reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 command not implemented")
		}
	}
}

// path parses "FROM:<address> PARAMS" (prefix "FROM:") and returns the address.
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	addr, _, ok := strings.Cut(rest[1:], ">")
	return addr, ok
}

// checkPlain checks an AUTH PLAIN response: base64 of "authzid NUL user NUL password".
func (s *Server) checkPlain(resp string) bool {
	b, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		return false
	}
	parts := bytes.Split(b, []byte{0})
	return len(parts) == 3 && string(parts[1]) == s.cfg.Username && string(parts[2]) == s.cfg.Password
}

// record keeps a received message, or reports false when the server is to fail it.
func (s *Server) record(from string, to []string, raw []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		return false
	}
	// DotReader turns line ends into "\n"; Raw keeps the wire's "\r\n".
	crlf := strings.ReplaceAll(string(raw), "\n", "\r\n")
	m := Message{From: from, To: to, Raw: crlf}
	m.Header, m.Body = parse(raw)
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
	return true
}

// parse splits a message into its header and decoded body. A message it cannot parse keeps an
// empty header and its raw text as the body, so that a test sees what arrived.
func parse(raw []byte) (textproto.MIMEHeader, string) {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	h, err := r.ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return textproto.MIMEHeader{}, string(raw)
	}
	rest, _ := io.ReadAll(r.R)
	body, err := decode(h.Get("Content-Transfer-Encoding"), rest)
	if err != nil {
		return h, fmt.Sprintf("mailtest: undecodable body (%v): %s", err, rest)
	}
	return h, strings.ReplaceAll(body, "\r\n", "\n")
}

func decode(encoding string, body []byte) (string, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		b, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		return string(b), err
	case "base64":
		b, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.ReplaceAll(body, []byte("\n"), nil))))
		return string(b), err
	}
	return string(body), nil
}
