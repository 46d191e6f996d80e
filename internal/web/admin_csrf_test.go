package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/account"
)

// stateChangingRoutes returns every route pattern of srv registered for a method other than
// GET and HEAD, or for every method.
func stateChangingRoutes(srv *Server) []string {
	var out []string
	for _, pattern := range srv.Routes() {
		method, _, hasMethod := strings.Cut(pattern, " ")
		if !hasMethod || (method != http.MethodGet && method != http.MethodHead) {
			out = append(out, pattern)
		}
	}
	return out
}

var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// TestCrossSiteRequestsRefused checks that every state-changing route the router has refuses a
// request another site's page sends, even with the victim's session cookie, and that the same
// request from the site's own pages passes the check.
func TestCrossSiteRequestsRefused(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	admin := n.signIn(n.addUser("Ada Admin", account.Administrator))
	routes := stateChangingRoutes(n.srv)
	if len(routes) < 30 {
		t.Fatalf("found %d state-changing routes in routes.go, want the newsroom's 30 or more: %v", len(routes), routes)
	}
	const refused = "came from another website"
	for _, pattern := range routes {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			method, path = http.MethodPost, pattern
		}
		path = strings.ReplaceAll(path, "{$}", "")
		path = wildcard.ReplaceAllString(path, "1")
		for _, attack := range [][]string{
			{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"},
			{"Sec-Fetch-Site", "same-site", "Origin", "https://evil." + strings.TrimPrefix(n.ts.URL, "http://")},
			{"Sec-Fetch-Site", "", "Origin", "https://evil.example"}, // a browser too old for Sec-Fetch-Site
		} {
			req, err := http.NewRequest(method, n.ts.URL+path, strings.NewReader("title=pwned&action=publish"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for i := 0; i < len(attack); i += 2 {
				if attack[i+1] != "" {
					req.Header.Set(attack[i], attack[i+1])
				}
			}
			resp, body := admin.do(req)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, refused) {
				t.Errorf("%s %s with %v = %d, want 403 refused as cross-site", method, path, attack, resp.StatusCode)
			}
		}
		req, _ := http.NewRequest(method, n.ts.URL+path, strings.NewReader("x=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if resp, body := admin.do(req); strings.Contains(body, refused) {
			t.Errorf("%s %s from the site itself refused as cross-site (%d)", method, path, resp.StatusCode)
		}
	}
}
