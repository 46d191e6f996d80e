package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/embed"
	"github.com/broadsheet/broadsheet/internal/mail"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/purge"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
	"github.com/broadsheet/broadsheet/internal/web"
)

// Config is the site's configuration: flags, then BROADSHEET_* environment variables, then these
// defaults, which work as they are.
type Config struct {
	Addr        string // listen address
	Data        string // data directory: the SQLite file and anything else the site writes
	DB          string // database URL; empty means the SQLite file in Data
	BaseURL     string // public address; empty means http://Addr
	Title       string
	Description string
	Timezone    string // IANA name of the newsroom's zone
	Demo        bool   // fill a new, empty database with the demo newsroom
	// SMTP is the mail server for comment notifications, as a URL:
	// smtp://user:password@host:587?from=news@example.org (STARTTLS on 587, TLS on 465).
	SMTP string
	// DBWait is how long to keep trying to reach a PostgreSQL server that does not answer.
	DBWait time.Duration
	// TrustedProxies lists the reverse proxies (CIDR prefixes) whose X-Forwarded-For is believed.
	TrustedProxies string
	// SkipCheck opens the database without its start-up consistency check (PRAGMA quick_check).
	SkipCheck bool
	// Purge lists the shared caches told of changed pages, comma-separated purge target URLs
	// (see package purge): varnish://host:port, fastly://TOKEN@SERVICE, cloudflare://TOKEN@ZONE,
	// https://webhook.
	Purge string
	// CacheMB is the page cache's budget in megabytes.
	CacheMB int
	// Shared is the Cache-Control policy of public pages.
	Shared web.SharedCache
	// TLSCert and TLSKey are PEM files of the site's certificate and key; with them the site
	// answers HTTPS (and HTTP/2) on Addr.
	TLSCert, TLSKey string
	// ACMEDomains, comma-separated, get certificates from Let's Encrypt (or ACMEDirectory)
	// automatically, kept in DATA/acme.
	ACMEDomains   string
	ACMEDirectory string
	// ACMECAFile is a PEM file of the certificates that a private ACME server's own HTTPS
	// address is trusted by, besides the system's.
	ACMECAFile string
	// RedirectAddr, with TLS, is an address answering plain HTTP with a redirect to HTTPS (and
	// ACME's HTTP challenges), e.g. ":80".
	RedirectAddr string
	// MaxUploadMB refuses larger picture uploads.
	MaxUploadMB int
	// Media is where the picture library keeps its files: empty for DATA/media, or an
	// S3-compatible bucket, s3://bucket/prefix?endpoint=host:port&region=…&insecure=1, with the
	// credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
	Media string
	// MediaPublicURL is the public address of an s3:// Media's prefix: /media/… then redirects
	// there instead of the node reading each file.
	MediaPublicURL string
	// EmbedFetch is what a story's save may fetch the descriptions of addresses alone on their
	// lines from: "public" internet addresses, "all" (also private and loopback ones: for
	// development and tests only) or "off".
	EmbedFetch string
	// Durability is what an acknowledged write survives: "normal" (a crash of the process) or
	// "full" (also a crash of the operating system or a power loss).
	Durability string
	// MetricsAddr, when set, is the address serving Prometheus metrics at /metrics, apart from
	// the site's listener so that they are never public by accident.
	MetricsAddr string

	// searchTimeout bounds a search on PostgreSQL (default: the driver's); tests shorten it.
	searchTimeout time.Duration
	// env looks up the AWS_* credentials of an s3:// Media; set by flags, os.Getenv when nil.
	env func(string) string
}

// tls reports whether the site answers HTTPS.
func (c Config) tls() bool { return c.TLSCert != "" || c.ACMEDomains != "" }

// checkTLS validates the TLS options together.
func (c Config) checkTLS() error {
	switch {
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return errors.New("--tls-cert and --tls-key go together: name both files")
	case c.TLSCert != "" && c.ACMEDomains != "":
		return errors.New("use either --tls-cert/--tls-key or --acme-domain, not both")
	case c.RedirectAddr != "" && !c.tls():
		return errors.New("--redirect-addr redirects to HTTPS: set --tls-cert/--tls-key or --acme-domain too")
	case (c.ACMEDirectory != "" || c.ACMECAFile != "") && c.ACMEDomains == "":
		return errors.New("--acme-directory and --acme-ca-file choose the ACME server: set --acme-domain too")
	}
	return nil
}

// DefaultConfig is the configuration of a fresh clone.
func DefaultConfig() Config {
	return Config{Addr: "localhost:8080", Data: "./broadsheet-data", Title: "The Broadsheet Courier",
		Description: "Independent news, published with Broadsheet.", Timezone: "UTC", Demo: true, CacheMB: 24, MaxUploadMB: media.DefaultMaxBytes >> 20,
		Shared:     web.SharedCache{SMaxAge: 10 * time.Minute, StaleWhileRevalidate: time.Minute, StaleIfError: 24 * time.Hour},
		Durability: "full", DBWait: 30 * time.Second, EmbedFetch: "public"}
}

// flags registers on fs the options named (every one when none is: the server's), with
// defaults from the environment. Every command takes --data, --db, --db-wait and --skip-check, so
// a server and a command-line tool can work on one site; the rest belong to the commands that use
// them.
func (c *Config) flags(fs *flag.FlagSet, env func(string) string, names ...string) {
	c.env = env
	want := func(name string) bool {
		return len(names) == 0 || slices.Contains([]string{"data", "db", "db-wait", "skip-check"}, name) || slices.Contains(names, name)
	}
	str := func(p *string, name, envName, usage string) {
		if !want(name) {
			return
		}
		if v := env(envName); v != "" {
			*p = v
		}
		fs.StringVar(p, name, *p, usage+" (env "+envName+")")
	}
	str(&c.Addr, "addr", "BROADSHEET_ADDR", "address to listen on")
	str(&c.Data, "data", "BROADSHEET_DATA", "data directory, created if missing")
	if v := env("BROADSHEET_DB"); v != "" {
		c.DB = v
	}
	fs.Var(secretURL{&c.DB}, "db", "database URL: sqlite:///srv/news/site.db, or postgres://user:password@host/db?sslmode=require for several nodes (default: site.db in the data directory) (env BROADSHEET_DB)")
	if v := env("BROADSHEET_DB_WAIT"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			c.DBWait = d
		}
	}
	fs.DurationVar(&c.DBWait, "db-wait", c.DBWait, "how long to keep trying to reach a PostgreSQL server that does not answer at start (env BROADSHEET_DB_WAIT)")
	str(&c.BaseURL, "base-url", "BROADSHEET_BASE_URL", "public address of the site, e.g. https://news.example.org (default: http://ADDR)")
	str(&c.Title, "title", "BROADSHEET_TITLE", "site title")
	str(&c.Description, "description", "BROADSHEET_DESCRIPTION", "site description, for feeds and metadata")
	str(&c.Timezone, "timezone", "BROADSHEET_TIMEZONE", "newsroom time zone for permalinks and dates")
	if want("smtp") {
		if v := env("BROADSHEET_SMTP"); v != "" {
			c.SMTP = v
		}
		fs.Var(secretURL{&c.SMTP}, "smtp", "mail server for comment notifications and staff email, e.g. smtp://user:pass@mail.example.org:587?from=news@example.org (env BROADSHEET_SMTP)")
	}
	str(&c.TrustedProxies, "trusted-proxy", "BROADSHEET_TRUSTED_PROXIES", "comma-separated reverse proxy addresses or CIDR prefixes whose X-Forwarded-For names the reader, e.g. 127.0.0.1/32")
	if want("demo") {
		if v := env("BROADSHEET_DEMO"); v != "" {
			if b, err := strconv.ParseBool(v); err == nil {
				c.Demo = b
			}
		}
		fs.BoolVar(&c.Demo, "demo", c.Demo, "fill a new, empty database with the demo newsroom (env BROADSHEET_DEMO)")
	}
	if want("skip-check") {
		if b, err := strconv.ParseBool(env("BROADSHEET_SKIP_CHECK")); err == nil {
			c.SkipCheck = b
		}
		fs.BoolVar(&c.SkipCheck, "skip-check", c.SkipCheck, "open the database without checking it first, to rescue what a damaged one still holds (env BROADSHEET_SKIP_CHECK)")
	}
	if want("purge") {
		if v := env("BROADSHEET_PURGE"); v != "" {
			c.Purge = v
		}
		fs.Var(purgeFlag{&c.Purge}, "purge", "comma-separated shared caches to purge when pages change: varnish://host:port, "+
			"fastly://TOKEN@SERVICE_ID, cloudflare://TOKEN@ZONE_ID or an https:// webhook (env BROADSHEET_PURGE)")
	}
	num := func(p *int, name, envName, usage string) {
		if !want(name) {
			return
		}
		if v, err := strconv.Atoi(env(envName)); err == nil && v > 0 {
			*p = v
		}
		fs.IntVar(p, name, *p, usage+" (env "+envName+")")
	}
	num(&c.CacheMB, "cache-mb", "BROADSHEET_CACHE_MB", "page cache budget in megabytes")
	dur := func(p *time.Duration, name, envName, usage string) {
		if !want(name) {
			return
		}
		if d, err := time.ParseDuration(env(envName)); err == nil {
			*p = d
		}
		fs.DurationVar(p, name, *p, usage+" (env "+envName+")")
	}
	dur(&c.Shared.MaxAge, "max-age", "BROADSHEET_MAX_AGE", "how long browsers keep a public page without asking again")
	dur(&c.Shared.SMaxAge, "s-maxage", "BROADSHEET_S_MAXAGE", "how long shared caches (CDN, Varnish) keep a public page; raise it with --purge")
	dur(&c.Shared.StaleWhileRevalidate, "stale-while-revalidate", "BROADSHEET_STALE_WHILE_REVALIDATE", "how long shared caches may serve a page while refreshing it")
	dur(&c.Shared.StaleIfError, "stale-if-error", "BROADSHEET_STALE_IF_ERROR", "how long shared caches may serve a page while the site is down")
	str(&c.TLSCert, "tls-cert", "BROADSHEET_TLS_CERT", "PEM certificate (chain) file: serve HTTPS and HTTP/2")
	str(&c.TLSKey, "tls-key", "BROADSHEET_TLS_KEY", "PEM private key file of --tls-cert")
	str(&c.ACMEDomains, "acme-domain", "BROADSHEET_ACME_DOMAIN", "comma-separated domains to get certificates for automatically (Let's Encrypt; cached in DATA/acme)")
	str(&c.ACMEDirectory, "acme-directory", "BROADSHEET_ACME_DIRECTORY", "ACME directory URL (default: Let's Encrypt's)")
	str(&c.ACMECAFile, "acme-ca-file", "BROADSHEET_ACME_CA_FILE", "PEM file of the CA certificates a private --acme-directory's HTTPS is trusted by, besides the system's")
	str(&c.RedirectAddr, "redirect-addr", "BROADSHEET_REDIRECT_ADDR", "with TLS, also listen here (e.g. :80) and redirect plain HTTP to HTTPS")
	str(&c.Media, "media", "BROADSHEET_MEDIA", "where the picture library keeps its files: an S3-compatible bucket, "+
		"s3://bucket/prefix?endpoint=host:port&region=REGION&insecure=1, credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (default: DATA/media)")
	str(&c.MediaPublicURL, "media-public-url", "BROADSHEET_MEDIA_PUBLIC_URL", "with --media s3://…, the bucket prefix's public https address: /media/… redirects there instead of the server reading each file")
	str(&c.MetricsAddr, "metrics-addr", "BROADSHEET_METRICS_ADDR", "address serving Prometheus metrics at /metrics, e.g. 127.0.0.1:9100; "+
		"keep it private: the site's own address never serves them (default: off)")
	str(&c.EmbedFetch, "embed-fetch", "BROADSHEET_EMBED_FETCH", "where saving a story may fetch the title and thumbnail of an address alone on its line: public (internet addresses only), all (also private and loopback ones: development only) or off")
	num(&c.MaxUploadMB, "max-upload", "BROADSHEET_MAX_UPLOAD_MB", "largest picture upload in MB")
	str(&c.Durability, "durability", "BROADSHEET_DURABILITY", "what an acknowledged comment or edit survives: normal (a crash of the process) or full (also an operating-system crash or power loss; one fsync per group of concurrent writes)")
}

// embeds is the fetcher of embed descriptions that EmbedFetch allows, nil for "off".
func (c Config) embeds() (*embed.Fetcher, error) {
	switch c.EmbedFetch {
	case "public", "":
		return &embed.Fetcher{Client: embed.NewClient(embed.Public)}, nil
	case "all":
		return &embed.Fetcher{Client: embed.NewClient(func(netip.AddrPort) bool { return true })}, nil
	case "off":
		return nil, nil
	}
	return nil, fmt.Errorf("--embed-fetch %q: want public, all or off", c.EmbedFetch)
}

// library is the picture library over Media: DATA/media or an S3 bucket.
func (c Config) library(ctx context.Context, now func() time.Time) (*media.Library, error) {
	var files media.Store
	var err error
	switch {
	case c.MediaPublicURL != "" && !strings.HasPrefix(c.Media, "s3://"):
		err = errors.New("--media-public-url is the address of an S3 bucket: set --media s3://… too")
	case c.MediaPublicURL != "" && !strings.HasPrefix(c.MediaPublicURL, "https://") && !strings.HasPrefix(c.MediaPublicURL, "http://"):
		err = fmt.Errorf("--media-public-url %q: want an https:// address", c.MediaPublicURL)
	case c.Media == "":
		files, err = media.NewDir(filepath.Join(c.Data, "media"))
	case strings.HasPrefix(c.Media, "s3://"):
		env := c.env
		if env == nil {
			env = os.Getenv
		}
		files, err = media.NewS3(ctx, c.Media, env)
	default:
		err = fmt.Errorf("--media %q: want an s3://bucket/prefix URL, or nothing for DATA/media", c.Media)
	}
	if err != nil {
		return nil, err
	}
	return &media.Library{Files: files, MaxBytes: int64(max(c.MaxUploadMB, 1)) << 20, Now: now}, nil
}

// purgeTargets parses Purge.
func (c Config) purgeTargets() ([]purge.Target, error) {
	var out []purge.Target
	for _, f := range strings.Split(c.Purge, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		t, err := purge.Parse(f)
		if err != nil {
			return nil, fmt.Errorf("--purge: %w", err)
		}
		out = append(out, t)
	}
	return out, nil
}

// purgeFlag is the --purge flag, which --help shows without tokens.
type purgeFlag struct{ p *string }

func (f purgeFlag) String() string {
	if f.p == nil || *f.p == "" {
		return ""
	}
	var names []string
	for _, v := range strings.Split(*f.p, ",") {
		if t, err := purge.Parse(v); err == nil {
			names = append(names, t.String())
		}
	}
	return strings.Join(names, ",")
}

func (f purgeFlag) Set(v string) error { *f.p = v; return nil }

// location resolves the configured time zone.
func (c Config) location() (*time.Location, error) {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, fmt.Errorf("timezone %q: %w", c.Timezone, err)
	}
	return loc, nil
}

// sqliteOptions are the SQLite settings the configuration names.
func (c Config) sqliteOptions() (sqlite.Options, error) {
	switch strings.ToLower(c.Durability) {
	case "normal", "":
		return sqlite.Options{Synchronous: "NORMAL"}, nil
	case "full":
		return sqlite.Options{Synchronous: "FULL"}, nil
	}
	return sqlite.Options{}, fmt.Errorf("--durability %q: want normal or full", c.Durability)
}

// database names the backend the configuration selects: "sqlite" and the file's path, or
// "postgres" and the server's URL.
func (c Config) database() (kind, target string, err error) {
	return parseDatabase(c.DB, filepath.Join(c.Data, "site.db"))
}

// parseDatabase reads a database URL: sqlite:///path/site.db, file:path, a plain path, or
// postgres:// (postgresql://) URL; empty means the file def.
func parseDatabase(u, def string) (kind, target string, err error) {
	switch {
	case u == "":
		return "sqlite", def, nil
	case strings.HasPrefix(u, "sqlite://"):
		return "sqlite", strings.TrimPrefix(u, "sqlite://"), nil
	case strings.HasPrefix(u, "file:"):
		return "sqlite", strings.TrimPrefix(u, "file:"), nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return "postgres", u, nil
	case !strings.Contains(u, "://"):
		return "sqlite", u, nil
	}
	return "", "", fmt.Errorf("database URL %q: unknown scheme; use sqlite:///path/to/site.db or postgres://user@host/db", redactURL(u))
}

// mailer is the configured mail server, or nil when there is none.
func (c Config) mailer() (*mail.SMTP, error) {
	if c.SMTP == "" {
		return nil, nil
	}
	u, err := url.Parse(c.SMTP)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("--smtp %q: want smtp://[user:password@]host[:port]?from=address", redactURL(c.SMTP))
	}
	m := &mail.SMTP{Host: u.Hostname(), From: u.Query().Get("from")}
	if p := u.Port(); p != "" {
		if m.Port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("--smtp: port %q: %w", p, err)
		}
	} else if u.Scheme == "smtps" {
		m.Port = 465
	}
	m.StartTLS = m.Port != 465 && m.Port != 25 && u.Query().Get("starttls") != "false"
	if u.User != nil {
		m.Username = u.User.Username()
		m.Password, _ = u.User.Password()
	}
	if m.From == "" {
		return nil, errors.New("--smtp: name the sender with ?from=news@example.org")
	}
	return m, nil
}

// proxies parses TrustedProxies.
func (c Config) proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(c.TrustedProxies, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("--trusted-proxy %q: %w", f, err)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxy %q: %w", f, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// secretURL is a flag holding a URL with a password, which --help shows redacted.
type secretURL struct{ p *string }

func (s secretURL) String() string {
	if s.p == nil || *s.p == "" {
		return ""
	}
	return redactURL(*s.p)
}

func (s secretURL) Set(v string) error { *s.p = v; return nil }

// redactURL hides a URL's password for messages.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unreadable)"
}

// baseURL is the configured public address, or one made from the listen address.
func (c Config) baseURL(listening string) string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	if c.ACMEDomains != "" {
		// The certificates name the domains, not the listening address.
		host := strings.TrimSpace(strings.Split(c.ACMEDomains, ",")[0])
		if _, port, err := net.SplitHostPort(listening); err == nil && port != "443" {
			host = net.JoinHostPort(host, port)
		}
		return "https://" + host
	}
	if c.tls() {
		return "https://" + listening
	}
	return "http://" + listening
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name, usage string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: %s\n\nOptions:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}
