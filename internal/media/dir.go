package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Dir is the data-directory backend: files under one folder (DATA/media), written to a
// temporary file, synced, then linked into place so that a name is never overwritten.
type Dir struct {
	root string
}

// NewDir returns a store over root, creating the folder when missing.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, ".tmp"), 0o755); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	return &Dir{root: root}, nil
}

func (d *Dir) path(name string) string {
	return filepath.Join(d.root, filepath.FromSlash(name))
}

// Put implements Store.
func (d *Dir) Put(ctx context.Context, name string, r io.Reader) error {
	if err := checkName(name); err != nil {
		return err
	}
	dst := d.path(name)
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s: %w", name, ErrExist)
	}
	tmp, err := os.CreateTemp(filepath.Join(d.root, ".tmp"), "put-*")
	if err != nil {
		return fmt.Errorf("media: %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	// Readable by a web server or backup job beside us, like any published file.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("media: %s: %w", name, err)
	}
	_, err = io.Copy(tmp, ctxReader{ctx, r})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.MkdirAll(filepath.Dir(dst), 0o755)
	}
	if err != nil {
		return fmt.Errorf("media: %s: %w", name, err)
	}
	// A hard link fails when dst exists, where a rename would replace it.
	if err := os.Link(tmp.Name(), dst); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", name, ErrExist)
		}
		return fmt.Errorf("media: %s: %w", name, err)
	}
	return nil
}

// Open implements Store.
func (d *Dir) Open(ctx context.Context, name string) (File, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	f, err := os.Open(d.path(name))
	if err != nil {
		return nil, d.translate(name, err)
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, ErrNotFound)
	}
	return dirFile{f, Info{Name: name, Size: st.Size(), ModTime: st.ModTime()}}, nil
}

// Stat implements Store.
func (d *Dir) Stat(ctx context.Context, name string) (Info, error) {
	if err := checkName(name); err != nil {
		return Info{}, err
	}
	st, err := os.Stat(d.path(name))
	if err != nil {
		return Info{}, d.translate(name, err)
	}
	if !st.Mode().IsRegular() {
		return Info{}, fmt.Errorf("%s: %w", name, ErrNotFound)
	}
	return Info{Name: name, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete implements Store.
func (d *Dir) Delete(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := os.Remove(d.path(name)); err != nil {
		return d.translate(name, err)
	}
	return nil
}

// List implements Store.
func (d *Dir) List(ctx context.Context, prefix string) ([]Info, error) {
	var list []Info
	err := filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && strings.HasPrefix(e.Name(), ".") && p != d.root {
			return filepath.SkipDir
		}
		if !e.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if !strings.HasPrefix(name, prefix) {
			return nil
		}
		st, err := e.Info()
		if err != nil {
			return err
		}
		list = append(list, Info{Name: name, Size: st.Size(), ModTime: st.ModTime()})
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("media: list %q: %w", prefix, err)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, nil
}

func (d *Dir) translate(name string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", name, ErrNotFound)
	}
	return fmt.Errorf("media: %s: %w", name, err)
}

type dirFile struct {
	*os.File
	info Info
}

func (f dirFile) Info() Info { return f.info }

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
