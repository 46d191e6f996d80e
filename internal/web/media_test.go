package web

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/media"
)

// withMedia gives a test site a picture library in a temporary folder.
func withMedia(t testing.TB, maxBytes int64) func(*Config) {
	return func(c *Config) {
		dir, err := media.NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		c.Media = &media.Library{Files: dir, MaxBytes: maxBytes, Options: media.Options{Widths: []int{320, 640}}}
	}
}

func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 7)
	}
	m.Set(1, 1, color.White)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// send posts body to the API with content type ct and decodes the answer into out.
func (c *apiClient) send(path, ct string, body []byte, out any) *http.Response {
	t := c.b.n.t
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.b.n.ts.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", ct)
	resp, got := c.b.do(req)
	if out != nil {
		if err := json.Unmarshal([]byte(got), out); err != nil {
			t.Fatalf("POST %s: %v\n%s", path, err, got)
		}
	}
	return resp
}

func multipartBody(t testing.TB, fields map[string]string, fileField, fileName string, data []byte) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		fw.Write(data)
	}
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func TestAPIMediaUploadAndServe(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withMedia(t, 1<<20))
	writer := n.apiToken(n.addUser("Cora Contributor", account.Contributor))
	var item mediaView
	body, ct := multipartBody(t, map[string]string{"alt": "Boats in the harbour", "caption": "Dawn.", "credit": "Ana Lima"}, "file", "harbour.jpg", testJPEG(t, 800, 400))
	if resp := writer.send("/api/v1/media", ct, body, &item); resp.StatusCode != http.StatusCreated {
		t.Fatalf("multipart upload = %d %+v", resp.StatusCode, item)
	}
	if item.Alt != "Boats in the harbour" || item.Credit != "Ana Lima" || item.Width != 800 || len(item.Sizes) != 2 ||
		!strings.Contains(item.SrcSet, "320w") || !strings.HasSuffix(item.URL, "/harbour.jpg") {
		t.Errorf("uploaded item = %+v", item)
	}
	// The same bytes again, raw this time: the item already there.
	var again mediaView
	if resp := writer.send("/api/v1/media?name=copy.jpg", "image/jpeg", testJPEG(t, 800, 400), &again); resp.StatusCode != http.StatusOK || again.ID != item.ID {
		t.Errorf("raw upload of the same bytes = %d, item %d; want 200 and item %d", resp.StatusCode, again.ID, item.ID)
	}

	for _, tc := range []struct {
		name, ct string
		body     []byte
		want     int
	}{
		{"html.jpg", "image/jpeg", []byte("<html><script>alert(1)</script></html>"), http.StatusUnprocessableEntity},
		{"empty.jpg", "image/jpeg", nil, http.StatusUnprocessableEntity},
		{"huge.jpg", "image/jpeg", make([]byte, 1<<20+1), http.StatusRequestEntityTooLarge},
	} {
		var e apiErrorAnswer
		if resp := writer.send("/api/v1/media?name="+tc.name, tc.ct, tc.body, &e); resp.StatusCode != tc.want || e.Field != "file" || e.Error == "" {
			t.Errorf("upload %s = %d %+v, want %d with a message", tc.name, resp.StatusCode, e, tc.want)
		}
	}
	mod := n.apiToken(n.addUser("Mo Moderator", account.Moderator))
	if resp := mod.send("/api/v1/media?name=x.jpg", "image/jpeg", testJPEG(t, 10, 10), nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("moderator upload = %d, want 403", resp.StatusCode)
	}

	// Serving: type from the bytes, nosniff, cached for good, ranges, 304.
	path := strings.TrimPrefix(item.URL, n.ts.URL)
	b := n.browser()
	resp, got := b.get(path)
	h := resp.Header
	if resp.StatusCode != 200 || h.Get("Content-Type") != "image/jpeg" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(h.Get("Cache-Control"), "immutable") || h.Get("ETag") == "" || len(got) == 0 {
		t.Fatalf("GET %s = %d %v", path, resp.StatusCode, h)
	}
	if resp, _ := b.get(path, "If-None-Match", h.Get("ETag")); resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET = %d, want 304", resp.StatusCode)
	}
	if resp, part := b.get(path, "Range", "bytes=0-9"); resp.StatusCode != http.StatusPartialContent || part != got[:10] {
		t.Errorf("range GET = %d, %d bytes; want 206 and 10", resp.StatusCode, len(part))
	}
	for _, bad := range []string{"/media/../site.db", "/media/%2e%2e/site.db", "/media/" + strings.Repeat("a", 32) + "/none.jpg", "/media/.tmp/x"} {
		if resp, _ := b.get(bad); resp.StatusCode == http.StatusOK || resp.StatusCode >= 500 {
			t.Errorf("GET %s = %d, want no file", bad, resp.StatusCode)
		}
	}
	var list struct {
		Items []mediaView `json:"items"`
		Total int         `json:"total"`
	}
	if writer.call("GET", "/api/v1/media?q=harbour", nil, &list); list.Total != 1 || list.Items[0].ID != item.ID {
		t.Errorf("GET /api/v1/media?q=harbour = %+v", list)
	}
}
