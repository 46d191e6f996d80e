package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/account"
)

// TestEditorMediaJSON: the visual editor's picture picker and its dropped and pasted uploads
// use the admin's own media routes with Accept: application/json, signed in by the session and
// guarded against other sites like every form.
func TestEditorMediaJSON(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withMedia(t, 1<<20))
	author := n.signIn(n.addUser("Ana Author", account.Author))
	upload := func(b *browser, site, name string, data []byte) (*http.Response, string) {
		t.Helper()
		body, ct := multipartBody(t, map[string]string{"alt": "The quay", "credit": "Ana Lima"}, "file", name, data)
		req, _ := http.NewRequest(http.MethodPost, n.ts.URL+"/admin/media/", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Sec-Fetch-Site", site)
		return b.do(req)
	}

	resp, body := upload(author, "same-origin", "quay.jpg", testJPEG(t, 400, 300))
	var item mediaView
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &item) != nil {
		t.Fatalf("upload = %d %s, want 201 and the item as JSON", resp.StatusCode, body)
	}
	if item.Alt != "The quay" || item.Credit != "Ana Lima" || !strings.Contains(item.URL, "/media/") || len(item.Sizes) == 0 {
		t.Errorf("uploaded item = %+v", item)
	}
	resp, body = upload(author, "same-origin", "notes.jpg", []byte("just text"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"error":"That file is not a JPEG`) {
		t.Errorf("upload of text = %d %s, want 422 with the reason as JSON", resp.StatusCode, body)
	}
	if resp, _ := upload(author, "cross-site", "quay.jpg", testJPEG(t, 40, 30)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("upload from another site = %d, want 403", resp.StatusCode)
	}
	if resp, body := upload(n.browser(), "same-origin", "quay.jpg", testJPEG(t, 40, 30)); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"error"`) {
		t.Errorf("upload signed out = %d %s, want 401 as JSON", resp.StatusCode, body)
	}

	var list struct {
		Items []mediaView `json:"items"`
		Total int         `json:"total"`
	}
	resp, body = author.get("/admin/media/?q=quay", "Accept", "application/json")
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &list) != nil || list.Total != 1 || list.Items[0].ID != item.ID {
		t.Errorf("GET /admin/media/?q=quay as JSON = %d %s", resp.StatusCode, body)
	}
	if _, body = author.get("/admin/media/?q=lighthouse", "Accept", "application/json"); !strings.Contains(body, `"items":[]`) {
		t.Errorf("a search that finds nothing = %s, want an empty list", body)
	}
	if page := author.mustGet("/admin/media/", http.StatusOK); !strings.Contains(page, "<html") {
		t.Error("the library page without Accept: application/json is not the HTML page")
	}
}

// TestEditorScriptOnlyInEditor: the story editor loads the visual editor and keeps its plain
// Markdown box (all there is without JavaScript); readers' pages carry none of the editor.
func TestEditorScriptOnlyInEditor(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	author := n.signIn(n.addUser("Ana Author", account.Author))
	page := author.mustGet("/admin/stories/new", http.StatusOK)
	for _, want := range []string{`<script src="/static/editor.`, `<link rel="stylesheet" href="/static/editor.`} {
		if !strings.Contains(page, want) {
			t.Errorf("the story editor lacks %s", want)
		}
	}
	box := findNode(parseHTML(t, page), func(n *html.Node) bool { return n.Data == "textarea" && attrOf(n, "id") == "body" })
	if box == nil || hasAttr(box, "hidden") || attrOf(box, "name") != "body" {
		t.Fatal("the story editor has no visible Markdown box named body")
	}
	for _, path := range []string{"/", "/admin/"} {
		if body := author.mustGet(path, http.StatusOK); strings.Contains(body, "/static/editor.") {
			t.Errorf("%s loads the editor", path)
		}
	}
}
