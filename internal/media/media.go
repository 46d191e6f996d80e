// Package media keeps a newsroom's images and files: the Store interface its backends implement
// (the data directory here, object storage beside it), and the processing every upload goes
// through once (type from the bytes, size limits, orientation, metadata stripped, responsive
// widths, a social card crop).
package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Errors a Store answers; callers test with errors.Is.
var (
	// ErrNotFound means no file has the name.
	ErrNotFound = errors.New("media: no such file")
	// ErrExist means a file already has the name: stores never overwrite.
	ErrExist = errors.New("media: file exists")
	// ErrName means the name is not one a store accepts (see ValidName).
	ErrName = errors.New("media: invalid file name")
)

// Info describes one stored file.
type Info struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// File is an open stored file. It seeks, so that http.ServeContent can answer range requests.
type File interface {
	io.ReadSeekCloser
	Info() Info
}

// Store keeps files by name. Names are slash-separated paths that pass ValidName. A file, once
// put, is never overwritten: Put answers ErrExist and leaves the old bytes. A Put that fails
// leaves no file behind. Implementations are safe for concurrent use.
type Store interface {
	// Put stores r's bytes under name, atomically: readers see all of it or nothing.
	Put(ctx context.Context, name string, r io.Reader) error
	// Open opens name for reading, or answers ErrNotFound.
	Open(ctx context.Context, name string) (File, error)
	// Stat describes name, or answers ErrNotFound.
	Stat(ctx context.Context, name string) (Info, error)
	// Delete removes name; deleting a missing file answers ErrNotFound.
	Delete(ctx context.Context, name string) error
	// List returns the files whose names start with prefix, sorted by name.
	List(ctx context.Context, prefix string) ([]Info, error)
}

// ValidName reports whether name is a store name: at most 300 bytes of slash-separated
// segments, each of ASCII letters, digits, '.', '-' and '_', none empty, "." or "..", none
// starting with a dot.
func ValidName(name string) bool {
	if name == "" || len(name) > 300 {
		return false
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg[0] == '.' {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
			if !ok {
				return false
			}
		}
	}
	return true
}

func checkName(name string) error {
	if !ValidName(name) {
		return fmt.Errorf("%q: %w", name, ErrName)
	}
	return nil
}
