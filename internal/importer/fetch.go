package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/media"
)

// Fetcher is a Source that downloads a WordPress site's uploads from where the old site still
// answers: each file from the address its stories used, a relative one under Base. Answers
// that are not found (404, 410) are final; a server error, a refused or broken connection or a
// file that does not come within Timeout is asked again, Attempts times in all, waiting
// Backoff, then twice that, between tries. A file over MaxBytes, or whose bytes are not a
// picture (a "not found" page answered with 200), is refused without reading further.
type Fetcher struct {
	// Base is the old site's address (https://example.org/blog/), against which relative
	// addresses are resolved; empty, they cannot be fetched.
	Base string
	// Client makes the requests; nil means a client of its own.
	Client *http.Client
	// Concurrency is how many files download at once (default 4).
	Concurrency int
	// Timeout bounds each try of each file, from the request to the last byte (default 60 s).
	Timeout time.Duration
	// MaxBytes refuses larger files (default media.DefaultMaxBytes).
	MaxBytes int64
	// Attempts is how many times a file is asked for (default 3); Backoff, the first wait
	// between two (default 1 s).
	Attempts int
	Backoff  time.Duration
}

// Workers is how many files download at once.
func (f *Fetcher) Workers() int {
	if f.Concurrency > 0 {
		return f.Concurrency
	}
	return 4
}

// errNotFound is the old site's answer for a file it does not have.
type errNotFound struct{ status string }

func (e errNotFound) Error() string { return "the old site answered " + e.status }
func (e errNotFound) Unwrap() error { return fs.ErrNotExist }

// errFinal marks an answer that asking again will not change.
type errFinal struct{ err error }

func (e errFinal) Error() string { return e.err.Error() }
func (e errFinal) Unwrap() error { return e.err }

// Read downloads the file at rel of the uploads folder at folder (its address as a story gave
// it, resolved against Base).
func (f *Fetcher) Read(ctx context.Context, rel, folder string) ([]byte, error) {
	addr, err := f.address(rel, folder)
	if err != nil {
		return nil, err
	}
	attempts := f.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	wait := f.Backoff
	if wait <= 0 {
		wait = time.Second
	}
	for try := 1; ; try++ {
		data, err := f.get(ctx, addr)
		var final errFinal
		if err == nil || errors.As(err, &final) || errors.Is(err, fs.ErrNotExist) || ctx.Err() != nil || try == attempts {
			if err != nil && try > 1 && !errors.Is(err, fs.ErrNotExist) && !errors.As(err, &final) {
				err = fmt.Errorf("%w (tried %d times)", err, try)
			}
			return data, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		wait *= 2
	}
}

// address is the absolute URL of rel in the uploads folder at folder.
func (f *Fetcher) address(rel, folder string) (string, error) {
	var segs []string
	for _, s := range strings.Split(rel, "/") {
		segs = append(segs, url.PathEscape(s))
	}
	ref, err := url.Parse(folder + strings.Join(segs, "/"))
	if err != nil {
		return "", errFinal{fmt.Errorf("address %q: %w", folder+rel, err)}
	}
	if ref.Scheme == "" && ref.Host == "" && f.Base == "" {
		return "", errFinal{errors.New("a relative address, and no --old-base-url to fetch it from")}
	}
	if ref.Host == "" && folder == "" {
		ref.Path = "wp-content/uploads/" + ref.Path
	}
	base, err := url.Parse(f.Base)
	if err != nil {
		return "", errFinal{fmt.Errorf("old base URL %q: %w", f.Base, err)}
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	u := base.ResolveReference(ref)
	if u.Scheme == "" {
		u.Scheme = "https"
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", errFinal{fmt.Errorf("%s: not an http or https address", u)}
	}
	return u.String(), nil
}

// get asks once for addr.
func (f *Fetcher) get(ctx context.Context, addr string) ([]byte, error) {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	limit := f.MaxBytes
	if limit <= 0 {
		limit = media.DefaultMaxBytes
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("no whole answer within %s", timeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr, nil)
	if err != nil {
		return nil, errFinal{err}
	}
	req.Header.Set("Accept", "image/*")
	res, err := client.Do(req)
	if err != nil {
		return nil, f.failure(ctx, err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone:
		return nil, errNotFound{res.Status}
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return nil, fmt.Errorf("the old site answered %s", res.Status)
	case res.StatusCode != http.StatusOK:
		return nil, errFinal{fmt.Errorf("the old site answered %s", res.Status)}
	case res.ContentLength > limit:
		return nil, errFinal{fmt.Errorf("%w: %d MB, more than %d MB", media.ErrTooBig, res.ContentLength>>20, limit>>20)}
	}
	// The first bytes tell a picture from a page that says it is not there.
	head := make([]byte, 512)
	n, err := io.ReadFull(res.Body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, f.failure(ctx, err)
	}
	head = head[:n]
	if _, err := media.Sniff(head); err != nil {
		return nil, errFinal{fmt.Errorf("not a picture: the old site answered %s", describeType(res.Header.Get("Content-Type"), head))}
	}
	rest, err := io.ReadAll(io.LimitReader(res.Body, limit+1-int64(n)))
	if err != nil {
		return nil, f.failure(ctx, err)
	}
	if int64(n+len(rest)) > limit {
		return nil, errFinal{fmt.Errorf("%w: more than %d MB", media.ErrTooBig, limit>>20)}
	}
	if res.ContentLength > 0 && int64(n+len(rest)) != res.ContentLength {
		return nil, fmt.Errorf("the answer stopped after %d of %d bytes", n+len(rest), res.ContentLength)
	}
	return append(head, rest...), nil
}

// failure says why a request failed: the timeout when it ran out, else err.
func (f *Fetcher) failure(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// describeType names what a server sent instead of a picture: its declared type, else the
// type of its bytes.
func describeType(declared string, head []byte) string {
	if declared == "" {
		declared = http.DetectContentType(head)
	}
	if len(head) == 0 {
		return "nothing (0 bytes)"
	}
	return strconv.Quote(declared)
}
