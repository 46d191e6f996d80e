// Package sitegen generates large synthetic news sites for benchmarks and query-plan checks:
// stories with sections, bylines and tags over ten years, and readers' comments from a fixed
// population of commenters, some of them verified. The same Size and seed always give the same
// site, so figures measured on it can be compared between builds.
package sitegen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/recommend"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Size is how much a generated site holds.
type Size struct {
	Stories    int
	Comments   int
	Commenters int
}

// Large is the site issue 9 measures on: 100k stories, 1M comments, 20k commenters.
var Large = Size{Stories: 100_000, Comments: 1_000_000, Commenters: 20_000}

// Medium is the size of the site issue 9's table was measured on: 21,578 stories and, 90% of its
// comments being approved, about 40k approved comments.
var Medium = Size{Stories: 21_578, Comments: 44_400, Commenters: 4_000}

// Small is a site for smoke tests of the benchmark command.
var Small = Size{Stories: 200, Comments: 2_000, Commenters: 100}

func (s Size) String() string { return fmt.Sprintf("%d-%d-%d", s.Stories, s.Comments, s.Commenters) }

// Now is the generated site's present: every story is published before it.
var Now = time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)

// batch is how many rows one transaction writes.
const batch = 5000

var words = strings.Fields(`harbour council vote ferry bridge budget school hospital market election minister
	port mayor river flood storm rail tram housing rent festival museum library theatre football club
	season league match coach player court judge police inquiry report audit bank tax wages strike union
	fishing fleet trade export tariff shipping container crane dock warehouse airport runway tourism hotel
	weather heat drought water energy wind solar grid price fuel petrol farm harvest wine coast beach cliff`)

// Email is the address of commenter i (0 ≤ i < Size.Commenters).
func Email(i int) string { return fmt.Sprintf("reader%d@example.org", i) }

// Slug is the slug of story i (0 ≤ i < Size.Stories).
func Slug(i int) string { return fmt.Sprintf("story-%d", i) }

// Generate fills st, which should be empty, with a site of the given size. Story i is published
// i hours before Now, so story 0 is the newest. Every commenter with an even number is verified;
// 90% of comments are approved, the rest held or spam. Every story gets its stored related
// list, as on a site that has been running, and snapshot, when not empty, receives the
// related-stories index (what a server keeps in DATA/related.index).
func Generate(ctx context.Context, st store.Store, size Size, snapshot string) error {
	rng := rand.New(rand.NewPCG(9, uint64(size.Stories)))
	sentence := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = words[rng.IntN(len(words))]
		}
		s := strings.Join(w, " ")
		return strings.ToUpper(s[:1]) + s[1:] + "."
	}
	ids := make([]int64, 0, size.Stories)
	for start := 0; start < size.Stories; start += batch {
		err := st.InTx(ctx, func(tx store.Store) error {
			for i := start; i < min(start+batch, size.Stories); i++ {
				var body, html strings.Builder
				for range 6 {
					p := sentence(12) + " " + sentence(14) + " " + sentence(10)
					body.WriteString(p + "\n\n")
					html.WriteString("<p>" + p + "</p>\n")
				}
				sec := words[i%10]
				a := &article.Article{Kind: article.Story, Slug: Slug(i), Title: sentence(7), Standfirst: sentence(15),
					Body: body.String(), BodyHTML: html.String(), BodyText: body.String(),
					Section: article.Section{Name: sec, Slug: sec},
					Authors: []article.Author{{Name: fmt.Sprintf("Reporter %d", i%50), Slug: fmt.Sprintf("reporter-%d", i%50)}},
					Tags: []article.Tag{
						{Name: fmt.Sprintf("Topic %d", i%500), Slug: fmt.Sprintf("topic-%d", i%500)},
						{Name: fmt.Sprintf("Topic %d", (i*7+3)%500), Slug: fmt.Sprintf("topic-%d", (i*7+3)%500)},
					},
					Status: article.Published, PublishedAt: Now.Add(-time.Duration(i) * time.Hour), CommentsOpen: true}
				if err := tx.CreateArticle(ctx, a); err != nil {
					return err
				}
				ids = append(ids, a.ID)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("sitegen: stories: %w", err)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	for start := 0; start < size.Comments; start += batch {
		err := st.InTx(ctx, func(tx store.Store) error {
			for i := start; i < min(start+batch, size.Comments); i++ {
				// Newer stories draw more comments: a square skews the pick towards story 0.
				f := rng.Float64()
				story := int(f * f * float64(len(ids)))
				who := rng.IntN(max(size.Commenters, 1))
				status := comment.Approved
				switch r := rng.IntN(20); {
				case r == 0:
					status = comment.Pending
				case r == 1:
					status = comment.Spam
				}
				c := &comment.Comment{ArticleID: ids[story], Type: comment.Regular, Status: status,
					AuthorName: fmt.Sprintf("Reader %d", who), AuthorEmail: Email(who),
					AuthorIP:  fmt.Sprintf("10.%d.%d.%d", who>>16&255, who>>8&255, who&255),
					Content:   sentence(8 + rng.IntN(30)),
					CreatedAt: Now.Add(-time.Duration(story)*time.Hour + time.Duration(rng.IntN(3600))*time.Second)}
				if err := tx.CreateComment(ctx, c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("sitegen: comments: %w", err)
		}
	}
	err := st.InTx(ctx, func(tx store.Store) error {
		for i := 0; i < size.Commenters; i += 2 {
			if err := tx.VerifyEmail(ctx, Email(i), Now.Add(-24*time.Hour)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sitegen: commenters: %w", err)
	}
	// The related lists, in one transaction: a server started on the site has nothing to
	// compute, as a server restarted on a real one.
	rec := recommend.New(st, recommend.Config{Snapshot: snapshot}, func() time.Time { return Now }, slog.New(slog.DiscardHandler))
	err = st.InTx(ctx, func(tx store.Store) error {
		return recommend.New(tx, recommend.Config{}, func() time.Time { return Now }, slog.New(slog.DiscardHandler)).Rebuild(ctx, nil)
	})
	if err != nil {
		return fmt.Errorf("sitegen: related lists: %w", err)
	}
	// A running server prunes its change log; a generated one starts pruned.
	if err := st.PruneChanges(ctx, 1000); err != nil {
		return fmt.Errorf("sitegen: %w", err)
	}
	if snapshot != "" {
		latest, err := st.LatestChange(ctx)
		if err == nil {
			err = rec.Load(ctx, nil)
		}
		if err == nil {
			err = rec.SaveSnapshot(latest)
		}
		if err != nil {
			return fmt.Errorf("sitegen: related index: %w", err)
		}
	}
	return nil
}

// Snapshot is the file beside the generated site at path that holds its related-stories index.
func Snapshot(path string) string { return strings.TrimSuffix(path, ".db") + ".related.index" }

// Cached returns the path of a generated SQLite site of the given size in dir, generating it
// the first time (which takes minutes for Large) through open. Callers that write to the site
// should work on a Copy, so that the cached file stays as generated.
func Cached(ctx context.Context, dir string, size Size, open func(path string) (store.Store, error)) (string, error) {
	path := filepath.Join(dir, "site-"+size.String()+".db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("sitegen: %w", err)
	}
	tmp := path + ".part"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
	st, err := open(tmp)
	if err != nil {
		return "", fmt.Errorf("sitegen: %w", err)
	}
	if err := Generate(ctx, st, size, Snapshot(tmp)); err != nil {
		st.Close()
		return "", err
	}
	if err := st.Close(); err != nil {
		return "", fmt.Errorf("sitegen: %w", err)
	}
	if err := os.Rename(Snapshot(tmp), Snapshot(path)); err != nil {
		return "", fmt.Errorf("sitegen: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("sitegen: %w", err)
	}
	return path, nil
}

// Copy copies the site file src (closed, its WAL checkpointed) to dst, and its related-stories
// index, when it has one, to related.index beside dst, where a server on dst's folder reads it.
func Copy(src, dst string) error {
	if err := copyFile(src, dst); err != nil {
		return err
	}
	// A byte-for-byte copy is as sound as its source: with the source's time and its record of
	// a clean close, the server started on the copy skips its start-up check, as a restart does.
	if fi, err := os.Stat(src); err == nil {
		if err := os.Chtimes(dst, fi.ModTime(), fi.ModTime()); err != nil {
			return fmt.Errorf("sitegen: %w", err)
		}
		if _, err := os.Stat(src + "-sound"); err == nil {
			if err := copyFile(src+"-sound", dst+"-sound"); err != nil {
				return err
			}
		}
	}
	for _, from := range []string{Snapshot(src), filepath.Join(filepath.Dir(src), "related.index")} {
		if _, err := os.Stat(from); err == nil {
			return copyFile(from, filepath.Join(filepath.Dir(dst), "related.index"))
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("sitegen: %w", err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("sitegen: %w", err)
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}

// BenchData is where benchmarks cache generated sites between runs: $BROADSHEET_BENCH_DATA, or
// a folder in the system's temporary directory.
func BenchData() string {
	if d := os.Getenv("BROADSHEET_BENCH_DATA"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "broadsheet-bench")
}

// CopyCached copies the site of the given size cached in BenchData (generating it through open
// the first time) to dst, for a benchmark to write to.
func CopyCached(ctx context.Context, size Size, open func(path string) (store.Store, error), dst string) error {
	src, err := Cached(ctx, BenchData(), size, open)
	if err != nil {
		return err
	}
	return Copy(src, dst)
}
