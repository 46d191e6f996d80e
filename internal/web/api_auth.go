package web

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// apiErr is an API answer with a status, a message and the field at fault.
type apiErr struct {
	status int
	msg    string
	field  string
}

func (e apiErr) Error() string { return e.msg }

// apiErrorBody is the JSON of every API error.
type apiErrorBody struct {
	Error string `json:"error"`
	// Field is the request's field at fault, when one is.
	Field string `json:"field,omitempty"`
	// Fields holds every field's message when several are at fault.
	Fields map[string]string `json:"fields,omitempty"`
	// Current is the stored story, after an edit conflict.
	Current *apiStory `json:"current,omitempty"`
}

// writeJSON answers v as JSON with status.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// apiError answers err as JSON: {"error": "…", "field": "…"}. Server faults are logged once.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ae       apiErr
		conflict *editConflict
		av       account.ValidationError
	)
	body := apiErrorBody{}
	code := http.StatusInternalServerError
	fields, isValidation := article.AsValidation(err)
	if errors.As(err, &av) {
		fields, isValidation = article.ValidationError(av), true
	}
	switch {
	case errors.As(err, &ae):
		code, body.Error, body.Field = ae.status, ae.msg, ae.field
	case errors.As(err, &conflict):
		code = http.StatusConflict
		body.Error = "Someone saved this story since the version you sent; nothing was overwritten. " +
			"Merge your changes into the current story and send its version."
		body.Field = "version"
		cur := s.apiStory(conflict.current)
		body.Current = &cur
	case isValidation:
		code = http.StatusUnprocessableEntity
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		body.Field, body.Error = keys[0], fields[keys[0]]
		if len(keys) > 1 {
			body.Fields = fields
		}
	default:
		var msg string
		code, msg = statusOf(err)
		if code == 499 {
			return
		}
		body.Error = msg
		if code >= 500 {
			s.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method),
				slog.String("path", r.URL.Path), slog.Any("err", err))
		}
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="broadsheet"`)
	}
	s.writeJSON(w, code, body)
}

// apiHandler is a JSON API handler, called with the user its token belongs to.
type apiHandler func(w http.ResponseWriter, r *http.Request, u *account.User) error

// api wraps an API handler: the request must carry a valid API token (Authorization: Bearer)
// of a user who may do act; an error the handler returns is answered as JSON.
func (s *Server) api(act account.Action, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.tokenUser(r)
		if err == nil && !account.Can(u, act, nil) {
			err = account.Forbid(u, act)
		}
		if err == nil {
			err = h(w, r, u)
		}
		if err != nil {
			s.apiError(w, r, err)
		}
	}
}

// tokenUser returns the user whose API token the request carries.
func (s *Server) tokenUser(r *http.Request) (*account.User, error) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		return nil, apiErr{status: http.StatusUnauthorized,
			msg: "Send an API token in the Authorization header: Authorization: Bearer bs_…. Create one under Your account in the admin."}
	}
	bad := apiErr{status: http.StatusUnauthorized, msg: "The API token is unknown, expired or was revoked."}
	token = strings.TrimSpace(token)
	if !account.LooksLikeAPIToken(token) {
		return nil, bad
	}
	ctx := r.Context()
	t, err := s.store.APIToken(ctx, account.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !t.Valid(now) {
		return nil, bad
	}
	u, err := s.store.User(ctx, t.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	if now.Sub(t.LastUsed) >= s.cfg.Sessions.TouchEvery {
		if err := s.store.TouchAPIToken(ctx, t.ID, now); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// decodeJSON reads a JSON request body into v, refusing unknown fields and bodies larger than
// maxFormBytes.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		tim *time.ParseError
	)
	switch {
	case err == nil:
		if dec.More() {
			return apiErr{status: http.StatusBadRequest, msg: "Send one JSON object."}
		}
		return nil
	case errors.As(err, new(*http.MaxBytesError)):
		return err
	case errors.Is(err, io.EOF):
		return apiErr{status: http.StatusBadRequest, msg: "Send a JSON object in the request body."}
	case errors.As(err, &syn):
		return apiErr{status: http.StatusBadRequest, msg: "The body is not valid JSON: " + syn.Error() + "."}
	case errors.As(err, &tim):
		// The one time a request carries is a story's published_at.
		return apiErr{status: http.StatusBadRequest, msg: "Send times in RFC 3339 form, such as 2026-03-22T09:30:00Z.", field: "published_at"}
	case errors.As(err, &typ):
		return apiErr{status: http.StatusBadRequest, msg: "The field has the wrong type: want " + typ.Type.String() + ".", field: typ.Field}
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		f = strings.Trim(f, `"`)
		return apiErr{status: http.StatusBadRequest, msg: "Unknown field " + f + ".", field: f}
	}
	return apiErr{status: http.StatusBadRequest, msg: "The body could not be read as JSON."}
}
