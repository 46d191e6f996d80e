package importer

import (
	"errors"
	"io"
	"strings"

	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/disqus"
	"github.com/broadsheet/broadsheet/internal/store"
)

// disqusThread is what an import knows of a Disqus thread.
type disqusThread struct {
	article int64 // 0 when no story matches
	url     string
	title   string
}

// disqus imports a Disqus export: threads are matched to stories, posts become their comments.
// Disqus writes posts after the threads, usually parents before replies; a reply that comes
// before its parent waits for it, and one whose parent never comes becomes a top-level comment.
func (r *run) disqus(src io.Reader) error {
	rd := disqus.NewReader(src)
	threads := map[string]*disqusThread{}
	var unmatched []string // thread IDs, in file order
	posts := map[string]int{}
	ids := map[string]int64{}              // Disqus post ID → comment ID
	waiting := map[string][]*disqus.Post{} // parent ID → replies waiting for it
	// once finds a comment met under another thread of the same story (its old and new URL
	// were two threads): it is attached once.
	type sameComment struct {
		article      int64
		author, text string
		created      int64
	}
	type firstSeen struct {
		thread string
		id     int64
	}
	once := map[sameComment]firstSeen{}
	source := ""
	save := func(p *disqus.Post, parentID int64) error {
		th := threads[p.ThreadID]
		c := &comment.Comment{ArticleID: th.article, ParentID: parentID, Type: comment.Regular,
			AuthorName: strings.TrimSpace(p.Author.Name), AuthorEmail: strings.TrimSpace(p.Author.Email),
			AuthorIP: strings.TrimSpace(p.IPAddress), Content: commentText(p.Message), CreatedAt: p.CreatedAt}
		if c.AuthorName == "" {
			c.AuthorName = strings.TrimSpace(p.Author.Username)
		}
		switch {
		case p.IsSpam:
			c.Status = comment.Spam
		case p.IsDeleted:
			c.Status = comment.Trash
		default:
			c.Status = comment.Approved
		}
		c.SpamScore = spamScore(c.Status)
		if c.Content == "" {
			r.sum.skip("empty comment", "post "+p.ID)
			return nil
		}
		same := sameComment{th.article, c.AuthorName, c.Content, c.CreatedAt.UnixMicro()}
		if first, ok := once[same]; ok && first.thread != p.ThreadID {
			ids[p.ID] = first.id
			r.sum.Merged++
			return nil
		}
		id, _, err := r.saveComment(source, "post:"+p.ID, c, false)
		if err != nil {
			return err
		}
		ids[p.ID] = id
		if _, ok := once[same]; !ok {
			once[same] = firstSeen{p.ThreadID, id}
		}
		return nil
	}
	// saveTree saves p and then the replies that waited for it.
	var saveTree func(p *disqus.Post, parentID int64) error
	saveTree = func(p *disqus.Post, parentID int64) error {
		if err := save(p, parentID); err != nil {
			return err
		}
		kids := waiting[p.ID]
		delete(waiting, p.ID)
		for _, k := range kids {
			if err := saveTree(k, ids[p.ID]); err != nil {
				return err
			}
		}
		return nil
	}
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch rec := rec.(type) {
		case *disqus.Thread:
			if source == "" {
				source = "disqus:" + rec.Forum
				r.sum.Source = source
			}
			th := &disqusThread{url: strings.TrimSpace(rec.Link), title: plainTitle(rec.Title)}
			if th.article, err = r.matchThread(rec); err != nil {
				return err
			}
			threads[rec.ID] = th
			if th.article == 0 {
				unmatched = append(unmatched, rec.ID)
			}
		case *disqus.Post:
			if source == "" {
				source = "disqus:" + r.name
				r.sum.Source = source
			}
			th := threads[rec.ThreadID]
			switch {
			case th == nil:
				r.sum.skip("thread not in the file", "post "+rec.ID)
			case th.article == 0:
				posts[rec.ThreadID]++
			case rec.ParentID == "":
				err = saveTree(rec, 0)
			default:
				if id, ok := ids[rec.ParentID]; ok {
					err = saveTree(rec, id)
				} else if k, kerr := r.tx.ImportKey(r.ctx, source, "post:"+rec.ParentID); kerr == nil && k.CommentID != 0 {
					err = saveTree(rec, k.CommentID)
				} else {
					waiting[rec.ParentID] = append(waiting[rec.ParentID], rec)
				}
			}
			if err != nil {
				return err
			}
		}
		if err := r.step(); err != nil {
			return err
		}
	}
	// Replies whose parent never came (it was not exported, or its thread did not match).
	for parent, kids := range sorted(waiting) {
		for _, k := range kids {
			if err := saveTree(k, ids[parent]); err != nil {
				return err
			}
		}
	}
	seen := map[string]bool{}
	for _, id := range unmatched {
		th := threads[id]
		if posts[id] == 0 || seen[th.url] {
			continue
		}
		seen[th.url] = true
		n := 0
		for _, other := range unmatched {
			if threads[other].url == th.url {
				n += posts[other]
			}
		}
		r.sum.Unmatched = append(r.sum.Unmatched, Thread{URL: th.url, Title: th.title, Posts: n})
	}
	return nil
}

// matchThread finds the story a Disqus thread is about: by its link (the story's permalink, its
// bare slug, or an old URL an import kept) or, failing that, by its identifier, which is often
// the path or "ID URL" as WordPress's Disqus plugin writes it. It returns 0 when nothing matches.
func (r *run) matchThread(t *disqus.Thread) (int64, error) {
	candidates := []string{t.Link}
	if f := strings.Fields(t.Identifier); len(f) > 0 {
		if isDigits(f[0]) {
			candidates = append(candidates, "/?p="+f[0])
		}
		candidates = append(candidates, f[len(f)-1])
	}
	for _, c := range candidates {
		id, err := r.articleAt(c)
		if err != nil || id != 0 {
			return id, err
		}
	}
	return 0, nil
}

// articleAt returns the ID of the live article at link (a URL or a path), following the kept
// redirects, or 0.
func (r *run) articleAt(link string) (int64, error) {
	path := oldPath(link)
	if path == "" {
		return 0, nil
	}
	for range 3 {
		to, err := r.tx.Redirect(r.ctx, path)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			return 0, err
		}
		path = to
	}
	slug, ok := ourSlug(path)
	if !ok {
		return 0, nil
	}
	a, err := r.tx.ArticleBySlug(r.ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return a.ID, nil
}

// ourSlug returns the slug of a path shaped like Broadsheet's article addresses, /slug/ or
// /YYYY/MM/DD/slug/, which the site answers for the article with that slug.
func ourSlug(path string) (string, bool) {
	if !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, "/") {
		return "", false
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch len(parts) {
	case 1:
	case 4:
		for _, p := range parts[:3] {
			if !isDigits(p) {
				return "", false
			}
		}
	default:
		return "", false
	}
	slug := parts[len(parts)-1]
	return slug, slug != ""
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
