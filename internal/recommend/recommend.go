// Package recommend keeps the product's "More Related Stories" lists: it analyses live stories
// into the related-stories index, follows the store's change log so the index stays in step
// with edits from any process, and stores each story's list — the engine's results under the
// editor's pins and exclusions, each with its reason — so a page view computes nothing.
package recommend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/related"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/text"
)

// Config tunes the recommender.
type Config struct {
	// K is how many related stories a list holds (default 5).
	K int
	// Engine configures the index (default related.DefaultConfig()).
	Engine related.Config
	// Language analyses the stories (default English).
	Language text.Language
	// Neighbours is how many of a changed story's nearest stories get their lists recomputed
	// with it, besides those whose lists named it (default 4 × K).
	Neighbours int
	// Snapshot, when set, is the file where Follow keeps a copy of the index, so that a restart
	// reads it and applies the changes since instead of analysing every story again.
	Snapshot string
}

// Recommender owns the index and the stored lists. It is safe for concurrent use; changes are
// applied one at a time.
type Recommender struct {
	st  store.Store
	cfg Config
	an  *text.Analyzer
	now func() time.Time
	log *slog.Logger

	mu    sync.Mutex // serialises changes to the index and the stored lists
	ix    *related.Index
	ready bool
	// current is ix, for readers that must not wait for a change to the lists (the editor).
	current atomic.Pointer[related.Index]
}

// New returns a Recommender with an empty index; Load fills it.
func New(st store.Store, cfg Config, now func() time.Time, log *slog.Logger) *Recommender {
	if cfg.K <= 0 {
		cfg.K = 5
	}
	if cfg.Engine == (related.Config{}) {
		cfg.Engine = related.DefaultConfig()
	}
	if cfg.Neighbours <= 0 {
		cfg.Neighbours = 4 * cfg.K
	}
	r := &Recommender{st: st, cfg: cfg, an: text.NewAnalyzer(cfg.Language), now: now, log: log,
		ix: related.New(cfg.Engine)}
	r.current.Store(r.ix)
	return r
}

// Document analyses an article into what the index keeps of it.
func (r *Recommender) Document(a *article.Article) related.Document {
	tags := make([]string, len(a.Tags))
	for i, t := range a.Tags {
		tags[i] = t.Name
	}
	ts := r.an.Analyze(text.StoryFields(a.Title, a.Standfirst, a.BodyText, tags, a.Section.Name)...)
	terms := make([]related.Term, len(ts))
	for i, t := range ts {
		terms[i] = related.Term(t)
	}
	sketch := related.NewSketch(text.StoryTokens(a.Title, a.BodyText))
	return related.NewSketchedDocument(a.ID, a.PublishedAt, terms, sketch)
}

// Copies returns the live stories that are near-copies of story id (a wire copy, a re-post, an
// update published as a new story), the closest first; none when id is not live.
func (r *Recommender) Copies(id int64) []int64 {
	ids, err := r.current.Load().Copies(id, maxCopies)
	if err != nil {
		return nil // not live, or not indexed yet
	}
	return ids
}

// maxCopies bounds the near-copies an editor is shown.
const maxCopies = 10

// indexed reports whether an article belongs in the index: a live story.
func (r *Recommender) indexed(a *article.Article) bool {
	return a.Kind == article.Story && a.Live(r.now())
}

// Version names the analysis and scoring that computed the stored lists. When it changes (or on a
// site's first start) Follow recomputes every list once; bump it with any change that alters lists.
const Version = "6"

// versionKey is the setting that records the Version of the stored lists.
const versionKey = "related.version"

// Progress reports how far a long job has come.
type Progress func(done, total int)

const pageSize = 500

// Load builds the index from every live story in the store, replacing what it held.
func (r *Recommender) Load(ctx context.Context, progress Progress) error {
	ix := related.New(r.cfg.Engine)
	_, total, err := r.st.ListArticles(ctx, store.ArticleQuery{LiveAt: r.now(), Kind: article.Story, Limit: 1})
	if err != nil {
		return fmt.Errorf("recommend: load: %w", err)
	}
	done := 0
	q := store.ArticleQuery{LiveAt: r.now(), Kind: article.Story, Limit: pageSize}
	for {
		list, _, err := r.st.ListArticles(ctx, q)
		if err != nil {
			return fmt.Errorf("recommend: load: %w", err)
		}
		for _, a := range list {
			if err := ix.Add(r.Document(a)); err != nil && !errors.Is(err, related.ErrExists) {
				return fmt.Errorf("recommend: load story %d: %w", a.ID, err)
			}
			done++
		}
		if progress != nil {
			progress(done, total)
		}
		if len(list) < pageSize {
			break
		}
		q.After = list[len(list)-1]
	}
	if err := ix.TrainTopics(ctx); err != nil {
		return fmt.Errorf("recommend: load: %w", err)
	}
	r.mu.Lock()
	r.ix, r.ready = ix, true
	r.current.Store(ix)
	r.mu.Unlock()
	return nil
}

// Rebuild loads the index and recomputes and stores every story's list.
func (r *Recommender) Rebuild(ctx context.Context, progress Progress) error {
	if err := r.Load(ctx, nil); err != nil {
		return err
	}
	return r.StoreAll(ctx, progress)
}

// StoreAll recomputes and stores every story's list from the index as it is, and records the
// Version that computed them.
func (r *Recommender) StoreAll(ctx context.Context, progress Progress) error {
	if err := r.storeAll(ctx, progress); err != nil {
		return err
	}
	if err := r.st.SaveSettings(ctx, map[string]string{versionKey: Version}); err != nil {
		return fmt.Errorf("recommend: %w", err)
	}
	return nil
}

// storeAll walks the stories a page at a time, by keyset, holding the index for one page only:
// a change (Refresh) waits for a page at most, and the job gives the processor up between pages.
func (r *Recommender) storeAll(ctx context.Context, progress Progress) error {
	_, total, err := r.st.ListArticles(ctx, store.ArticleQuery{Kind: article.Story, Limit: 1})
	if err != nil {
		return fmt.Errorf("recommend: store lists: %w", err)
	}
	done := 0
	q := store.ArticleQuery{Kind: article.Story, Limit: pageSize}
	for {
		list, _, err := r.st.ListArticles(ctx, q)
		if err != nil {
			return fmt.Errorf("recommend: store lists: %w", err)
		}
		r.mu.Lock()
		for _, a := range list {
			if err = r.store(ctx, a.ID); err != nil {
				break
			}
			done++
		}
		r.mu.Unlock()
		if err != nil {
			return err
		}
		if progress != nil {
			progress(done, total)
		}
		if len(list) < pageSize {
			return nil
		}
		q.After = list[len(list)-1]
		runtime.Gosched()
	}
}

// Refresh applies edits of the articles ids (published, changed, withdrawn, deleted, or their
// pins and exclusions changed): it updates the index and recomputes the lists of each story,
// of the stories whose lists named it, and of its nearest stories, whose lists it may enter.
func (r *Recommender) Refresh(ctx context.Context, ids ...int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ready {
		return nil // Load will read the current state
	}
	todo := map[int64]struct{}{}
	for _, id := range ids {
		a, err := r.st.Article(ctx, id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("recommend: refresh %d: %w", id, err)
		}
		live := err == nil && r.indexed(a)
		if live {
			if err := r.ix.Update(r.Document(a)); errors.Is(err, related.ErrNotFound) {
				err = r.ix.Add(r.Document(a))
			} else if err != nil {
				return fmt.Errorf("recommend: refresh %d: %w", id, err)
			}
		} else {
			r.ix.Remove(id)
		}
		todo[id] = struct{}{}
		naming, err := r.st.ReferencingArticles(ctx, id)
		if err != nil {
			return fmt.Errorf("recommend: refresh %d: %w", id, err)
		}
		for _, x := range naming {
			todo[x] = struct{}{}
		}
		if live {
			near, err := r.ix.Related(id, r.cfg.Neighbours)
			if err != nil {
				return fmt.Errorf("recommend: refresh %d: %w", id, err)
			}
			for _, n := range near {
				todo[n.ID] = struct{}{}
			}
		}
	}
	// The changed stories' own lists come first, so that no page names a new story
	// before the new story's page has its list; then the others, in ID order.
	keys := make([]int64, 0, len(todo))
	for id := range todo {
		if !slices.Contains(ids, id) {
			keys = append(keys, id)
		}
	}
	slices.Sort(keys)
	first := slices.Compact(slices.Sorted(slices.Values(ids)))
	for _, id := range append(first, keys...) {
		if err := r.store(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// list computes the list of story id as it would be stored: pinned stories first, then the
// engine's results without the excluded ones, K in all.
func (r *Recommender) list(ctx context.Context, id int64) ([]store.RelatedLink, error) {
	pins, excludes, err := r.st.RelatedRules(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("recommend: list of %d: %w", id, err)
	}
	var links []store.RelatedLink
	for _, p := range pins {
		if len(links) < r.cfg.K {
			links = append(links, store.RelatedLink{ArticleID: p, Reason: "Chosen by the editors"})
		}
	}
	if len(links) >= r.cfg.K || !r.ix.Contains(id) {
		return links, nil
	}
	results, err := r.ix.Related(id, r.cfg.K-len(links), append(excludes, pins...)...)
	if err != nil {
		return nil, fmt.Errorf("recommend: list of %d: %w", id, err)
	}
	for _, res := range results {
		links = append(links, store.RelatedLink{ArticleID: res.ID, Score: res.Score, Reason: res.Why()})
	}
	return links, nil
}

// store recomputes and stores the list of id; a story not in the index (not live) gets none.
func (r *Recommender) store(ctx context.Context, id int64) error {
	var links []store.RelatedLink
	if r.ix.Contains(id) {
		var err error
		if links, err = r.list(ctx, id); err != nil {
			return err
		}
	}
	old, err := r.stored(ctx, id)
	if err != nil {
		return err
	}
	if slices.EqualFunc(old, links, sameLink) {
		return nil // nothing changed: no write, no page invalidated
	}
	if err := r.st.SetRelated(ctx, id, links); err != nil {
		return fmt.Errorf("recommend: store list of %d: %w", id, err)
	}
	return nil
}

// stored reads the list stored for id, whatever the liveness of its stories.
func (r *Recommender) stored(ctx context.Context, id int64) ([]store.RelatedLink, error) {
	_, links, err := r.st.RelatedArticles(ctx, id, time.Unix(1<<40, 0))
	if err != nil {
		return nil, fmt.Errorf("recommend: stored list of %d: %w", id, err)
	}
	return links, nil
}

func sameLink(a, b store.RelatedLink) bool {
	return a.ArticleID == b.ArticleID && a.Reason == b.Reason && float32(a.Score) == float32(b.Score)
}

// Len is the number of stories in the index.
func (r *Recommender) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ix.Len()
}

// maxChanges is how many change-log entries Follow reads at once; more waiting means a rebuild.
const maxChanges = 10_000

// Follow loads the index (from its snapshot when Config.Snapshot names a usable one), then
// applies every article change the store's change log records — from this process, the command
// line or an import — until ctx ends, when it saves the snapshot. wake, when it receives, makes
// it look at once; otherwise it looks every interval.
func (r *Recommender) Follow(ctx context.Context, interval time.Duration, wake <-chan struct{}) error {
	seq, err := r.start(ctx)
	if err == nil {
		err = r.upgrade(ctx)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	// The latent topics are trained again, beside the changes, as the archive grows.
	var training sync.WaitGroup
	var busy atomic.Bool
	defer training.Wait()
	saved := seq
	defer func() {
		if seq != saved {
			if err := r.SaveSnapshot(seq); err != nil {
				r.log.Error("related stories", slog.Any("err", err))
			}
		}
	}()
	for {
		changes, latest, err := r.st.ChangesSince(ctx, seq, maxChanges)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil
			}
			r.log.Error("related stories: read changes", slog.Any("err", err))
		case len(changes) > 0 && (changes[0].Seq != seq+1 || changes[len(changes)-1].Seq != latest):
			// Missed changes (an import, a pruned log): start afresh.
			start := time.Now()
			if err := r.Rebuild(ctx, nil); err != nil && ctx.Err() == nil {
				r.log.Error("related stories: rebuild", slog.Any("err", err))
				break
			}
			r.log.Info("related stories rebuilt after many changes", slog.Int("stories", r.Len()), slog.Duration("took", time.Since(start)))
			seq = latest
			if err := r.SaveSnapshot(seq); err != nil {
				r.log.Error("related stories", slog.Any("err", err))
			}
			saved = seq
		default:
			if ids := changedArticles(changes); len(ids) > 0 {
				if err := r.Refresh(ctx, ids...); err != nil && ctx.Err() == nil {
					r.log.Error("related stories: refresh", slog.Any("err", err))
				}
			}
			seq = latest
			if ix := r.current.Load(); ix.TopicsStale() && busy.CompareAndSwap(false, true) {
				training.Go(func() {
					defer busy.Store(false)
					if err := ix.TrainTopics(ctx); err != nil && ctx.Err() == nil {
						r.log.Error("related stories: latent topics", slog.Any("err", err))
					}
				})
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-wake:
		}
	}
}

// upgrade recomputes every stored list when they were computed by another Version (or never).
func (r *Recommender) upgrade(ctx context.Context) error {
	kv, err := r.st.Settings(ctx)
	if err != nil {
		return fmt.Errorf("recommend: %w", err)
	}
	if kv[versionKey] == Version {
		return nil
	}
	start := time.Now()
	if err := r.StoreAll(ctx, nil); err != nil {
		return err
	}
	r.log.Info("related-stories lists computed", slog.String("version", Version), slog.Duration("took", time.Since(start)))
	return nil
}

// changedArticles picks the articles whose content or rules changed out of change-log entries.
func changedArticles(changes []store.Change) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, c := range changes {
		kind, num, ok := strings.Cut(c.Key, ":")
		if !ok || (kind != "article" && kind != "rules") {
			continue
		}
		id, err := strconv.ParseInt(num, 10, 64)
		if err == nil && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}
