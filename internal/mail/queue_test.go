package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/mail"
	"github.com/broadsheet/broadsheet/internal/mail/mailtest"
)

// run starts q.Run and returns a function that stops it and waits for it to return.
func run(t *testing.T, q *mail.Queue) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		q.Run(ctx)
		close(done)
	}()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Run did not return 10s after its context was cancelled")
		}
	}
	t.Cleanup(stop)
	return stop
}

// logs is a concurrency-safe log destination.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// sender is a Sender whose answers the test controls; it records what it was asked to send.
type sender struct {
	mu    sync.Mutex
	sent  []string // subjects, in order of the calls
	calls chan string
	// answer decides each call's outcome; nil accepts every message.
	answer func(ctx context.Context, m mail.Message) error
}

func newSender(answer func(ctx context.Context, m mail.Message) error) *sender {
	return &sender{calls: make(chan string, 100), answer: answer}
}

func (s *sender) Send(ctx context.Context, m mail.Message) error {
	s.calls <- m.Subject
	err := ctx.Err()
	if err == nil && s.answer != nil {
		err = s.answer(ctx, m)
	}
	if err == nil {
		s.mu.Lock()
		s.sent = append(s.sent, m.Subject)
		s.mu.Unlock()
	}
	return err
}

func (s *sender) delivered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent...)
}

// wait waits until the sender has delivered n messages.
func (s *sender) wait(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(s.delivered()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d messages delivered after 5s, want %d", len(s.delivered()), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// next waits for the sender's next call and returns its subject.
func (s *sender) next(t *testing.T) string {
	t.Helper()
	select {
	case subject := <-s.calls:
		return subject
	case <-time.After(5 * time.Second):
		t.Fatalf("no Send call within 5s")
		return ""
	}
}

func message(subject string) mail.Message {
	return mail.Message{To: "ada@example.org", Subject: subject, Text: "Hello."}
}

func TestQueueDelivers(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	q := mail.NewQueue(through(srv), nil, 10)
	run(t, q)
	for i := range 3 {
		if !q.Enqueue(message(fmt.Sprintf("m%d", i))) {
			t.Fatalf("Enqueue(m%d) = false on an empty queue", i)
		}
	}
	got := srv.Wait(t, 3, 5*time.Second)
	subjects := make([]string, len(got))
	for i, m := range got {
		subjects[i] = m.Header.Get("Subject")
	}
	if diff := cmp.Diff([]string{"m0", "m1", "m2"}, subjects); diff != "" {
		t.Errorf("delivered subjects, in order (-want +got):\n%s", diff)
	}
}

func TestQueueRetries(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	srv.FailNext(2)
	var log logs
	q := mail.NewQueue(through(srv), slog.New(slog.NewTextHandler(&log, nil)), 10)
	q.Backoff = 10 * time.Millisecond
	run(t, q)
	q.Enqueue(message("retried"))
	srv.Wait(t, 1, 5*time.Second)
	time.Sleep(50 * time.Millisecond)
	if got := srv.Messages(); len(got) != 1 {
		t.Errorf("the server accepted %d messages, want the one, once", len(got))
	}
	if n := strings.Count(log.String(), "will retry"); n != 2 {
		t.Errorf("the log has %d retries, want 2:\n%s", n, log.String())
	}
}

func TestQueueGivesUp(t *testing.T) {
	t.Parallel()
	refused := errors.New("try later")
	s := newSender(func(_ context.Context, m mail.Message) error {
		if m.Subject == "doomed" {
			return refused
		}
		return nil
	})
	var log logs
	q := mail.NewQueue(s, slog.New(slog.NewTextHandler(&log, nil)), 10)
	q.Attempts, q.Backoff = 3, time.Millisecond
	stop := run(t, q)
	q.Enqueue(message("doomed"))
	for range 3 {
		if got := s.next(t); got != "doomed" {
			t.Fatalf("Send(%q), want the doomed message", got)
		}
	}
	q.Enqueue(message("fine"))
	if got := s.next(t); got != "fine" {
		t.Fatalf("Send(%q) after three attempts, want the next message", got)
	}
	s.wait(t, 1)
	stop()
	if len(s.calls) != 0 || q.Len() != 0 {
		t.Errorf("after giving up: %d more Send calls, %d queued; want none", len(s.calls), q.Len())
	}
	if !strings.Contains(log.String(), "giving up") || strings.Contains(log.String(), "ada@example.org") {
		t.Errorf("log = %q, want a line giving up, without the recipient", log.String())
	}
}

func TestQueuePermanentNotRetried(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	s := newSender(func(ctx context.Context, m mail.Message) error { return through(srv).Send(ctx, m) })
	q := mail.NewQueue(s, nil, 10)
	q.Backoff = time.Millisecond
	stop := run(t, q)
	q.Enqueue(mail.Message{To: "ada@example.org", Subject: "bad\r\nBcc: x@example.com"})
	q.Enqueue(message("good"))
	s.wait(t, 1)
	stop()
	if n := len(s.calls); n != 2 {
		t.Errorf("%d Send calls, want 2: one for the malformed message, never retried, one for the good one", n)
	}
}

func TestQueueFull(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	s := newSender(func(ctx context.Context, _ mail.Message) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	q := mail.NewQueue(s, nil, 2)
	for i, want := range []bool{true, true, false} {
		if got := q.Enqueue(message(fmt.Sprintf("m%d", i))); got != want {
			t.Errorf("Enqueue(m%d) before Run = %t, want %t", i, got, want)
		}
	}
	run(t, q)
	// m0 is being sent (and still counts), m1 waits: the queue stays full.
	s.next(t)
	start := time.Now()
	if q.Enqueue(message("m3")) {
		t.Errorf("Enqueue(m3) with one message sending and one waiting = true, want false")
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("Enqueue on a full queue took %v, want no wait", d)
	}
	release <- struct{}{}
	s.next(t)
	if !q.Enqueue(message("m4")) {
		t.Errorf("Enqueue(m4) once m0 is sent = false, want true")
	}
	close(release)
	s.wait(t, 3)
	if diff := cmp.Diff([]string{"m0", "m1", "m4"}, s.delivered()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

func TestQueueDrainsOnShutdown(t *testing.T) {
	t.Parallel()
	s := newSender(nil)
	q := mail.NewQueue(s, nil, 10)
	for i := range 3 {
		q.Enqueue(message(fmt.Sprintf("m%d", i)))
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	q.Run(ctx)
	if diff := cmp.Diff([]string{"m0", "m1", "m2"}, s.delivered()); diff != "" {
		t.Errorf("delivered by Run on a done context (-want +got):\n%s", diff)
	}
}

func TestQueueDrainIsBounded(t *testing.T) {
	t.Parallel()
	s := newSender(func(ctx context.Context, _ mail.Message) error {
		<-ctx.Done()
		return ctx.Err()
	})
	var log logs
	q := mail.NewQueue(s, slog.New(slog.NewTextHandler(&log, nil)), 10)
	q.Drain = 100 * time.Millisecond
	for i := range 3 {
		q.Enqueue(message(fmt.Sprintf("m%d", i)))
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	q.Run(ctx)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Run with a hung sender returned after %v, want about Drain (100ms)", d)
	}
	if !strings.Contains(log.String(), "dropping messages at shutdown") || !strings.Contains(log.String(), "count=2") {
		t.Errorf("log = %q, want the two messages never tried counted as dropped", log.String())
	}
}
