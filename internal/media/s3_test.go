package media_test

import (
	"fmt"
	"image/color"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/media/mediatest"
	"github.com/broadsheet/broadsheet/internal/store"
)

// s3Server starts an S3 server (gofakes3 over memory) on loopback with one bucket, "news", and
// answers the endpoint's host:port. wrap, when given, stands between the server and its clients.
func s3Server(t *testing.T, wrap ...func(http.Handler) http.Handler) string {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("news"); err != nil {
		t.Fatal(err)
	}
	h := gofakes3.New(backend).Server()
	for _, w := range wrap {
		h = w(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func s3Env(name string) string {
	return map[string]string{"AWS_ACCESS_KEY_ID": "newsroom", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1"}[name]
}

func TestS3MediaConformance(t *testing.T) {
	t.Parallel()
	endpoint := s3Server(t)
	var n atomic.Int64
	mediatest.Run(t, func(t *testing.T) media.Store {
		// Every store is a fresh prefix of one bucket, which also proves a store sees only its own.
		u := fmt.Sprintf("s3://news/site-%d/media?endpoint=%s&insecure=1", n.Add(1), endpoint)
		s, err := media.NewS3(t.Context(), u, s3Env)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestS3MediaURLs(t *testing.T) {
	t.Parallel()
	endpoint := s3Server(t)
	for _, tc := range []struct{ url, want string }{
		{"https://news/media", "not an s3://"},
		{"s3:///media", "not an s3://"},
		{"s3://news/media?endpoint=" + endpoint + "&insecure=1&acl=public", `unknown parameter "acl"`},
		{"s3://news/media?endpoint=" + endpoint + "&insecure=maybe", "insecure"},
		{"s3://news/../etc?endpoint=" + endpoint + "&insecure=1", "invalid file name"},
		{"s3://missing/media?endpoint=" + endpoint + "&insecure=1", "bucket missing"},
	} {
		_, err := media.NewS3(t.Context(), tc.url, s3Env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewS3(%q) = %v, want an error saying %q", tc.url, err, tc.want)
		}
	}
	if _, err := media.NewS3(t.Context(), "s3://news?endpoint="+endpoint+"&insecure=1", s3Env); err != nil {
		t.Errorf("NewS3 of a whole bucket = %v", err)
	}
}

// TestS3MediaFailedUploadLeavesNothing: the bucket refuses the third file of an upload (a full
// quota); the library reports it and leaves neither objects nor a record.
func TestS3MediaFailedUploadLeavesNothing(t *testing.T) {
	t.Parallel()
	var puts atomic.Int64
	endpoint := s3Server(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && puts.Add(1) == 3 {
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>QuotaExceeded</Code><Message>The bucket is full</Message></Error>`)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	s, err := media.NewS3(t.Context(), "s3://news/media?endpoint="+endpoint+"&insecure=1", s3Env)
	if err != nil {
		t.Fatal(err)
	}
	lib, db := library(t, s)
	_, _, err = lib.Add(t.Context(), db, media.Upload{Name: "a.jpg", Data: photo(t, 700, 400, color.Black)})
	if err == nil || !strings.Contains(err.Error(), "bucket is full") {
		t.Fatalf("Add on a failing bucket = %v, want the bucket's reason", err)
	}
	if puts.Load() < 3 {
		t.Fatalf("the bucket saw %d PUTs, want the failure on the third", puts.Load())
	}
	if files, err := s.List(t.Context(), ""); err != nil || len(files) != 0 {
		t.Errorf("a failed upload left %v, %v in the bucket", files, err)
	}
	if _, n, _ := db.ListMedia(t.Context(), store.MediaQuery{}); n != 0 {
		t.Errorf("a failed upload left %d records", n)
	}
}
