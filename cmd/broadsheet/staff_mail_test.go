package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/mail/mailtest"
)

var setPasswordLink = regexp.MustCompile(`http://\S+/admin/password\?t=[A-Za-z0-9_-]{43}`)

// noFollow is a browser with its own cookies that does not follow redirects.
func noFollow() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// setPasswordWith opens link in client and chooses password, as a person does, and returns
// the status of the answer.
func setPasswordWith(t *testing.T, client *http.Client, link, password string) int {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", u.Path, resp.StatusCode)
	}
	form := url.Values{"token": {u.Query().Get("t")}, "password": {password}, "password2": {password}}
	req, _ := http.NewRequest(http.MethodPost, u.Scheme+"://"+u.Host+"/admin/password", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestUserLinkCommand: broadsheet user link prints a one-time link with which the user chooses
// their password on the running site.
func TestUserLinkCommand(t *testing.T) {
	t.Parallel()
	m, _ := startMainWith(t, func(c *Config) { c.Demo = false })
	dir := m.Config.Data
	if _, _, err := userRun(t, dir, "a strong password\n", "add", "--email", "ed@example.org", "--name", "Ed Editor", "--role", "editor"); err != nil {
		t.Fatal(err)
	}
	out, _, err := userRun(t, dir, "", "link", "--email", "ED@example.org", "--base-url", m.URL())
	if err != nil || !strings.Contains(out, "works once") {
		t.Fatalf("user link = %q, %v", out, err)
	}
	link := setPasswordLink.FindString(out)
	if link == "" {
		t.Fatalf("user link printed no link:\n%s", out)
	}
	if code := setPasswordWith(t, noFollow(), link, "chosen by ed himself"); code != http.StatusSeeOther {
		t.Errorf("using the printed link = %d, want 303", code)
	}
	if resp, _ := get(t, m, strings.TrimPrefix(link, m.URL())); resp.StatusCode != http.StatusGone {
		t.Errorf("the printed link used twice = %d, want 410", resp.StatusCode)
	}
	if _, _, err := userRun(t, dir, "", "link", "--email", "nobody@example.org"); err == nil || !strings.Contains(err.Error(), "no user") {
		t.Errorf("user link for nobody = %v", err)
	}
}

// TestStaffMailEndToEnd: the real program with --smtp: a "Lost your password?" request is sent by
// the server's own mail job to a real SMTP server, and its link sets the password.
func TestStaffMailEndToEnd(t *testing.T) {
	t.Parallel()
	ms := mailtest.NewServer(t)
	m, _ := startMainWith(t, func(c *Config) {
		c.Demo = false
		c.SMTP = "smtp://" + ms.Host() + ":" + strconv.Itoa(ms.Port()) + "?from=news@example.org&starttls=false"
	})
	if _, _, err := userRun(t, m.Config.Data, "a strong password\n", "add", "--email", "ed@example.org", "--name", "Ed Editor"); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, m.URL()+"/admin/password/lost", strings.NewReader("email=ed%40example.org"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("asking for a link = %d", resp.StatusCode)
	}
	msgs := ms.Wait(t, 1, time.Minute)
	link := setPasswordLink.FindString(msgs[0].Body)
	if link == "" || msgs[0].To[0] != "ed@example.org" {
		t.Fatalf("the reset email to %v:\n%s", msgs[0].To, msgs[0].Body)
	}
	if code := setPasswordWith(t, noFollow(), link, "a new strong password"); code != http.StatusSeeOther {
		t.Fatalf("resetting = %d, want 303", code)
	}
	u, err := m.Store.UserByEmail(t.Context(), "ed@example.org")
	if err != nil || !account.Authenticate(u, "a new strong password") {
		t.Errorf("after the reset the new password does not sign in (%v)", err)
	}
	// The server tells Ed his password changed.
	msgs = ms.Wait(t, 2, time.Minute)
	if !strings.Contains(msgs[1].Header.Get("Subject"), "was changed") {
		t.Errorf("the second email is %q", msgs[1].Header.Get("Subject"))
	}
}
