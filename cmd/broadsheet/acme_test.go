package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"
)

// pebbleServer is Let's Encrypt's test ACME server, Pebble, run in this process. It validates
// for real: its validation authority looks the domain up in a DNS server of the test's that
// answers 127.0.0.1 for every name, and connects to tlsPort there for the TLS-ALPN-01 challenge.
type pebbleServer struct {
	directory string            // the ACME directory URL
	caFile    string            // PEM of the certificate of Pebble's own HTTPS address
	root      *x509.Certificate // Pebble's root, which issues the sites' certificates
	roots     *x509.CertPool    // root alone
	orders    atomic.Int64      // orders created
}

// statusRecorder remembers the status of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// startPebble starts Pebble for a site whose TLS listener is on 127.0.0.1:tlsPort.
func startPebble(t *testing.T, tlsPort int) *pebbleServer {
	t.Helper()
	dir := t.TempDir()
	resolver := startDNS(t)
	var logs lockedBuffer
	logger := log.New(&logs, "pebble ", log.Lmicroseconds)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Pebble's log:\n%s", logs.String())
		}
	})
	store := db.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	validator := va.New(logger, 0, tlsPort, false, resolver, store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	p := &pebbleServer{root: authority.GetRootCert(0).Cert, roots: x509.NewCertPool()}
	p.roots.AddCert(p.root)
	acmeHandler := front.Handler()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/order-plz" {
			acmeHandler.ServeHTTP(w, r)
			return
		}
		// Pebble refuses a few good nonces on purpose and the client asks again: count the
		// orders created.
		rec := &statusRecorder{ResponseWriter: w}
		acmeHandler.ServeHTTP(rec, r)
		if rec.status == http.StatusCreated {
			p.orders.Add(1)
		}
	}))
	srv.Config.ErrorLog = logger
	srv.StartTLS()
	t.Cleanup(srv.Close)
	p.directory = srv.URL + wfe.DirectoryPath
	p.caFile = filepath.Join(dir, "pebble-https.pem")
	if err := os.WriteFile(p.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// startDNS runs a DNS server over TCP on 127.0.0.1 that answers every A question with
// 127.0.0.1 (and every other question with no record), and returns its address.
func startDNS(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		for _, question := range q.Question {
			if question.Qtype == dns.TypeA {
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: question.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
					A: net.IPv4(127, 0, 0, 1)})
			}
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return ln.Addr().String()
}

// TestACME gets the site's certificate from a real ACME server (Pebble) with --acme-domain,
// --acme-directory and --acme-ca-file: the first reader's TLS handshake has it issued (Pebble
// validating the TLS-ALPN-01 challenge against the site's listener), pages are served over HTTP/2
// with HSTS, plain HTTP on the redirect address goes to the domain's HTTPS address, and the
// certificate is kept in DATA/acme so that a restart serves it without a new order.
func TestACME(t *testing.T) {
	// Pebble's validation authority reads its settings from the environment when it starts:
	// no random pause before validating.
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	const domain = "news.example.test"
	port := freePort(t)
	p := startPebble(t, port)
	data := t.TempDir()
	redirect := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	start := func(addr string) *Main {
		t.Helper()
		cfg := DefaultConfig()
		cfg.Addr, cfg.Data, cfg.RedirectAddr = addr, data, redirect
		cfg.ACMEDomains, cfg.ACMEDirectory, cfg.ACMECAFile = domain, p.directory, p.caFile
		m := NewMain(cfg)
		if err := m.Run(t.Context()); err != nil {
			t.Fatalf("Run: %v", err)
		}
		return m
	}
	// client reaches the domain at the site's address, trusting only Pebble's root.
	client := func(m *Main) *http.Client {
		addr := m.ln.Addr().String()
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.roots}, ForceAttemptHTTP2: true,
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}}
		t.Cleanup(tr.CloseIdleConnections)
		return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	serial := func(m *Main) string {
		t.Helper()
		_, port, _ := net.SplitHostPort(m.ln.Addr().String())
		// The server asks for its certificate as it starts; a handshake while Pebble is still
		// issuing it may outlast the handshake's time limit, and the reader tries again.
		var resp *http.Response
		waitFor(t, "a handshake with the certificate", func() bool {
			var err error
			if resp, err = client(m).Get("https://" + net.JoinHostPort(domain, port) + "/"); err != nil {
				t.Logf("GET / over TLS as %s: %v", domain, err)
				return false
			}
			return true
		})
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 2 {
			t.Errorf("GET / over TLS: %d %s, want 200 over HTTP/2", resp.StatusCode, resp.Proto)
		}
		if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
			t.Errorf("Strict-Transport-Security = %q, want HSTS on TLS", hsts)
		}
		leaf := resp.TLS.PeerCertificates[0]
		if err := leaf.VerifyHostname(domain); err != nil {
			t.Errorf("the certificate served: %v", err)
		}
		if len(resp.TLS.VerifiedChains) == 0 || !resp.TLS.VerifiedChains[0][len(resp.TLS.VerifiedChains[0])-1].Equal(p.root) {
			t.Errorf("the certificate served (issuer %q) does not chain to Pebble's root", leaf.Issuer)
		}
		return leaf.SerialNumber.String()
	}

	m := start(fmt.Sprintf("127.0.0.1:%d", port))
	first := serial(m)
	if n := p.orders.Load(); n != 1 {
		t.Errorf("Pebble created %d orders, want 1", n)
	}
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := plain.Get("http://" + redirect + "/section/news/?page=2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := fmt.Sprintf("https://%s:%d/section/news/?page=2", domain, port); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
		t.Errorf("plain HTTP: %d to %q, want 301 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "acme", domain)); err != nil {
		t.Errorf("the certificate is not kept in DATA/acme: %v", err)
	}

	m = start("127.0.0.1:0")
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if again := serial(m); again != first {
		t.Errorf("after a restart the site serves certificate %s, want the kept %s", again, first)
	}
	if n := p.orders.Load(); n != 1 {
		t.Errorf("after a restart Pebble created %d orders, want still 1: the kept certificate was not used", n)
	}
}
