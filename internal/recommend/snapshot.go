package recommend

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/broadsheet/broadsheet/internal/related"
)

// snapshotHeader starts a snapshot file; the Version of the analysis and the change-log
// sequence number the index reflects follow, one per line, then the index.
const snapshotHeader = "broadsheet related-stories index"

// SaveSnapshot writes the index to Config.Snapshot, replacing the file atomically, with seq, the
// last change-log entry the index reflects. It does nothing without a snapshot path.
func (r *Recommender) SaveSnapshot(seq int64) error {
	path := r.cfg.Snapshot
	if path == "" {
		return nil
	}
	r.mu.Lock()
	ix, ready := r.ix, r.ready
	r.mu.Unlock()
	if !ready {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("recommend: save snapshot: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".related-*.tmp")
	if err != nil {
		return fmt.Errorf("recommend: save snapshot: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	fmt.Fprintf(w, "%s\n%s\n%d\n", snapshotHeader, Version, seq)
	_, err = ix.WriteTo(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("recommend: save snapshot %s: %w", path, err)
	}
	return nil
}

// errStale reports a snapshot that the current analysis or database cannot use.
var errStale = errors.New("stale")

// loadSnapshot replaces the index with the one saved at Config.Snapshot and returns the
// change-log sequence number it reflects. latest is the store's latest sequence number: a
// snapshot from ahead of it belongs to another database.
func (r *Recommender) loadSnapshot(latest int64) (int64, error) {
	f, err := os.Open(r.cfg.Snapshot)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	// The index is read as a stream: the snapshot is never in memory beside it.
	br := bufio.NewReaderSize(f, 1<<16)
	left := fi.Size()
	var lines [3]string
	for i := range lines {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, fmt.Errorf("%w: header cut short", related.ErrSnapshot)
		}
		left -= int64(len(line))
		lines[i] = string(line[:len(line)-1])
	}
	seq, err := strconv.ParseInt(lines[2], 10, 64)
	switch {
	case lines[0] != snapshotHeader || err != nil:
		return 0, fmt.Errorf("%w: not a snapshot", related.ErrSnapshot)
	case lines[1] != Version:
		return 0, fmt.Errorf("%w: written by version %q of the analysis, not %q", errStale, lines[1], Version)
	case seq > latest:
		return 0, fmt.Errorf("%w: reflects change %d, the database's latest is %d", errStale, seq, latest)
	}
	ix, err := related.ReadIndex(&io.LimitedReader{R: br, N: left}, r.cfg.Engine)
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	r.ix, r.ready = ix, true
	r.current.Store(ix)
	r.mu.Unlock()
	return seq, nil
}

// start fills the index, from the snapshot when there is a usable one (the changes since it
// was saved are then applied by Follow), or else from every live story. It returns the
// change-log sequence number the index reflects.
func (r *Recommender) start(ctx context.Context) (int64, error) {
	latest, err := r.st.LatestChange(ctx)
	if err != nil {
		return 0, fmt.Errorf("recommend: follow: %w", err)
	}
	t0 := time.Now()
	if r.cfg.Snapshot != "" {
		seq, err := r.loadSnapshot(latest)
		if err == nil {
			r.log.Info("related-stories index read from its snapshot", slog.Int("stories", r.Len()),
				slog.Int64("changes to apply", latest-seq), slog.Duration("took", time.Since(t0)))
			return seq, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			r.log.Warn("related-stories snapshot not used; indexing every story", slog.Any("err", err))
		}
	}
	if err := r.Load(ctx, nil); err != nil {
		return 0, err
	}
	r.log.Info("related-stories index loaded", slog.Int("stories", r.Len()), slog.Duration("took", time.Since(t0)))
	if err := r.SaveSnapshot(latest); err != nil {
		r.log.Error("related stories", slog.Any("err", err))
	}
	return latest, nil
}
