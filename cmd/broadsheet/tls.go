package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// tlsConfig is the site's TLS configuration from its certificate files or from ACME, with the
// ACME manager that obtains the certificates and answers ACME's HTTP challenges on port 80
// (nil without ACME).
func (c Config) tlsConfig() (*tls.Config, *autocert.Manager, error) {
	if c.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
		if err != nil {
			return nil, nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil, nil
	}
	domains := c.acmeDomains()
	if len(domains) == 0 {
		return nil, nil, errors.New("--acme-domain: name at least one domain")
	}
	mgr := &autocert.Manager{Prompt: autocert.AcceptTOS, HostPolicy: autocert.HostWhitelist(domains...),
		Cache: autocert.DirCache(filepath.Join(c.Data, "acme"))}
	if c.ACMEDirectory != "" || c.ACMECAFile != "" {
		mgr.Client = &acme.Client{DirectoryURL: c.ACMEDirectory}
	}
	if c.ACMECAFile != "" {
		roots, err := caPool(c.ACMECAFile)
		if err != nil {
			return nil, nil, err
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		mgr.Client.HTTPClient = &http.Client{Transport: tr}
	}
	cfg := mgr.TLSConfig()
	cfg.MinVersion = tls.VersionTLS12
	return cfg, mgr, nil
}

// warmCertificates asks for each ACME domain's certificate as the server starts, so the first
// reader's handshake finds it ready rather than waiting for the ACME server (an order can take
// longer than a handshake may). It returns when ctx ends, leaving a request under way to finish
// within autocert's own limit (five minutes); a failure is logged and the first handshake for
// that domain tries again.
func (m *Main) warmCertificates(ctx context.Context, mgr *autocert.Manager) {
	for _, d := range m.Config.acmeDomains() {
		done := make(chan error, 1)
		go func() {
			// A hello that accepts ECDSA, as every current browser's does: autocert keeps the
			// ECDSA and RSA certificates apart.
			_, err := mgr.GetCertificate(&tls.ClientHelloInfo{ServerName: d,
				CipherSuites:     []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
				SignatureSchemes: []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256},
				SupportedCurves:  []tls.CurveID{tls.CurveP256}})
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				m.Log.Warn("ACME certificate not obtained yet", "domain", d, "err", err)
			}
		case <-ctx.Done():
			return
		}
	}
}

// acmeDomains are the domains of --acme-domain.
func (c Config) acmeDomains() []string {
	var domains []string
	for _, d := range strings.Split(c.ACMEDomains, ",") {
		if d = strings.TrimSpace(d); d != "" {
			domains = append(domains, d)
		}
	}
	return domains
}

// caPool is the system's certificate pool with the PEM certificates of file added.
func caPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--acme-ca-file: %w", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--acme-ca-file %s: no PEM certificate in it", file)
	}
	return roots, nil
}

// startTLS turns the site's listener into an HTTPS one (HTTP/2 included) and, with
// RedirectAddr, starts the plain-HTTP listener that redirects to it.
func (m *Main) startTLS() error {
	cfg, mgr, err := m.Config.tlsConfig()
	if err != nil {
		return err
	}
	m.acme = mgr
	cfg.NextProtos = append([]string{"h2", "http/1.1"}, cfg.NextProtos...)
	m.http.TLSConfig = cfg
	m.ln = tls.NewListener(m.ln, cfg)
	if m.Config.RedirectAddr == "" {
		return nil
	}
	base := m.Config.baseURL(m.ln.Addr().String())
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, base+r.URL.RequestURI(), http.StatusMovedPermanently)
	})
	if mgr != nil {
		h = mgr.HTTPHandler(h)
	}
	ln, err := net.Listen("tcp", m.Config.RedirectAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.RedirectAddr, err)
	}
	m.redirectLn = ln
	m.redirect = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 30 * time.Second}
	return nil
}
