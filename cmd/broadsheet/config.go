package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/mail"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
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
	// TrustedProxies lists the reverse proxies (CIDR prefixes) whose X-Forwarded-For is believed.
	TrustedProxies string
	// Durability is what an acknowledged write survives: "normal" (a crash of the process) or
	// "full" (also a crash of the operating system or a power loss).
	Durability string
}

// DefaultConfig is the configuration of a fresh clone.
func DefaultConfig() Config {
	return Config{Addr: "localhost:8080", Data: "./broadsheet-data", Title: "The Broadsheet Courier",
		Description: "Independent news, published with Broadsheet.", Timezone: "UTC", Demo: true,
		Durability: "full"}
}

// flags registers the options shared by every subcommand on fs, with defaults from the
// environment, and returns a function that validates the parsed result.
func (c *Config) flags(fs *flag.FlagSet, env func(string) string) {
	str := func(p *string, name, envName, usage string) {
		if v := env(envName); v != "" {
			*p = v
		}
		fs.StringVar(p, name, *p, usage+" (env "+envName+")")
	}
	str(&c.Addr, "addr", "BROADSHEET_ADDR", "address to listen on")
	str(&c.Data, "data", "BROADSHEET_DATA", "data directory, created if missing")
	str(&c.DB, "db", "BROADSHEET_DB", "database URL, e.g. sqlite:///srv/news/site.db (default: site.db in the data directory)")
	str(&c.BaseURL, "base-url", "BROADSHEET_BASE_URL", "public address of the site, e.g. https://news.example.org (default: http://ADDR)")
	str(&c.Title, "title", "BROADSHEET_TITLE", "site title")
	str(&c.Description, "description", "BROADSHEET_DESCRIPTION", "site description")
	str(&c.Timezone, "timezone", "BROADSHEET_TIMEZONE", "newsroom time zone for permalinks and dates")
	if v := env("BROADSHEET_SMTP"); v != "" {
		c.SMTP = v
	}
	fs.Var(secretURL{&c.SMTP}, "smtp", "mail server for comment notifications, e.g. smtp://user:pass@mail.example.org:587?from=news@example.org (env BROADSHEET_SMTP)")
	str(&c.TrustedProxies, "trusted-proxy", "BROADSHEET_TRUSTED_PROXIES", "comma-separated reverse proxy addresses or CIDR prefixes whose X-Forwarded-For names the reader, e.g. 127.0.0.1/32")
	str(&c.Durability, "durability", "BROADSHEET_DURABILITY", "what an acknowledged comment or edit survives: normal (a crash of the process) or full (also an operating-system crash or power loss; one fsync per group of concurrent writes)")
	if v := env("BROADSHEET_DEMO"); v != "" {
		if b, err := strconv.ParseBool(v); err == nil {
			c.Demo = b
		}
	}
	fs.BoolVar(&c.Demo, "demo", c.Demo, "fill a new, empty database with the demo newsroom (env BROADSHEET_DEMO)")
}

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

// sqlitePath is the database file the configuration names, or an error for an unsupported URL.
func (c Config) sqlitePath() (string, error) {
	switch u := c.DB; {
	case u == "":
		return filepath.Join(c.Data, "site.db"), nil
	case strings.HasPrefix(u, "sqlite://"):
		return strings.TrimPrefix(u, "sqlite://"), nil
	case strings.HasPrefix(u, "file:"):
		return strings.TrimPrefix(u, "file:"), nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return "", errors.New("PostgreSQL is not supported by this build yet; use sqlite:///path/to/site.db")
	case !strings.Contains(u, "://"):
		return u, nil
	}
	return "", fmt.Errorf("database URL %q: unknown scheme; use sqlite:///path/to/site.db", c.DB)
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
