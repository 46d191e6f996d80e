package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/broadsheet/broadsheet/internal/metrics"
	"github.com/broadsheet/broadsheet/internal/purge"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// scrapeTimeout bounds the database reads a scrape makes.
const scrapeTimeout = 2 * time.Second

// startMetrics serves /metrics on Config.MetricsAddr, an address of its own so that the public
// listener never shows them, with what the node's parts report at each scrape.
func (m *Main) startMetrics(purges *purge.Queue) error {
	ln, err := net.Listen("tcp", m.Config.MetricsAddr)
	if err != nil {
		return fmt.Errorf("--metrics-addr %s: %w", m.Config.MetricsAddr, err)
	}
	m.metricsLn = ln
	mx := m.metrics
	cache := func(f func(s web.CacheStats) float64) func() float64 {
		return func() float64 { return f(m.Server.CacheStats()) }
	}
	mx.Counter("page_cache_hits_total", "Pages served from the page cache.", cache(func(s web.CacheStats) float64 { return float64(s.Hits) }))
	mx.Counter("page_cache_misses_total", "Pages rendered because the cache did not hold them.", cache(func(s web.CacheStats) float64 { return float64(s.Misses) }))
	mx.Counter("page_cache_invalidations_total", "Cached pages dropped because something they show changed.",
		cache(func(s web.CacheStats) float64 { return float64(s.Invalidations) }))
	mx.Counter("page_cache_stale_total", "Pages served from the page cache, marked stale, while the database was out of reach.",
		cache(func(s web.CacheStats) float64 { return float64(s.Stale) }))
	mx.Counter("page_cache_evictions_total", "Cached pages dropped to stay within the budget.", cache(func(s web.CacheStats) float64 { return float64(s.Evictions) }))
	mx.Gauge("page_cache_pages", "Pages in the page cache.", cache(func(s web.CacheStats) float64 { return float64(s.Pages) }))
	mx.Gauge("page_cache_bytes", "Bytes the page cache holds.", cache(func(s web.CacheStats) float64 { return float64(s.Bytes) }))
	mx.Gauge("page_cache_max_bytes", "The page cache's budget (--cache-mb).", cache(func(s web.CacheStats) float64 { return float64(s.MaxBytes) }))
	mx.Gauge("change_log_lag", "Changes committed to the database that this node's page cache has not applied yet.", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
		defer cancel()
		latest, err := m.Store.LatestChange(ctx)
		if err != nil {
			return -1
		}
		return float64(max(latest-m.Server.CacheStats().Applied, 0))
	})
	mx.Gauge("mail_outbox", "Comment notifications waiting to be sent (-1 when the database does not answer).", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
		defer cancel()
		n, err := m.Store.QueuedNotices(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	if p, ok := m.Store.(interface{ PoolStats() store.PoolStats }); ok {
		pool := func(f func(s store.PoolStats) float64) func() float64 {
			return func() float64 { return f(p.PoolStats()) }
		}
		mx.Gauge("db_connections_open", "Database connections open.", pool(func(s store.PoolStats) float64 { return float64(s.Open) }))
		mx.Gauge("db_connections_in_use", "Database connections in use.", pool(func(s store.PoolStats) float64 { return float64(s.InUse) }))
		mx.Gauge("db_connections_idle", "Database connections idle.", pool(func(s store.PoolStats) float64 { return float64(s.Idle) }))
		mx.Gauge("db_connections_max", "The connection pool's limit.", pool(func(s store.PoolStats) float64 { return float64(s.Max) }))
		mx.Counter("db_connection_waits_total", "Times a query waited for a free connection.", pool(func(s store.PoolStats) float64 { return float64(s.Waits) }))
		mx.Counter("db_connection_wait_seconds_total", "Time queries spent waiting for a free connection.",
			pool(func(s store.PoolStats) float64 { return s.WaitTime.Seconds() }))
	}
	if m.listening != nil {
		mx.Gauge("change_listener_connected", "1 while the PostgreSQL change listener is connected.", func() float64 {
			if m.listening() {
				return 1
			}
			return 0
		})
	}
	if purges != nil {
		mx.Gauge("purge_queue", "Surrogate keys waiting to be purged from the shared caches.", func() float64 { return float64(purges.Stats().Waiting) })
		mx.Counter("purges_total", "Purge requests the shared caches confirmed.", func() float64 { return float64(purges.Stats().Sent) })
		mx.Counter("purge_failures_total", "Purge requests that failed (and were queued again).", func() float64 { return float64(purges.Stats().Failures) })
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", mx.Handler())
	m.metricsHTTP = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn)}
	m.wg.Go(func() {
		if err := m.metricsHTTP.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("serve metrics", "err", err)
		}
	})
	return nil
}

// MetricsURL is the address of the metrics, or "" when Config.MetricsAddr is not set.
func (m *Main) MetricsURL() string {
	if m.metricsLn == nil {
		return ""
	}
	return "http://" + m.metricsLn.Addr().String() + "/metrics"
}

// observeJob counts a round of a background job this node ran.
func (m *Main) observeJob(name string, ran bool, err error) {
	if m.metrics != nil && ran {
		m.metrics.Job(name, err)
	}
}

// newMetrics returns the node's metrics when Config.MetricsAddr asks for them, else nil.
func (c Config) newMetrics() *metrics.Metrics {
	if c.MetricsAddr == "" {
		return nil
	}
	return metrics.New()
}
