// Package metrics is a node's account of itself for the operator, in the Prometheus text format
// (github.com/prometheus/client_golang): what it counts as things happen (requests, comments,
// job runs) and what it reads from its parts at each scrape (the page cache, the connection pool,
// the queues). It is served on an address of its own, never beside the public site.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric of the product's own.
const namespace = "broadsheet"

// Metrics holds a node's metrics. Its methods are safe for concurrent use.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	comments    *prometheus.CounterVec
	jobRuns     *prometheus.CounterVec
	jobFailures *prometheus.CounterVec
}

// latencyBuckets span a cached page (well under a millisecond) to a slow search (seconds).
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New returns the metrics of one node, with the Go runtime's and the process's own.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "http_requests_total",
		Help: "Requests answered, by route pattern and status code."}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "http_request_duration_seconds",
		Help: "How long requests took to answer, by route pattern.", Buckets: latencyBuckets}, []string{"route"})
	m.comments = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "comments_total",
		Help: "Comments posted through the form, by outcome: approved, held, spam, rejected (the reader got the form back) or failed."},
		[]string{"outcome"})
	m.jobRuns = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "job_runs_total",
		Help: "Background job rounds this node ran (holding the job), by job."}, []string{"job"})
	m.jobFailures = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "job_failures_total",
		Help: "Background job rounds that ended in an error, by job."}, []string{"job"})
	m.reg.MustRegister(m.requests, m.latency, m.comments, m.jobRuns, m.jobFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, outcome := range []string{"approved", "held", "spam", "rejected", "failed"} {
		m.comments.WithLabelValues(outcome) // every outcome shows, at 0, from the start
	}
	return m
}

// Request counts an answered request. route is the pattern that matched ("" for none), never
// the path, so that the number of series stays bounded.
func (m *Metrics) Request(route string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

// Comment counts a posted comment by its outcome.
func (m *Metrics) Comment(outcome string) { m.comments.WithLabelValues(outcome).Inc() }

// Job counts a round of the named background job that this node ran, failed when err is not nil.
func (m *Metrics) Job(name string, err error) {
	m.jobRuns.WithLabelValues(name).Inc()
	if err != nil {
		m.jobFailures.WithLabelValues(name).Inc()
	}
}

// Gauge adds a metric read from read at each scrape: a level that goes up and down.
func (m *Metrics) Gauge(name, help string, read func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, read))
}

// Counter adds a metric read from read at each scrape: a count that only grows (since start).
func (m *Metrics) Counter(name, help string, read func() float64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, read))
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
