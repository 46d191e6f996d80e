package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/broadsheet/broadsheet/internal/embed"
)

// TestEmbedFetchFlag checks --embed-fetch: public refuses the loopback server a development
// site may use, all reaches it, off fetches nothing, anything else is refused at start.
func TestEmbedFetchFlag(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<html><head><link rel="alternate" type="application/json+oembed" href="/o"></head></html>`))
	}))
	defer srv.Close()
	for _, tt := range []struct {
		value string
		want  error // of a fetch from the loopback server; nil: no fetcher
	}{{"public", embed.ErrForbiddenAddress}, {"all", nil}, {"off", nil}} {
		f, err := Config{EmbedFetch: tt.value}.embeds()
		if err != nil {
			t.Fatalf("--embed-fetch %s: %v", tt.value, err)
		}
		if (f == nil) != (tt.value == "off") {
			t.Fatalf("--embed-fetch %s gives fetcher %v", tt.value, f)
		}
		if f == nil {
			continue
		}
		_, err = f.Card(t.Context(), srv.URL+"/story")
		switch {
		case tt.want != nil && !errors.Is(err, tt.want):
			t.Errorf("--embed-fetch %s: fetch error %v, want %v", tt.value, err, tt.want)
		case tt.want == nil && (err == nil || errors.Is(err, embed.ErrForbiddenAddress)):
			t.Errorf("--embed-fetch %s: fetch error %v, want the server reached (and its /o missing)", tt.value, err)
		}
	}
	if _, err := (Config{EmbedFetch: "sometimes"}).embeds(); err == nil {
		t.Error("--embed-fetch sometimes was accepted")
	}
}
