package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// readerIP is the address of the reader behind a request. Behind a reverse proxy listed in
// Config.TrustedProxies, it is the last address in X-Forwarded-For that is not itself a trusted
// proxy; otherwise the connection's own address. The header is never believed from anyone else,
// so a reader cannot choose the address flood control and bans see.
func (s *Server) readerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(s.cfg.TrustedProxies) == 0 || !s.trusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			break // a malformed entry: trust nothing before it
		}
		if !s.trusted(hop) {
			return hop
		}
	}
	return host
}

func (s *Server) trusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
