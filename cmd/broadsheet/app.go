package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme/autocert"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/mail"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/metrics"
	"github.com/broadsheet/broadsheet/internal/purge"
	"github.com/broadsheet/broadsheet/internal/recommend"
	"github.com/broadsheet/broadsheet/internal/sanitize"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/postgres"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
	"github.com/broadsheet/broadsheet/internal/web"
)

// Main is the running program: the store, the site and the background jobs. End-to-end tests
// start it on a temporary data directory and port 0, exactly as the binary does.
type Main struct {
	Config Config
	// Now is the clock; tests move it to publish scheduled stories.
	Now func() time.Time
	// Log receives the request log and errors.
	Log *slog.Logger
	// Out receives the messages for the person who started the program.
	Out io.Writer

	Store    store.Store
	Renderer *article.Renderer
	// Media is the picture library over DATA/media, set by Open.
	Media *media.Library
	// Related keeps the stored "More Related Stories" lists in step with the stories.
	Related *recommend.Recommender
	Server  *web.Server
	// SetupURL is the one-time address that creates the first administrator, printed by Run while
	// the newsroom has none; empty otherwise.
	SetupURL string

	// listening reports whether the change listener is connected; nil without one.
	listening func() bool
	// metrics, served on Config.MetricsAddr, is nil when that is not set.
	metrics     *metrics.Metrics
	metricsHTTP *http.Server
	metricsLn   net.Listener

	ln   net.Listener
	http *http.Server
	// redirect answers plain HTTP on RedirectAddr when the site serves HTTPS.
	redirect   *http.Server
	redirectLn net.Listener
	acme       *autocert.Manager // the certificates' manager with --acme-domain
	notify     chan struct{}     // wakes the comment notifier
	cancel     context.CancelFunc
	wg         sync.WaitGroup
}

// NewMain returns a Main with the given configuration and the real clock.
func NewMain(cfg Config) *Main {
	return &Main{Config: cfg, Now: time.Now, Log: slog.New(slog.DiscardHandler), Out: io.Discard}
}

// Open opens the store named by the configuration (SQLite or PostgreSQL), checks a SQLite file
// (PRAGMA quick_check, unless Config.SkipCheck) and, on a new database with Demo set, adds the
// demo newsroom. A damaged database is refused with an error that says what to do.
func (m *Main) Open(ctx context.Context) error {
	kind, target, err := m.Config.database()
	if err != nil {
		return err
	}
	switch kind {
	case "postgres":
		db, err := postgres.Open(ctx, target, postgres.Options{Wait: m.Config.DBWait, SearchTimeout: m.Config.searchTimeout,
			OnRetry: func(err error, pause time.Duration) {
				m.Log.Warn("waiting for PostgreSQL", "retry_in", pause, "err", err)
			}})
		if err != nil {
			return err
		}
		m.Store = db
	default:
		opt, err := m.Config.sqliteOptions()
		if err != nil {
			return err
		}
		db, err := sqlite.Open(ctx, target, opt)
		if err != nil {
			return err
		}
		if !m.Config.SkipCheck && !db.Sound() {
			problems, err := db.Check(ctx, true)
			if err == nil && len(problems) > 0 {
				err = fmt.Errorf("the database %s is damaged (%s%s); restore it from a backup, or run "+
					"\"broadsheet db check\" for the full report; --skip-check opens it anyway", target, problems[0], more(len(problems)-1))
			}
			if err != nil {
				db.Close()
				return err
			}
		}
		m.Store = db
	}
	if m.Media, err = m.Config.library(ctx, m.Now); err != nil {
		m.Store.Close()
		return err
	}
	m.Renderer = article.NewRenderer(sanitize.New())
	if m.Config.Demo {
		n, err := demo.Seed(ctx, m.Store, m.Renderer, m.Now())
		if err != nil {
			return fmt.Errorf("demo newsroom: %w", err)
		}
		if n > 0 {
			fmt.Fprintf(m.Out, "Added the demo newsroom: %d sample stories (start with --demo=false for an empty site).\n", n)
		}
	}
	return nil
}

// more is ", and n more problems" for n > 0.
func more(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", and %d more problems", n)
}

// Run opens the store if needed, starts listening and serving, and returns; Close stops.
func (m *Main) Run(ctx context.Context) error {
	if m.Store == nil {
		if err := m.Open(ctx); err != nil {
			return err
		}
	}
	loc, err := m.Config.location()
	if err != nil {
		return err
	}
	if err := m.Config.checkTLS(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.ln = ln
	sender, err := m.Config.mailer()
	if err != nil {
		ln.Close()
		return err
	}
	proxies, err := m.Config.proxies()
	if err != nil {
		ln.Close()
		return err
	}
	targets, err := m.Config.purgeTargets()
	if err != nil {
		ln.Close()
		return err
	}
	embeds, err := m.Config.embeds()
	if err != nil {
		ln.Close()
		return err
	}
	m.notify = make(chan struct{}, 1)
	wcfg := web.Config{Title: m.Config.Title, Description: m.Config.Description,
		BaseURL: m.Config.baseURL(ln.Addr().String()), Location: loc, Renderer: m.Renderer, Notify: m.wakeNotifier,
		TrustedProxies: proxies, CacheBytes: m.Config.CacheMB << 20, Shared: m.Config.Shared, Media: m.Media, Mail: sender != nil,
		MediaPublicURL: strings.TrimRight(m.Config.MediaPublicURL, "/"), Embeds: embeds, Copies: m.copies}
	if m.metrics = m.Config.newMetrics(); m.metrics != nil {
		wcfg.Observer = m.metrics
	}
	var purges *purge.Queue
	if len(targets) > 0 {
		purges = purge.NewQueue(purge.Config{}, m.Log, targets...)
		wcfg.Purge = purges.Purge
	}
	if pg, ok := m.Store.(*postgres.DB); ok {
		m.listening = pg.Listening
	}
	m.Server, err = web.New(wcfg, m.Store, m.Log, m.Now)
	if err != nil {
		ln.Close()
		return err
	}
	if err := m.openNewsroom(ctx); err != nil {
		ln.Close()
		return err
	}
	m.http = &http.Server{
		Handler:           m.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	if m.Config.tls() {
		if err := m.startTLS(); err != nil {
			ln.Close()
			return err
		}
		if m.redirect != nil {
			m.wg.Go(func() {
				if err := m.redirect.Serve(m.redirectLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
					m.Log.Error("serve redirects", "err", err)
				}
			})
		}
	}
	if m.metrics != nil {
		if err := m.startMetrics(purges); err != nil {
			ln.Close()
			return err
		}
	}
	bg, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.Related = recommend.New(m.Store, recommend.Config{Snapshot: filepath.Join(m.Config.Data, "related.index")}, m.Now, m.Log)
	if m.acme != nil {
		m.wg.Go(func() { m.warmCertificates(bg, m.acme) })
	}
	if purges != nil {
		m.wg.Go(func() { purges.Run(bg) })
		m.wg.Go(func() { m.sendPurges(bg) })
	}
	wake := make(chan struct{}, 1)
	if pg, ok := m.Store.(*postgres.DB); ok {
		// Other nodes' changes move the store's change mark (which the page cache follows) and
		// wake the related index at once rather than at its next look.
		pg.OnListenError(func(err error, pause time.Duration) {
			m.Log.Warn("change notifications lost; listening again", "retry_in", pause, "err", err)
		})
		m.wg.Go(func() {
			pg.Listen(bg, func(int64) {
				select {
				case wake <- struct{}{}:
				default:
				}
			})
		})
	}
	m.wg.Add(5)
	go func() {
		defer m.wg.Done()
		m.Server.Follow(bg, sqlite.DefaultFollow)
	}()
	go func() {
		defer m.wg.Done()
		m.followRelated(bg, wake)
	}()
	go func() {
		defer m.wg.Done()
		if err := m.http.Serve(m.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("serve", "err", err)
		}
	}()
	go func() {
		defer m.wg.Done()
		m.schedule(bg)
	}()
	go func() {
		defer m.wg.Done()
		m.sendNotices(bg, sender)
	}()
	return nil
}

// URL is the address the site answers on.
func (m *Main) URL() string {
	if m.Config.tls() {
		return "https://" + m.ln.Addr().String()
	}
	return "http://" + m.ln.Addr().String()
}

// PublishDue publishes the scheduled stories whose time has come by the Main's clock.
func (m *Main) PublishDue(ctx context.Context) error {
	next, err := m.Store.NextScheduled(ctx, time.Time{})
	if err != nil || next.IsZero() || next.After(m.Now()) {
		return err
	}
	ids, err := m.Store.PublishDue(ctx, m.Now())
	if err != nil {
		return err
	}
	for _, id := range ids {
		m.Log.Info("published scheduled story", "id", id)
	}
	return nil
}

// jobRetry is how often a node that does not hold a long-running job (the related index) tries
// to take it: how soon the job moves when its holder dies.
const jobRetry = 5 * time.Second

// followRelated keeps the related index and the stored lists in step with the stories, on one
// node at a time: the holder of the "related" job keeps the only index in memory, and the other
// nodes try to take the job over every few seconds.
func (m *Main) followRelated(ctx context.Context, wake <-chan struct{}) {
	m.holdJob(ctx, "related", "related stories", func(ctx context.Context) error {
		return m.Related.Follow(ctx, time.Second, wake)
	})
}

// sendPurges tells the shared caches in front of the site what changed, on one node at a time,
// so that each change is purged once however many nodes run.
func (m *Main) sendPurges(ctx context.Context) {
	m.holdJob(ctx, "purge", "purges", func(ctx context.Context) error {
		return m.Server.SendPurges(ctx, sqlite.DefaultFollow)
	})
}

// holdJob runs the long-running job name (fn, until ctx ends) whenever this node can take it,
// trying every jobRetry while another node holds it: how soon the job moves when its holder dies.
func (m *Main) holdJob(ctx context.Context, name, what string, fn func(ctx context.Context) error) {
	for {
		ran, err := m.Store.Exclusive(ctx, name, fn)
		m.observeJob(name, ran, err)
		if err != nil && ctx.Err() == nil {
			m.Log.Error(what, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(jobRetry):
		}
	}
}

// keepChanges is how much of the change log the server keeps.
const keepChanges = 100_000

// schedule publishes scheduled stories at their time, checking every second (a cheap read that
// only writes when a story is due), and keeps the change log short.
func (m *Main) schedule(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for tick := 0; ; tick++ {
		// One node at a time publishes and prunes; the others skip the round.
		ran, err := m.Store.Exclusive(ctx, "publish", func(ctx context.Context) error {
			if err := m.PublishDue(ctx); err != nil {
				return fmt.Errorf("scheduled publishing: %w", err)
			}
			if tick%60 == 0 {
				// Readers of the change log that fall further behind start afresh.
				if err := m.Store.PruneChanges(ctx, keepChanges); err != nil {
					return fmt.Errorf("prune the change log: %w", err)
				}
			}
			return nil
		})
		m.observeJob("publish", ran, err)
		if err != nil && ctx.Err() == nil {
			m.Log.Error("scheduled jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// copies returns the near-copies of a story that the related index knows, for the editor.
func (m *Main) copies(id int64) []int64 {
	if m.Related == nil {
		return nil
	}
	return m.Related.Copies(id)
}

// wakeNotifier asks the comment notifier to look at the outbox now.
func (m *Main) wakeNotifier() {
	select {
	case m.notify <- struct{}{}:
	default:
	}
}

// sendNotices sends queued comment notifications and staff emails: when woken after a comment or
// a staff change, and every 30 seconds for those queued by other processes (the command line, an
// import) or due for a retry.
// Without a mail server (sender nil) it drops them, so the outbox does not grow.
func (m *Main) sendNotices(ctx context.Context, sender *mail.SMTP) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	var s mail.Sender
	if sender != nil {
		s = sender
	}
	for {
		// One node at a time sends, so that no notice goes out twice.
		ran, err := m.Store.Exclusive(ctx, "mail", func(ctx context.Context) error {
			_, err := m.Server.SendNotices(ctx, s)
			if err != nil {
				return err
			}
			_, err = m.Server.SendStaffMail(ctx, s)
			return err
		})
		m.observeJob("mail", ran, err)
		if err != nil && ctx.Err() == nil {
			m.Log.Error("outgoing email", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-m.notify:
		}
	}
}

// Close stops serving (letting requests in flight finish for up to 10 seconds), stops the
// background jobs and closes the store.
func (m *Main) Close() error {
	var errs []error
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, m.http.Shutdown(ctx))
		if m.redirect != nil {
			errs = append(errs, m.redirect.Shutdown(ctx))
		}
		if m.metricsHTTP != nil {
			errs = append(errs, m.metricsHTTP.Shutdown(ctx))
		}
		cancel()
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
	}
	return errors.Join(errs...)
}
