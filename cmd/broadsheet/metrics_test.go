package main

import (
	"net/http"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/broadsheet/broadsheet/internal/comment"
)

// scrape reads the node's metrics with Prometheus's own text-format parser.
func scrape(t testing.TB, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("the metrics do not parse: %v", err)
	}
	return families
}

// value is the value of the series of family name whose labels include labels (name, value
// pairs): a counter's, a gauge's, or a histogram's count. ok is false when there is none.
func value(families map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := families[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// TestMetrics: with --metrics-addr the node serves Prometheus metrics there, and only there;
// requests (by route pattern, not path), the page cache, comments by outcome, the outbox, the
// connection pool and the background jobs move them.
func TestMetrics(t *testing.T) {
	t.Parallel()
	m, clk := startMainWith(t, func(c *Config) {
		c.MetricsAddr = "127.0.0.1:0"
	})
	if m.MetricsURL() == "" {
		t.Fatal("MetricsURL is empty with --metrics-addr set")
	}
	if resp, _ := get(t, m, "/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the site's own address = %d, want 404", resp.StatusCode)
	}
	before := scrape(t, m.MetricsURL())

	a := liveStory(t, m, 0)
	path := a.Path(time.UTC)
	mustGet(t, m, path, http.StatusOK) // the cache may hold it already, from the start-up crawl
	mustGet(t, m, path, http.StatusOK) // a hit, surely
	mustGet(t, m, "/no/such/page/at/all/", http.StatusNotFound)
	form := fill(t, m, clk, path, "Ada Reader", "ada@example.org", "A first comment, held for a look.")
	resp, _ := post(t, m, "/comments", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("comment: status %d", resp.StatusCode)
	}
	held := commentID(t, resp.Header.Get("Location"))
	form = fill(t, m, clk, path, "", "", "Nameless.")
	if resp, _ := post(t, m, "/comments", form); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("comment without a name: status %d, want 400", resp.StatusCode)
	}
	if _, err := m.Store.SetCommentStatus(t.Context(), []int64{held}, comment.Approved); err != nil {
		t.Fatal(err)
	}
	mustGet(t, m, path, http.StatusOK) // the approval dropped the cached page
	// A notice due in an hour waits in the outbox whatever the sender does meanwhile.
	if err := m.Store.QueueNotice(t.Context(), held, comment.NoticeHeld, clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	after := scrape(t, m.MetricsURL())
	grew := func(name string, labels ...string) {
		t.Helper()
		b, _ := value(before, name, labels...)
		a, ok := value(after, name, labels...)
		if !ok || a <= b {
			t.Errorf("%s%q = %v after, %v before; want it to grow", name, labels, a, b)
		}
	}
	grew("broadsheet_http_requests_total", "route", "GET /{year}/{month}/{day}/{slug}/{$}", "code", "200")
	grew("broadsheet_http_request_duration_seconds", "route", "GET /{year}/{month}/{day}/{slug}/{$}")
	grew("broadsheet_http_requests_total", "route", "POST /comments", "code", "303")
	grew("broadsheet_http_requests_total", "code", "404")
	grew("broadsheet_page_cache_hits_total")
	grew("broadsheet_page_cache_misses_total")
	grew("broadsheet_page_cache_invalidations_total")
	grew("broadsheet_comments_total", "outcome", "held")
	grew("broadsheet_comments_total", "outcome", "rejected")
	if v, _ := value(after, "broadsheet_job_runs_total", "job", "publish"); v < 1 {
		t.Errorf("job_runs_total{job=publish} = %v; the scheduler runs at start", v)
	}
	for _, series := range after["broadsheet_http_requests_total"].GetMetric() {
		for _, l := range series.GetLabel() {
			if l.GetName() == "route" && l.GetValue() == path {
				t.Errorf("a request series is labelled with the raw path %q, not its route", path)
			}
		}
	}
	if v, ok := value(after, "broadsheet_comments_total", "outcome", "spam"); !ok || v != 0 {
		t.Errorf("comments_total{outcome=spam} = %v, %v; want 0, present from the start", v, ok)
	}
	if v, _ := value(after, "broadsheet_mail_outbox"); v < 1 {
		t.Errorf("mail_outbox = %v, want the held comment's notice waiting", v)
	}
	if v, ok := value(after, "broadsheet_db_connections_max"); !ok || v < 1 {
		t.Errorf("db_connections_max = %v, %v; want the pool's limit", v, ok)
	}
	if v, ok := value(after, "broadsheet_change_log_lag"); !ok || v < 0 {
		t.Errorf("change_log_lag = %v, %v; want a count", v, ok)
	}
	if _, ok := value(after, "go_goroutines"); !ok {
		t.Error("the Go runtime's metrics are missing")
	}
	if _, ok := value(after, "broadsheet_purge_queue"); ok {
		t.Error("purge_queue is shown without --purge")
	}
}

// TestNoMetricsByDefault: without --metrics-addr nothing listens for them and the site has no
// /metrics.
func TestNoMetricsByDefault(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	if u := m.MetricsURL(); u != "" {
		t.Errorf("MetricsURL = %q without --metrics-addr", u)
	}
	if resp, _ := get(t, m, "/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics = %d, want 404", resp.StatusCode)
	}
}
