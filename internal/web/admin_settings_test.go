package web

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/broadsheet/broadsheet/internal/account"
)

// TestSettingsChangeUnderLoad changes the site's title while readers load pages: every page is
// whole, with the old title or the new one (run with -race to check the swap).
func TestSettingsChangeUnderLoad(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	admin := n.signIn(n.addUser("Ada Admin", account.Administrator))
	form := formValues(t, admin.mustGet("/admin/settings/", http.StatusOK), "/admin/settings/")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			reader := n.browser()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, body := reader.get("/")
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, "</html>") ||
					(!strings.Contains(body, "The Test Courier") && !strings.Contains(body, "Edition ")) {
					t.Errorf("front page during a settings change = %d\n%.300s", resp.StatusCode, body)
					return
				}
			}
		})
	}
	for i := range 5 {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("title", "Edition "+itoa(i))
		if resp, _ := admin.post("/admin/settings/", f); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("save settings = %d", resp.StatusCode)
		}
	}
	close(stop)
	wg.Wait()
	if body := n.browser().mustGet("/", http.StatusOK); !strings.Contains(body, "Edition 4") {
		t.Error("the front page does not show the last title")
	}
}
