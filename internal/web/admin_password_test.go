package web

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/mail/mailtest"
	"github.com/broadsheet/broadsheet/internal/store"
)

// mailNewsroom is a site that sends mail, to a real SMTP server listening in the test.
type mailNewsroom struct {
	*newsroom
	ms *mailtest.Server
}

func newMailNewsroom(t *testing.T) *mailNewsroom {
	t.Helper()
	return &mailNewsroom{newsroom: newNewsroom(t, func(c *Config) { c.Mail = true }), ms: mailtest.NewServer(t)}
}

// send runs the staff mail sender once, as the server's mail job does, and returns the messages
// that arrived.
func (n *mailNewsroom) send() []mailtest.Message {
	n.t.Helper()
	before := len(n.ms.Messages())
	if _, err := n.srv.SendStaffMail(context.Background(), smtpTo(n.ms)); err != nil {
		n.t.Fatalf("SendStaffMail: %v", err)
	}
	return n.ms.Messages()[before:]
}

// only returns the one message of msgs, failing the test unless there is exactly one.
func only(t *testing.T, msgs []mailtest.Message, what string) mailtest.Message {
	t.Helper()
	if len(msgs) != 1 {
		var subjects []string
		for _, m := range msgs {
			subjects = append(subjects, m.Header.Get("Subject"))
		}
		t.Fatalf("%s: %d emails %q, want 1", what, len(msgs), subjects)
	}
	return msgs[0]
}

var linkRE = regexp.MustCompile(`http://[^\s]+/admin/password\?t=[A-Za-z0-9_-]{43}`)

// linkIn returns the path and query of the set-password link in s.
func linkIn(t *testing.T, s string) string {
	t.Helper()
	l := linkRE.FindString(s)
	if l == "" {
		t.Fatalf("no set-password link in:\n%s", s)
	}
	u, _ := url.Parse(l)
	return u.RequestURI()
}

// choosePassword opens link in b, checks the page, and posts password twice from its form.
func choosePassword(t *testing.T, b *browser, link, password string) (*http.Response, string) {
	t.Helper()
	resp, body := b.get(link)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d\n%.600s", link, resp.StatusCode, body)
	}
	if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("the set-password page's Referrer-Policy = %q, want no-referrer", got)
	}
	form := formValues(t, body, "/admin/password")
	if form.Get("token") == "" || strings.Contains(body, `action="/admin/password?`) {
		t.Fatalf("the set-password form does not post the token in its body:\n%.600s", body)
	}
	form.Set("password", password)
	form.Set("password2", password)
	return b.post("/admin/password", form)
}

func storedUser(t *testing.T, st store.Store, email string) *account.User {
	t.Helper()
	u, err := st.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestInviteByEmail: an administrator invites a new staff member by name, email and role; the
// invitation arrives by mail; the administrator never sees the link; the invitee chooses a
// password (argon2id, the same rules), is signed in, and the link works once.
func TestInviteByEmail(t *testing.T) {
	t.Parallel()
	n := newMailNewsroom(t)
	admin := n.signIn(n.addUser("Ada Admin", account.Administrator))
	n.send() // the administrator's own new-device notice

	resp, body := admin.post("/admin/users/", url.Values{"name": {"Nia Newcomer"}, "email": {"Nia@Example.org"}, "role": {"editor"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/users/?msg=invited" {
		t.Fatalf("inviting = %d %s\n%.600s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	page := admin.mustGet("/admin/users/?msg=invited", http.StatusOK)
	if linkRE.MatchString(page) || strings.Contains(page, "password?t=") {
		t.Error("the administrator's page shows the invitation's link")
	}
	if !strings.Contains(page, `Nia Newcomer</a> <span class="role">invited</span>`) {
		t.Error("the users page does not mark the invited user")
	}
	nia := storedUser(t, n.st, "nia@example.org")
	if nia.PasswordHash != "" || nia.Role != account.Editor {
		t.Fatalf("the invited user = %+v, want an editor without a password", nia)
	}
	m := only(t, n.send(), "an invitation")
	if diff := cmp.Diff([]string{"nia@example.org"}, m.To); diff != "" {
		t.Errorf("the invitation went to (-want +got):\n%s", diff)
	}
	for _, want := range []string{"Ada Admin has invited you", "as Editor", "7 days", "nia@example.org"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("the invitation lacks %q:\n%s", want, m.Body)
		}
	}
	link := linkIn(t, m.Body)

	invitee := n.browser()
	// Looking at the page (as a mail scanner does) does not use the link.
	invitee.mustGet(link, http.StatusOK)
	resp, body = choosePassword(t, invitee, link, "short")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "at least 10 characters") {
		t.Fatalf("a short password = %d\n%.600s", resp.StatusCode, body)
	}
	if v := formValues(t, body, "/admin/password"); v.Get("token") == "" {
		t.Error("the form shown again lost the token")
	}
	resp, body = choosePassword(t, invitee, link, "a newcomer's long passphrase")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/?msg=password-set" {
		t.Fatalf("choosing a password = %d %s\n%.600s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	invitee.mustGet("/admin/", http.StatusOK)
	nia = storedUser(t, n.st, "nia@example.org")
	if !strings.HasPrefix(nia.PasswordHash, "$argon2id$") || !account.Authenticate(nia, "a newcomer's long passphrase") {
		t.Errorf("the stored password %q is not the argon2id hash of the one chosen", nia.PasswordHash)
	}
	if msgs := n.send(); len(msgs) != 0 {
		t.Errorf("choosing a first password sent %d emails, want none", len(msgs))
	}
	// The link worked once.
	if resp, body := n.browser().get(link); resp.StatusCode != http.StatusGone || !strings.Contains(body, "cannot be used") {
		t.Errorf("a used link = %d\n%.400s", resp.StatusCode, body)
	}
	if resp, _ := n.browser().post("/admin/password", url.Values{"token": {strings.TrimPrefix(link, "/admin/password?t=")},
		"password": {"another long passphrase"}, "password2": {"another long passphrase"}}); resp.StatusCode != http.StatusGone {
		t.Errorf("posting a used link = %d, want 410", resp.StatusCode)
	}
}

// TestSetPasswordLinkUsedAtOnce: two browsers posting one link at the same moment: exactly one
// sets the password.
func TestSetPasswordLinkUsedAtOnce(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ed := n.addUser("Ed Editor", account.Editor)
	token, l := account.NewPasswordLink(ed, account.LinkHandover, n.clock.now())
	if err := n.st.CreatePasswordLink(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			pw := []string{"first long passphrase", "second long passphrase"}[i]
			resp, _ := n.browser().post("/admin/password", url.Values{"token": {token}, "password": {pw}, "password2": {pw}})
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	if count(codes, http.StatusSeeOther) != 1 || count(codes, http.StatusGone) != 1 {
		t.Errorf("two uses at once answered %v, want one 303 and one 410", codes)
	}
}

// recordingStore notes every account call the server makes, for tests that compare the work two
// requests cost.
type recordingStore struct {
	store.Store
	mu    *sync.Mutex
	calls *[]string
}

func newRecordingStore(st store.Store) *recordingStore {
	return &recordingStore{Store: st, mu: &sync.Mutex{}, calls: new([]string)}
}

func (r *recordingStore) note(call string) {
	r.mu.Lock()
	*r.calls = append(*r.calls, call)
	r.mu.Unlock()
}

// take returns the calls noted so far and forgets them.
func (r *recordingStore) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := *r.calls
	*r.calls = nil
	return c
}

func (r *recordingStore) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	r.note("InTx")
	return r.Store.InTx(ctx, func(tx store.Store) error { return fn(&recordingStore{Store: tx, mu: r.mu, calls: r.calls}) })
}
func (r *recordingStore) User(ctx context.Context, id int64) (*account.User, error) {
	r.note("User")
	return r.Store.User(ctx, id)
}
func (r *recordingStore) UserByEmail(ctx context.Context, email string) (*account.User, error) {
	r.note("UserByEmail")
	return r.Store.UserByEmail(ctx, email)
}
func (r *recordingStore) Users(ctx context.Context) ([]account.User, error) {
	r.note("Users")
	return r.Store.Users(ctx)
}
func (r *recordingStore) ReserveLoginAttempt(ctx context.Context, b []account.Bucket, since, at time.Time) (int64, time.Time, error) {
	r.note("ReserveLoginAttempt")
	return r.Store.ReserveLoginAttempt(ctx, b, since, at)
}
func (r *recordingStore) ClearLoginAttempts(ctx context.Context, id int64, keys []string) error {
	r.note("ClearLoginAttempts")
	return r.Store.ClearLoginAttempts(ctx, id, keys)
}
func (r *recordingStore) QueueStaffMail(ctx context.Context, email, kind, detail string, now time.Time) error {
	r.note("QueueStaffMail " + kind)
	return r.Store.QueueStaffMail(ctx, email, kind, detail, now)
}
func (r *recordingStore) CreatePasswordLink(ctx context.Context, l *account.PasswordLink) error {
	r.note("CreatePasswordLink")
	return r.Store.CreatePasswordLink(ctx, l)
}
func (r *recordingStore) PasswordLink(ctx context.Context, hash string) (*account.PasswordLink, error) {
	r.note("PasswordLink")
	return r.Store.PasswordLink(ctx, hash)
}
func (r *recordingStore) UsePasswordLink(ctx context.Context, hash string) (*account.PasswordLink, error) {
	r.note("UsePasswordLink")
	return r.Store.UsePasswordLink(ctx, hash)
}
func (r *recordingStore) CreateSession(ctx context.Context, s *account.Session) error {
	r.note("CreateSession")
	return r.Store.CreateSession(ctx, s)
}

// TestLostPasswordAnswersAlike: "Lost your password?" gives the same answer, after the same work
// counted call by call (never timed), whether or not the email has an account; only an account
// gets an email, with a link that works once, for an hour.
func TestLostPasswordAnswersAlike(t *testing.T) {
	t.Parallel()
	var rec *recordingStore
	pw := &countingPasswords{h: account.NewHasher(0, 10*time.Minute)} // a turn always comes, however busy the machine
	n := &mailNewsroom{newsroom: newNewsroomOn(t, func(st store.Store) store.Store { rec = newRecordingStore(st); return rec },
		func(c *Config) { c.Mail, c.Passwords = true, pw }), ms: mailtest.NewServer(t)}
	ed := n.addUser("Ed Editor", account.Editor)
	login := n.browser().mustGet("/admin/login", http.StatusOK)
	if !strings.Contains(login, `href="/admin/password/lost"`) {
		t.Error("the sign-in page has no \"Lost your password?\" link")
	}

	ask := func(email string) (int, string, []string) {
		rec.take()
		resp, body := n.browser().post("/admin/password/lost", url.Values{"email": {email}})
		return resp.StatusCode, strings.ReplaceAll(body, email, "EMAIL"), rec.take()
	}
	codeKnown, bodyKnown, workKnown := ask(ed.Email)
	codeUnknown, bodyUnknown, workUnknown := ask("nobody@example.org")
	if codeKnown != http.StatusOK || codeKnown != codeUnknown {
		t.Errorf("statuses: known %d, unknown %d; want 200 for both", codeKnown, codeUnknown)
	}
	if diff := cmp.Diff(bodyKnown, bodyUnknown); diff != "" {
		t.Errorf("the answers differ (-known +unknown):\n%s", diff)
	}
	if diff := cmp.Diff(workKnown, workUnknown); diff != "" || len(workKnown) == 0 {
		t.Errorf("the store calls differ (-known +unknown):\n%s", diff)
	}
	if got := pw.checked.Load(); got != 0 {
		t.Errorf("asking checked %d passwords, want none", got)
	}
	if !strings.Contains(bodyKnown, "If <strong>EMAIL</strong> is the address of a newsroom account") {
		t.Errorf("the answer:\n%.800s", bodyKnown)
	}
	m := only(t, n.send(), "a reset for one known and one unknown email")
	if diff := cmp.Diff([]string{ed.Email}, m.To); diff != "" {
		t.Errorf("the reset went to (-want +got):\n%s", diff)
	}
	link := linkIn(t, m.Body)

	// An hour later the link has expired.
	n.clock.add(account.ResetLinkLife + time.Second)
	if resp, _ := n.browser().get(link); resp.StatusCode != http.StatusGone {
		t.Errorf("an expired link = %d, want 410", resp.StatusCode)
	}

	// A fresh link: using it signs the user out of their other browsers, changes the password
	// and tells them.
	other := n.signIn(ed)
	other.mustGet("/admin/", http.StatusOK)
	n.send() // the new-device notice of that sign-in
	ask(ed.Email)
	link = linkIn(t, only(t, n.send(), "a second reset").Body)
	if resp, body := choosePassword(t, n.browser(), link, "a brand new passphrase"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resetting = %d\n%.600s", resp.StatusCode, body)
	}
	if resp, _ := other.get("/admin/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the other browser after a reset = %d, want a redirect to sign in", resp.StatusCode)
	}
	if resp, _ := n.browser().post("/admin/login", url.Values{"email": {ed.Email}, "password": {testPassword}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old password after a reset = %d, want 401", resp.StatusCode)
	}
	notice := only(t, n.send(), "after a reset")
	if !strings.Contains(notice.Header.Get("Subject"), "was changed") {
		t.Errorf("after a reset the user was told %q", notice.Header.Get("Subject"))
	}
}

// TestLostPasswordThrottled: requests are limited per email (known or not, alike) and per
// address, counted with sign-ins' reservations.
func TestLostPasswordThrottled(t *testing.T) {
	t.Parallel()
	n := newMailNewsroom(t)
	ed := n.addUser("Ed Editor", account.Editor)
	th := account.ResetThrottle()
	for _, email := range []string{ed.Email, "nobody@example.org"} {
		var codes []int
		for range th.PerAccount + 1 {
			resp, _ := n.browser().post("/admin/password/lost", url.Values{"email": {email}}, "X-Forwarded-For", "192.0.2.1")
			codes = append(codes, resp.StatusCode)
		}
		want := append(slices.Repeat([]int{http.StatusOK}, th.PerAccount), http.StatusTooManyRequests)
		if diff := cmp.Diff(want, codes); diff != "" {
			t.Errorf("requests for %s (-want +got):\n%s", email, diff)
		}
	}
	if got := len(n.send()); got != th.PerAccount {
		t.Errorf("%d reset emails sent, want %d", got, th.PerAccount)
	}
	// Per address: many emails from one address.
	n2 := newNewsroom(t, func(c *Config) {
		c.Mail = true
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
	})
	var refused int
	for i := range th.PerIP + 1 {
		resp, _ := n2.browser().post("/admin/password/lost", url.Values{"email": {"x" + itoa(i) + "@example.org"}}, "X-Forwarded-For", "192.0.2.9")
		if resp.StatusCode == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("%d requests from one address: %d refused, want 1", th.PerIP+1, refused)
	}
}

// TestHandOverLinkWithoutMail: on a site that sends no mail, adding a user without a password
// shows the administrator a link to hand over, once; the user page makes another for an existing
// user; "Lost your password?" says whom to ask; a link is void once the password changed.
func TestHandOverLinkWithoutMail(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	admin := n.signIn(n.addUser("Ada Admin", account.Administrator))
	users := admin.mustGet("/admin/users/", http.StatusOK)
	if !strings.Contains(users, "one-time link to give them") {
		t.Errorf("the users page does not say a link will be made:\n%.800s", users)
	}
	resp, body := admin.post("/admin/users/", url.Values{"name": {"Hal Handover"}, "email": {"hal@example.org"}, "role": {"author"}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("adding without mail = %d (Referrer-Policy %q)\n%.600s", resp.StatusCode, resp.Header.Get("Referrer-Policy"), body)
	}
	link := linkIn(t, body)
	hal := n.browser()
	if resp, body := choosePassword(t, hal, link, "hal's own passphrase"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("using the handed-over link = %d\n%.600s", resp.StatusCode, body)
	}

	// A link for an existing user, then voided by a password change made another way.
	halUser := storedUser(t, n.st, "hal@example.org")
	_, body = admin.post("/admin/users/"+itoa64(halUser.ID)+"/link", url.Values{})
	link = linkIn(t, body)
	halUser.PasswordHash, _ = account.HashPassword("set by the command line")
	if err := n.st.UpdateUser(context.Background(), halUser); err != nil {
		t.Fatal(err)
	}
	if resp, _ := n.browser().get(link); resp.StatusCode != http.StatusGone {
		t.Errorf("a link made before the password changed = %d, want 410", resp.StatusCode)
	}
	// Emailing a link is refused when nothing would be sent.
	if resp, _ := admin.post("/admin/users/"+itoa64(halUser.ID)+"/link", url.Values{"send": {"email"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("emailing a link without mail = %d, want 400", resp.StatusCode)
	}
	lost := n.browser()
	if _, body := lost.post("/admin/password/lost", url.Values{"email": {"hal@example.org"}}); !strings.Contains(body, "This site sends no email") {
		t.Errorf("\"Lost your password?\" without mail:\n%.600s", body)
	}
	if due, _ := n.st.DueStaffMail(context.Background(), n.clock.now(), 10); len(due) != 0 {
		t.Errorf("a site without mail queued %d staff emails", len(due))
	}
}

// TestStaffNotices: a role change, a password changed by an administrator and a sign-in from a
// new browser are each told to the user by email; a known browser is not.
func TestStaffNotices(t *testing.T) {
	t.Parallel()
	n := newMailNewsroom(t)
	adminUser := n.addUser("Ada Admin", account.Administrator)
	ed := n.addUser("Ed Editor", account.Editor)
	admin := n.signIn(adminUser)
	m := only(t, n.send(), "a first sign-in")
	if !strings.Contains(m.Header.Get("Subject"), "New sign-in") || !strings.Contains(m.Body, "from 127.0.0.1") {
		t.Errorf("the new-device notice: %q\n%s", m.Header.Get("Subject"), m.Body)
	}
	// The same browser again: no notice.
	admin.post("/admin/logout", url.Values{})
	if resp, _ := admin.post("/admin/login", url.Values{"email": {adminUser.Email}, "password": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in again = %d", resp.StatusCode)
	}
	if msgs := n.send(); len(msgs) != 0 {
		t.Errorf("a known browser's sign-in sent %d emails", len(msgs))
	}

	path := "/admin/users/" + itoa64(ed.ID) + "/"
	form := formValues(t, admin.mustGet(path, http.StatusOK), path)
	form.Set("role", "author")
	if resp, body := admin.post(path, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("changing the role = %d\n%.600s", resp.StatusCode, body)
	}
	m = only(t, n.send(), "a role change")
	if m.Header.Get("Subject") != "Your role at The Test Courier is now Author" || m.To[0] != ed.Email {
		t.Errorf("the role notice: %q to %v", m.Header.Get("Subject"), m.To)
	}
	// Saving without a change tells nobody anything.
	form = formValues(t, admin.mustGet(path, http.StatusOK), path)
	admin.post(path, form)
	if msgs := n.send(); len(msgs) != 0 {
		t.Errorf("saving an unchanged user sent %d emails", len(msgs))
	}
	form.Set("password", "an administrator's choice")
	form.Set("password2", "an administrator's choice")
	admin.post(path, form)
	m = only(t, n.send(), "a password set by an administrator")
	if !strings.Contains(m.Header.Get("Subject"), "was changed") {
		t.Errorf("the password notice: %q", m.Header.Get("Subject"))
	}
	// A link emailed before the email changes (a mistyped invitation, say) dies with the change.
	if resp, _ := admin.post("/admin/users/"+itoa64(ed.ID)+"/link", url.Values{"send": {"email"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("emailing a link = %d", resp.StatusCode)
	}
	before := linkIn(t, only(t, n.send(), "a link emailed before the email change").Body)
	if resp, _ := n.browser().get(before); resp.StatusCode != http.StatusOK {
		t.Fatalf("the link before the email change = %d", resp.StatusCode)
	}
	// A new email is told to the previous address, which does not learn the new one, and to
	// the new address.
	form = formValues(t, admin.mustGet(path, http.StatusOK), path)
	form.Set("email", "Ed.Editor@Example.NET")
	if resp, body := admin.post(path, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("changing the email = %d\n%.600s", resp.StatusCode, body)
	}
	msgs := n.send()
	if len(msgs) != 2 {
		t.Fatalf("an email change sent %d emails, want 2", len(msgs))
	}
	byTo := map[string]*mailtest.Message{}
	for i := range msgs {
		byTo[msgs[i].To[0]] = &msgs[i]
	}
	old, now := byTo[ed.Email], byTo["ed.editor@example.net"]
	if old == nil || now == nil {
		t.Fatalf("the email change went to %v, want %s and the new address", []string{msgs[0].To[0], msgs[1].To[0]}, ed.Email)
	}
	if !strings.Contains(old.Header.Get("Subject"), "was changed") || strings.Contains(old.Body, "example.net") || !strings.Contains(old.Body, "tell an administrator") {
		t.Errorf("the notice to the previous address: %q\n%s", old.Header.Get("Subject"), old.Body)
	}
	if !strings.Contains(now.Header.Get("Subject"), "now your sign-in email") || !strings.Contains(now.Body, ed.Email) {
		t.Errorf("the notice to the new address: %q\n%s", now.Header.Get("Subject"), now.Body)
	}
	if msgs := n.send(); len(msgs) != 0 {
		t.Errorf("%d more emails after the email change's two", len(msgs))
	}
	if resp, _ := n.browser().get(before); resp.StatusCode != http.StatusGone {
		t.Errorf("a link sent to the previous address, after the email changed = %d, want 410", resp.StatusCode)
	}
	// An administrator can email a reset link from the user's page.
	if resp, _ := admin.post("/admin/users/"+itoa64(ed.ID)+"/link", url.Values{"send": {"email"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("emailing a link = %d", resp.StatusCode)
	}
	linkIn(t, only(t, n.send(), "a link emailed by an administrator").Body)
}

// TestStaffMailWithoutServer: with no mail server, due staff emails are dropped and no link is
// made for them; a refused email takes its link with it, and the retry makes a new one.
func TestStaffMailWithoutServer(t *testing.T) {
	t.Parallel()
	n := newMailNewsroom(t)
	ed := n.addUser("Ed Editor", account.Editor)
	ctx := context.Background()
	if err := n.st.QueueStaffMail(ctx, ed.Email, store.StaffReset, "", n.clock.now()); err != nil {
		t.Fatal(err)
	}
	if sent, err := n.srv.SendStaffMail(ctx, nil); err != nil || sent != 0 {
		t.Errorf("SendStaffMail(nil) = %d, %v", sent, err)
	}
	if due, _ := n.st.DueStaffMail(ctx, n.clock.now(), 10); len(due) != 0 {
		t.Errorf("%d staff emails left after dropping", len(due))
	}
	// A refused message deletes the link it carried.
	n.ms.FailNext(1)
	if err := n.st.QueueStaffMail(ctx, ed.Email, store.StaffReset, "", n.clock.now()); err != nil {
		t.Fatal(err)
	}
	if _, err := n.srv.SendStaffMail(ctx, smtpTo(n.ms)); err != nil {
		t.Fatal(err)
	}
	links := func() int64 {
		t.Helper()
		c, err := n.st.(interface {
			CountRows(context.Context, string) (int64, error)
		}).CountRows(ctx, "password_links")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := links(); c != 0 {
		t.Errorf("a refused reset email left %d links behind, want none", c)
	}
	n.clock.add(time.Minute)
	m := only(t, n.send(), "the retry")
	link := linkIn(t, m.Body)
	n.browser().mustGet(link, http.StatusOK)
	if c := links(); c != 1 {
		t.Errorf("after the retry %d links are stored, want 1", c)
	}
}

// TestAPIInvite: POST /api/v1/users without a password invites the user by email when the site
// sends mail, and is refused, naming the field, when it does not.
func TestAPIInvite(t *testing.T) {
	t.Parallel()
	n := newMailNewsroom(t)
	admin := n.apiToken(n.addUser("Ada Admin", account.Administrator))
	n.send() // the new-device notice of the sign-in that made the token
	var u apiUser
	if resp := admin.call("POST", "/api/v1/users", map[string]any{"email": "nia@example.org", "name": "Nia Newcomer", "role": "editor"}, &u); resp.StatusCode != http.StatusCreated {
		t.Fatalf("inviting through the API = %d %+v", resp.StatusCode, u)
	}
	m := only(t, n.send(), "an invitation through the API")
	if m.To[0] != "nia@example.org" || !strings.Contains(m.Body, "Ada Admin has invited you") {
		t.Errorf("the invitation to %v:\n%s", m.To, m.Body)
	}
	if code := postLinkPassword(t, n.newsroom, linkIn(t, m.Body)); code != http.StatusSeeOther {
		t.Errorf("using the invitation = %d", code)
	}

	plain := newNewsroom(t)
	admin = plain.apiToken(plain.addUser("Ada Admin", account.Administrator))
	var e apiErrorAnswer
	if resp := admin.call("POST", "/api/v1/users", map[string]any{"email": "nia@example.org", "name": "Nia", "role": "editor"}, &e); resp.StatusCode != http.StatusUnprocessableEntity || e.Field != "password" {
		t.Errorf("no password on a site without mail = %d %+v", resp.StatusCode, e)
	}
}

// postLinkPassword chooses a password through link in a fresh browser and returns the status.
func postLinkPassword(t *testing.T, n *newsroom, link string) int {
	t.Helper()
	resp, _ := choosePassword(t, n.browser(), link, "a chosen long passphrase")
	return resp.StatusCode
}
