package mail

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzCompose checks that no input to a Message can add a header field or escape the body: a
// message either is refused or parses back to exactly the fields Send writes plus the one extra,
// with its subject and body intact and every line within SMTP's limit.
func FuzzCompose(f *testing.F) {
	f.Add("Zoë <zoe@example.org>", "Réponse à « Budget »", "Bonjour\n.\n..two\r\nend", "List-Unsubscribe", "<https://x/u?t=1>")
	f.Add("ada@example.org", "Hi\r\nBcc: v@example.com", "x", "X-A", "b")
	f.Add("ada@example.org", strings.Repeat("word ", 300), strings.Repeat("é", 500), "X-Long", strings.Repeat("y ", 600))
	f.Add("ada@example.org", "=?utf-8?q?already?=", "\x00\xff\r", "Bcc", "v@example.com")
	from := &netmail.Address{Name: "The Courier", Address: "news@example.org"}
	date := time.Date(2026, 3, 22, 9, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, to, subject, text, name, value string) {
		m := Message{To: to, Subject: subject, Text: text}
		if name != "" {
			m.Headers = map[string]string{name: value}
		}
		msg, _, err := compose(from, m, date, "<id@example.org>")
		if err != nil {
			return
		}
		for l := range strings.SplitSeq(string(msg), "\r\n") {
			if len(l) > 998 {
				t.Fatalf("a line of %d bytes, want at most 998", len(l))
			}
		}
		r := textproto.NewReader(bufio.NewReader(bytes.NewReader(msg)))
		h, err := r.ReadMIMEHeader()
		if err != nil {
			t.Fatalf("ReadMIMEHeader = %v; message:\n%s", err, msg)
		}
		want := []string{"Content-Transfer-Encoding", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"}
		if name != "" {
			want = append(want, textproto.CanonicalMIMEHeaderKey(name))
		}
		slices.Sort(want)
		var got []string
		for k, v := range h {
			if len(v) != 1 {
				t.Errorf("header %s appears %d times, want once", k, len(v))
			}
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("header fields %q, want %q; message:\n%s", got, want, msg)
		}
		if !strings.Contains(subject, "=?") {
			dec, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
			if err != nil || strings.Join(strings.Fields(dec), " ") != strings.Join(strings.Fields(strings.ToValidUTF8(subject, "\uFFFD")), " ") {
				t.Errorf("Subject decodes to %q, %v; want %q", dec, err, subject)
			}
		}
		body, err := io.ReadAll(quotedprintable.NewReader(r.R))
		if err != nil {
			t.Fatalf("reading the quoted-printable body = %v", err)
		}
		// A lone CR ends a line too, as quoted-printable has no other way to carry it as text.
		wantBody := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(strings.ToValidUTF8(text, "\uFFFD"))
		if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != wantBody {
			t.Errorf("body = %q, want %q", got, wantBody)
		}
	})
}

func BenchmarkCompose(b *testing.B) {
	from := &netmail.Address{Name: "The Courier", Address: "news@example.org"}
	m := Message{
		To:      "Zoë Reader <zoe@example.org>",
		Subject: "Nouvelle réponse à votre commentaire",
		Text:    strings.Repeat("Amy a répondu à votre commentaire sur « Le budget ».\n", 20),
		Headers: map[string]string{"List-Unsubscribe": "<https://news.example.org/u?t=abc>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
	}
	date := time.Date(2026, 3, 22, 9, 30, 0, 0, time.UTC)
	for b.Loop() {
		if _, _, err := compose(from, m, date, "<id@example.org>"); err != nil {
			b.Fatal(err)
		}
	}
}
