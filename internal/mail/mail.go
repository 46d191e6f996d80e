// Package mail sends the site's outgoing email, such as comment notifications: a Message and an
// SMTP sender built on net/smtp. Callers send from the background (the comment notifier reads a
// durable outbox), so a slow mail server never delays a reader's answer.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is one plain-text email to one recipient.
type Message struct {
	// To is the recipient: "reader@example.org" or "Zoë Reader <reader@example.org>".
	//
	// Privacy: an email address is personal data; it never appears in logs.
	To      string
	Subject string
	// Text is the body, plain text; lines may end in "\n", "\r\n" or "\r".
	Text string
	// Headers are extra header fields, such as List-Unsubscribe and List-Unsubscribe-Post
	// (RFC 8058). Names are letters, digits and hyphens; they may not be Cc, Bcc or a field Send
	// writes itself (From, To, Subject, Date, Message-ID, MIME-Version, Content-Type,
	// Content-Transfer-Encoding).
	Headers map[string]string
}

// Sender delivers messages. Implementations are safe for concurrent use; Send returns when the
// message has been handed over, or with an error when it could not be.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends messages through a mail server (a submission server, as RFC 6409 names it).
type SMTP struct {
	Host string
	// Port is the server's port: 587 (submission, usually with StartTLS), 465 (implicit TLS,
	// RFC 8314: the connection is TLS from its first byte) or 25. Zero means 587.
	Port int
	// Username and Password, when Username is set, authenticate with AUTH PLAIN, which net/smtp
	// only sends over TLS or to localhost.
	Username, Password string
	// From is the sender: "news@example.org" or "The Courier <news@example.org>".
	From string
	// StartTLS upgrades the connection with STARTTLS before anything else is sent and fails when
	// the server does not offer it.
	StartTLS bool
	// TLS configures TLS (StartTLS or port 465); nil verifies Host against the system's roots.
	TLS *tls.Config
	// Timeout bounds one whole delivery, from dialling to QUIT; zero means 30 seconds.
	Timeout time.Duration
	// Now is the clock for the Date field; nil means time.Now.
	Now func() time.Time
}

// reserved reports whether Message.Headers may not set the field of that canonical name: one
// that Send writes itself, or Cc or Bcc, since a message has one recipient, its envelope's.
func reserved(name string) bool {
	switch name {
	case "Bcc", "Cc", "Content-Transfer-Encoding", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To":
		return true
	}
	return false
}

// Send delivers m to its recipient. A malformed address, or a CR or LF in the recipient, the
// subject or a header, is refused before anything is sent, so that no field can inject another.
// ctx cancels the delivery.
func (s SMTP) Send(ctx context.Context, m Message) error {
	from, err := netmail.ParseAddress(s.From)
	if err != nil {
		return malformed("mail: sender %q: %w", s.From, err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	id, err := messageID(from.Address)
	if err != nil {
		return fmt.Errorf("mail: message id: %w", err)
	}
	msg, to, err := compose(from, m, now(), id)
	if err != nil {
		return err
	}
	if err := s.deliver(ctx, from.Address, to.Address, msg); err != nil {
		return fmt.Errorf("mail: send %q through %s: %w", m.Subject, s.addr(), err)
	}
	return nil
}

func (s SMTP) addr() string {
	port := s.Port
	if port == 0 {
		port = 587
	}
	return net.JoinHostPort(s.Host, strconv.Itoa(port))
}

func (s SMTP) tlsConfig() *tls.Config {
	if s.TLS != nil {
		return s.TLS
	}
	return &tls.Config{ServerName: s.Host}
}

// deliver holds one SMTP conversation, bounded by s.Timeout and ctx.
func (s SMTP) deliver(ctx context.Context, from, to string, msg []byte) (err error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr())
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	// Cancelling ctx closes the connection, which ends whatever read or write is under way.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer func() {
		if !stop() && err != nil {
			err = errors.Join(err, context.Cause(ctx))
		}
	}()
	if s.Port == 465 {
		conn = tls.Client(conn, s.tlsConfig())
	}
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	// The sender's domain names this client, as RFC 5321 asks for a name rather than "localhost".
	if err := c.Hello(from[strings.LastIndexByte(from, '@')+1:]); err != nil {
		return err
	}
	if s.StartTLS && s.Port != 465 {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the server does not offer STARTTLS")
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return err
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return err
		}
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	// The server accepted the message with its answer to DATA: a failed QUIT must not make the
	// caller send it again.
	c.Quit()
	return nil
}

// malformedError is a message that no retry can send.
type malformedError struct{ err error }

func (e *malformedError) Error() string { return e.err.Error() }
func (e *malformedError) Unwrap() error { return e.err }

func malformed(format string, args ...any) error {
	return &malformedError{fmt.Errorf(format, args...)}
}

// Permanent reports whether err, from Send, is a failure that trying again cannot fix: a
// malformed message or address, or a mail server's permanent refusal (a 5xx reply).
func Permanent(err error) bool {
	var m *malformedError
	var reply *textproto.Error
	return errors.As(err, &m) || (errors.As(err, &reply) && reply.Code >= 500)
}

// messageID returns a new, unique Message-ID in the sender's domain.
func messageID(from string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	domain := from[strings.LastIndexByte(from, '@')+1:]
	return "<" + hex.EncodeToString(b[:]) + "@" + domain + ">", nil
}

// compose writes m as an RFC 5322 message from from, with a quoted-printable UTF-8 body and
// RFC 2047 encoded words for non-ASCII header text, and returns it with the parsed recipient.
func compose(from *netmail.Address, m Message, date time.Time, id string) ([]byte, *netmail.Address, error) {
	if strings.ContainsAny(m.To, "\r\n") {
		return nil, nil, malformed("mail: the recipient contains a line break")
	}
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, nil, malformed("mail: the recipient is not an address: %w", err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, nil, malformed("mail: subject %q contains a line break", m.Subject)
	}
	extra := make([]string, 0, len(m.Headers))
	seen := map[string]bool{}
	for k, v := range m.Headers {
		if seen[textproto.CanonicalMIMEHeaderKey(k)] {
			return nil, nil, malformed("mail: header %s is given twice", k)
		}
		seen[textproto.CanonicalMIMEHeaderKey(k)] = true
		if !validName(k) {
			return nil, nil, malformed("mail: header name %q is not a field name", k)
		}
		if reserved(textproto.CanonicalMIMEHeaderKey(k)) {
			return nil, nil, malformed("mail: header %s cannot be set", k)
		}
		if strings.ContainsAny(v, "\r\n") {
			return nil, nil, malformed("mail: header %s value %q contains a line break", k, v)
		}
		extra = append(extra, k)
	}
	slices.Sort(extra)

	var buf bytes.Buffer
	header := func(name, value string) error {
		line := fold(name + ": " + value)
		for l := range strings.SplitSeq(line, "\r\n") {
			if len(l) > 998 {
				return malformed("mail: header %s is longer than a line may be", name)
			}
		}
		buf.WriteString(line)
		buf.WriteString("\r\n")
		return nil
	}
	fields := [][2]string{
		{"Date", date.Format(time.RFC1123Z)},
		{"From", from.String()},
		{"To", to.String()},
		{"Subject", encodeText(m.Subject)},
		{"Message-ID", id},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
	}
	for _, k := range extra {
		fields = append(fields, [2]string{k, encodeText(m.Headers[k])})
	}
	for _, f := range fields {
		if err := header(f[0], f[1]); err != nil {
			return nil, nil, err
		}
	}
	buf.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&buf)
	// Every line ending becomes "\n" first, which the writer turns into CRLF: its own handling of
	// a lone CR drops the line break after a control character that follows one.
	qp.Write([]byte(lineEnds.Replace(strings.ToValidUTF8(m.Text, "\uFFFD"))))
	qp.Close()
	return buf.Bytes(), to, nil
}

// lineEnds turns CRLF and lone CR into LF.
var lineEnds = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// validName reports whether name is a header field name of letters, digits and hyphens, the
// names real fields have (RFC 5322 allows more, which some parsers refuse).
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := range len(name) {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// encodeText returns s as header text: unchanged when it is printable ASCII, RFC 2047 encoded
// words otherwise.
func encodeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	for i := range len(s) {
		if c := s[i]; c >= utf8.RuneSelf || (c < ' ' && c != '\t') || c == 0x7f {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return s
}

// fold breaks a header line at spaces so that lines keep to 78 characters where they can.
func fold(line string) string {
	if len(line) <= 78 {
		return line
	}
	var b strings.Builder
	n := 0
	for i, word := range strings.Split(line, " ") {
		if i > 0 {
			if i > 1 && n+1+len(word) > 78 && word != "" {
				b.WriteString("\r\n")
				n = 0
			}
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
