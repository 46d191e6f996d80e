package web

import (
	"bytes"
	"html/template"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/comment"
)

// commentTemplate is the markup writeComment writes, as the template it replaced: html/template
// escapes each value for where it stands, which writeComment must do alike.
const commentTemplate = `{{define "comment"}}<li id="comment-{{.ID}}" class="comment depth-{{.Depth}}{{if .Staff}} staff{{end}}{{if .Featured}} featured{{end}}{{if .Pending}} pending{{end}}">
  <article class="comment-body" aria-label="Comment by {{.AuthorName}}">
    <footer class="comment-meta">
      <img class="avatar" src="{{avatar .}}" alt="" width="40" height="40">
      <b class="fn">{{if .AuthorURL}}<a href="{{.AuthorURL}}" rel="external nofollow ugc">{{.AuthorName}}</a>{{else}}{{.AuthorName}}{{end}}</b>{{if .Staff}} <span class="badge">Staff</span>{{end}}{{if .Featured}} <span class="badge badge-featured">Featured</span>{{end}}
      <a class="comment-time" href="#comment-{{.ID}}"><time datetime="{{iso .CreatedAt}}">{{datetime .CreatedAt}}</time></a>
      {{if .Pending}}<p class="comment-awaiting-moderation" role="status">Your comment is awaiting moderation.</p>{{end}}
    </footer>
    <div class="comment-content">{{commentHTML .}}</div>
    {{if not .Pending}}<p class="reply"><a rel="nofollow" class="comment-reply-link" href="?replytocom={{.ID}}#respond" data-commentid="{{.ID}}" data-author="{{.AuthorName}}" aria-label="Reply to {{.AuthorName}}">Reply</a></p>{{end}}
  </article>
  {{if .Replies}}<ol class="children">{{range .Replies}}{{template "comment" .}}{{end}}</ol>{{end}}
</li>{{end}}`

// TestCommentHTMLMatchesTemplate holds the story page's comments, written by Go code for speed,
// to the bytes html/template makes of the same markup, on values that need escaping.
func TestCommentHTMLMatchesTemplate(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: Config{Location: loc}}
	ref := template.Must(template.New("comment").Funcs(template.FuncMap{
		"avatar":      avatarURL,
		"commentHTML": func(p *comment.Public) template.HTML { return template.HTML(p.ContentHTML) },
		"iso":         s.iso,
		"datetime":    s.datetime,
	}).Parse(commentTemplate))
	at := time.Date(2026, 3, 22, 9, 5, 0, 0, time.UTC)
	reply := &comment.Public{ID: 12, AuthorName: "Bo + Cy <b>", AuthorURL: "https://example.org/a b?x=1&y='2'#é",
		Avatar: "k2", ContentHTML: "<p>Agreed.</p>", CreatedAt: at, Depth: 2, Staff: true, Featured: true}
	tests := []*comment.Public{
		{ID: 1, AuthorName: "Ada", Avatar: "abc_-", ContentHTML: "<p>Yes.</p>", CreatedAt: at, Depth: 1},
		{ID: 2, AuthorName: `"Quoted" & 'single' +plus`, AuthorURL: "javascript:alert(1)", Avatar: "k",
			ContentHTML: "<p>Hi &amp; bye</p>", CreatedAt: at, Depth: 1, Pending: true},
		{ID: 3, AuthorName: "Zoë \x00 \ufdd0 \xff", AuthorURL: "HTTP://EXAMPLE.ORG/%41%zz\"<>", Avatar: "k",
			CreatedAt: at, Depth: 1, Replies: []*comment.Public{reply, {ID: 13, AuthorName: "Dee", AuthorURL: "mailto:dee@example.org",
				Depth: 2, Featured: true}}},
		{ID: 4, AuthorName: "Eve", AuthorURL: "/relative/path:x", Depth: 1, Staff: true},
		{ID: 5, AuthorName: "Fay", AuthorURL: "data:text/html,x", Depth: 1},
		{ID: 6, AuthorName: "Gus", AuthorURL: "https://example.org/%4g%4", Depth: 1},
		{ID: 7, AuthorName: "Hal", AuthorURL: "https://example.org/100%", Depth: 1},
	}
	for _, c := range tests {
		var want, got bytes.Buffer
		if err := ref.ExecuteTemplate(&want, "comment", c); err != nil {
			t.Fatal(err)
		}
		s.writeComment(&got, c)
		if diff := cmp.Diff(want.String(), got.String()); diff != "" {
			t.Errorf("writeComment(%d) (-template +written):\n%s", c.ID, diff)
		}
	}
}
