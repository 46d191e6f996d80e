package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/comment"
)

// postJSON leaves a comment as the page's script does, with the returning-commenter token it
// kept (if any) and the "Save my name…" box ticked, and returns the server's answer.
func (cs *commentSite) postJSON(name, email, text, returning string) commentReply {
	cs.t.Helper()
	f := cs.browser().commentForm(cs.path)
	f.Set("author", name)
	f.Set("email", email)
	f.Set("comment", text)
	f.Set("consent", "yes")
	if returning != "" {
		f.Set("returning", returning)
	}
	cs.clock.add(20 * time.Second)
	resp, body := cs.browser().post("/comments", f, "Accept", "application/json")
	var reply commentReply
	if err := json.Unmarshal([]byte(body), &reply); err != nil || resp.StatusCode != http.StatusCreated {
		cs.t.Fatalf("post a comment as the script does = %d %v\n%.800s", resp.StatusCode, err, body)
	}
	return reply
}

// TestReturningCommenter covers the returning-commenter rule through the site, for each
// combination: the site sends mail or not × the browser kept a token or not × that earlier
// comment was approved or not. Only a kept token of an approved comment (or, with mail, a
// confirmed address) lets a comment through; a name and email alone never do.
func TestReturningCommenter(t *testing.T) {
	t.Parallel()
	for _, mail := range []bool{false, true} {
		for _, token := range []bool{false, true} {
			for _, approved := range []bool{false, true} {
				name := map[bool]string{false: "no mail", true: "mail"}[mail] + ", " +
					map[bool]string{false: "no token", true: "token"}[token] + ", " +
					map[bool]string{false: "first held", true: "first approved"}[approved]
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					cs := newCommentSite(t, func(c *Config) { c.Mail = mail })
					first := cs.postJSON("Ada Reader", "ada@example.org", "My first comment.", "")
					if first.Status != "pending" || first.Returning == "" {
						t.Fatalf("first comment = %+v, want it held and a token for the browser to keep", first)
					}
					if approved {
						if _, err := cs.st.SetCommentStatus(t.Context(), []int64{first.ID}, comment.Approved); err != nil {
							t.Fatal(err)
						}
					}
					kept := ""
					if token {
						kept = first.Returning
					}
					second := cs.postJSON("Ada Reader", "ada@example.org", "My second comment.", kept)
					want := "pending"
					if token && approved {
						want = "approved"
					}
					if second.Status != want {
						t.Errorf("second comment = %q, want %q", second.Status, want)
					}
					if token && second.Returning != first.Returning {
						t.Errorf("the browser is given %q, want it to keep the token it has", second.Returning)
					}
					if want == "pending" && !strings.Contains(strings.Join(cs.comment(second.ID).Reasons, ";"), "not a recognised returning commenter") {
						t.Errorf("held for %q, want the returning-commenter rule named", cs.comment(second.ID).Reasons)
					}
					// A spoofer with Ada's name and email but not her browser's token is held.
					if spoof := cs.postJSON("Ada Reader", "ada@example.org", "I am not really Ada.", ""); spoof.Status != "pending" {
						t.Errorf("a comment with an approved name and email but no token = %q, want it held", spoof.Status)
					}
					// Nor does Ada's token serve another name and address.
					if other := cs.postJSON("Eve", "eve@example.org", "Borrowed token.", first.Returning); other.Status != "pending" {
						t.Errorf("a comment with another commenter's token = %q, want it held", other.Status)
					}

					// The form offers mail features only when mail is sent.
					page := cs.browser().mustGet(cs.path, http.StatusOK)
					for _, field := range []string{`name="notify"`, `name="verify"`} {
						if strings.Contains(page, field) != mail {
							t.Errorf("the form has %s: %v, want %v with mail %v", field, !mail, mail, mail)
						}
					}
				})
			}
		}
	}
}

// TestReturningCommenterConfirmedEmail: with mail, a confirmed address with an approved comment
// is trusted without a token; a reader who did not tick "Save my name…" is given no token.
func TestReturningCommenterConfirmedEmail(t *testing.T) {
	t.Parallel()
	cs := newCommentSite(t)
	id := cs.post(0, "Ada Reader", "ada@example.org", "My first comment.", false)
	if _, err := cs.st.SetCommentStatus(t.Context(), []int64{id}, comment.Approved); err != nil {
		t.Fatal(err)
	}
	if err := cs.st.VerifyEmail(t.Context(), "ada@example.org", cs.clock.now()); err != nil {
		t.Fatal(err)
	}
	f := cs.browser().commentForm(cs.path)
	f.Set("author", "Ada Reader")
	f.Set("email", "ada@example.org")
	f.Set("comment", "Confirmed, so at once.")
	cs.clock.add(20 * time.Second)
	resp, body := cs.browser().post("/comments", f, "Accept", "application/json")
	var reply commentReply
	json.Unmarshal([]byte(body), &reply)
	if resp.StatusCode != http.StatusCreated || reply.Status != "approved" || reply.Returning != "" {
		t.Errorf("confirmed commenter without consent = %d %+v, want approved and no token", resp.StatusCode, reply)
	}
}

// TestSettingsTrustRule: the settings page says which rule is in force, for the site's mail.
func TestSettingsTrustRule(t *testing.T) {
	t.Parallel()
	for _, mail := range []bool{false, true} {
		cs := newCommentSite(t, func(c *Config) { c.Mail = mail })
		admin := cs.signIn(cs.addUser("Ada Admin", account.Administrator))
		page := admin.mustGet("/admin/settings/", http.StatusOK)
		want := comment.DefaultSettings().TrustRule(mail)
		if !strings.Contains(page, strings.ReplaceAll(want, "'", "&#39;")) {
			t.Errorf("mail %v: the settings page lacks the rule %q", mail, want)
		}
	}
}
