package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/broadsheet/broadsheet/internal/store/postgres"
)

// routes is the site with the node's readiness check in front of it.
func (m *Main) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", m.handleReady)
	mux.Handle("/", m.Server)
	return mux
}

// handleReady serves GET /readyz, for a load balancer: 200 "ready" while the database answers
// with the schema this build knows and (on PostgreSQL) the change listener is connected, 503
// with the reason otherwise.
func (m *Main) handleReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := m.ready(r.Context()); err != nil {
		m.Log.WarnContext(r.Context(), "not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready: " + err.Error() + "\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

// ready says why the node should not take requests, or nil.
func (m *Main) ready(ctx context.Context) error {
	if _, err := m.Store.LatestChange(ctx); err != nil {
		return errors.New("the database does not answer")
	}
	if pg, ok := m.Store.(*postgres.DB); ok {
		if err := pg.Migrated(ctx); err != nil {
			return errors.New("the database schema is not this build's")
		}
	}
	if m.listening != nil && !m.listening() {
		return errors.New("the change listener is not connected")
	}
	return nil
}
