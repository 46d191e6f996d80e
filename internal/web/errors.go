package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// badRequest is an error whose text is safe and useful to show the reader.
type badRequest string

func (b badRequest) Error() string { return string(b) }

// statusOf is the one mapping from errors to HTTP status codes, with the message a reader may see.
func statusOf(err error) (int, string) {
	var br badRequest
	switch {
	case errors.As(err, &br):
		return http.StatusBadRequest, string(br)
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "We could not find that page. It may have moved, or the address may be mistyped."
	case errors.Is(err, store.ErrBusy):
		return http.StatusServiceUnavailable, "The site is busy (an import or a backup may be running). Please try again in a minute."
	case errors.Is(err, account.ErrBusy):
		return http.StatusServiceUnavailable, "The site is busy checking other passwords. Please try again in a few seconds."
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, "That clashes with something saved in the meantime."
	case errors.Is(err, account.ErrForbidden):
		return http.StatusForbidden, "Your role does not allow that. Ask an administrator if you need it."
	case errors.As(err, new(*http.MaxBytesError)):
		return http.StatusRequestEntityTooLarge, "That was too large to accept."
	}
	if _, ok := article.AsValidation(err); ok {
		return http.StatusBadRequest, "Some fields need another look."
	}
	if errors.Is(err, context.Canceled) {
		return 499, ""
	}
	return http.StatusInternalServerError, "Something went wrong on our side. Please try again in a moment."
}

// fail answers a request that went wrong: the reader gets the site's error page, the log gets the
// whole error once, for server faults only.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := statusOf(err)
	if code == 499 {
		return // the reader went away; nobody to answer
	}
	if code >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	s.errorPage(w, r, code, msg)
}

// errorPage renders the site's error page with the given status.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, code int, msg string) {
	s.showError(w, r, &errorPage{Code: code, Message: msg})
}

// showError renders the error page p.
func (s *Server) showError(w http.ResponseWriter, r *http.Request, p *errorPage) {
	code, msg := p.Code, p.Message
	p.Layout = s.layout(r, http.StatusText(code))
	p.NoIndex, p.Canonical = true, "" // an error is no page's canonical form
	body, err := s.views.render("error", p)
	if err != nil {
		s.log.ErrorContext(r.Context(), "error page failed", slog.Any("err", err))
		http.Error(w, msg, code)
		return
	}
	resp := newResponse(code, "text/html; charset=utf-8", body)
	if p.Comments != nil {
		resp.cacheControl = "private, no-store" // it holds the reader's text and token
	}
	resp.write(w, r)
}

// notFound is the catch-all: an old URL kept by an import redirects, anything else is a 404.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	resp, err := s.oldURL(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	resp.write(w, r)
}

// messagePage shows a short message in the site's look, optionally as a one-button form.
func (s *Server) messagePage(w http.ResponseWriter, r *http.Request, heading, msg string) {
	s.showMessage(w, r, &messagePage{Heading: heading, Message: msg})
}

func (s *Server) showMessage(w http.ResponseWriter, r *http.Request, p *messagePage) {
	p.Layout = s.layout(r, p.Heading)
	p.NoIndex = true
	body, err := s.views.render("message", p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	resp := newResponse(http.StatusOK, "text/html; charset=utf-8", body)
	resp.cacheControl = "no-store"
	resp.write(w, r)
}
