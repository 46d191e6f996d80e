package web

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestReaderIP(t *testing.T) {
	t.Parallel()
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}}
	tests := []struct {
		remote, xff, want string
	}{
		{"203.0.113.5:4000", "", "203.0.113.5"},
		{"203.0.113.5:4000", "198.51.100.1", "203.0.113.5"}, // an untrusted peer's header is ignored
		{"10.0.0.2:4000", "198.51.100.1", "198.51.100.1"},
		{"10.0.0.2:4000", "192.0.2.9, 198.51.100.1, 10.0.0.3", "198.51.100.1"}, // spoofed first entry ignored
		{"10.0.0.2:4000", "", "10.0.0.2"},
		{"10.0.0.2:4000", "not-an-ip", "10.0.0.2"},
		{"[::1]:4000", "2001:db8::7", "2001:db8::7"},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := s.readerIP(r); got != tt.want {
			t.Errorf("readerIP(%s, XFF %q) = %q, want %q", tt.remote, tt.xff, got, tt.want)
		}
	}
}
