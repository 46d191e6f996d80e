package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key to dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "broadsheet test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestTLS serves the site with a certificate file: HTTPS over HTTP/2 with HSTS, and plain HTTP
// on the redirect address sent to HTTPS.
func TestTLS(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	redirect := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	m, _ := startMainWith(t, func(c *Config) {
		c.TLSCert, c.TLSKey, c.RedirectAddr = certFile, keyFile, redirect
	})
	if !strings.HasPrefix(m.URL(), "https://") {
		t.Fatalf("URL() = %q, want https", m.URL())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(m.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 2 {
		t.Errorf("GET / over TLS: %d %s, want 200 over HTTP/2", resp.StatusCode, resp.Proto)
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("Strict-Transport-Security = %q, want HSTS on TLS", hsts)
	}
	resp, err = client.Get("http://" + redirect + "/section/news/?page=2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := m.URL() + "/section/news/?page=2"; resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
		t.Errorf("plain HTTP: %d to %q, want 301 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
}

func TestTLSOptions(t *testing.T) {
	t.Parallel()
	for _, c := range []Config{
		{TLSCert: "cert.pem"},
		{TLSKey: "key.pem"},
		{TLSCert: "c", TLSKey: "k", ACMEDomains: "news.example.org"},
		{RedirectAddr: ":80"},
		{ACMEDirectory: "https://127.0.0.1:14000/dir"},
		{ACMECAFile: "pebble.pem"},
	} {
		if err := c.checkTLS(); err == nil {
			t.Errorf("checkTLS(%+v) = nil, want an error", c)
		}
	}
	if _, _, err := (Config{TLSCert: "/nonexistent", TLSKey: "/nonexistent"}).tlsConfig(); err == nil {
		t.Error("tlsConfig with missing files = nil error")
	}
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	for _, file := range []string{"/nonexistent", notPEM} {
		if _, _, err := (Config{ACMEDomains: "news.example.org", ACMECAFile: file, Data: t.TempDir()}).tlsConfig(); err == nil {
			t.Errorf("tlsConfig with --acme-ca-file %s = nil error", file)
		}
	}
	cfg, mgr, err := (Config{ACMEDomains: "news.example.org", Data: t.TempDir()}).tlsConfig()
	if err != nil || cfg.GetCertificate == nil || mgr == nil {
		t.Errorf("tlsConfig with --acme-domain = %v, %v; want autocert's", cfg, err)
	}
}
