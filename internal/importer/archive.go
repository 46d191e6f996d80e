package importer

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/media"
)

// Archives are read as they are: nothing is unpacked under a name the archive chooses, so an
// entry named ../../etc/passwd or a symbolic link cannot write or read outside; entries that
// are not regular files are ignored; each file is read within the size limit whatever size
// its header declares, so a small archive cannot claim gigabytes.

// maxEntries bounds the entries of an archive the importer indexes.
const maxEntries = 1_000_000

// OpenUploads returns the Source for a copy of a WordPress site's wp-content/uploads: a folder,
// or a .zip or .tar.gz of one (told by its bytes, not its name). In an archive, a file's path
// under uploads is what follows its last "uploads/" (wp-content/uploads/2019/05/a.jpg and
// 2019/05/a.jpg are both 2019/05/a.jpg). Close releases what it holds.
func OpenUploads(name string, maxBytes int64) (Source, io.Closer, error) {
	if maxBytes <= 0 {
		maxBytes = media.DefaultMaxBytes
	}
	info, err := os.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if info.IsDir() {
		return Folder{Dir: name, MaxBytes: maxBytes}, io.NopCloser(nil), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	magic := make([]byte, 4)
	n, _ := io.ReadFull(f, magic)
	f.Close()
	switch {
	case n >= 4 && string(magic) == "PK\x03\x04":
		return openZip(name, maxBytes)
	case n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		dir, err := os.MkdirTemp("", "broadsheet-uploads-")
		if err != nil {
			return nil, nil, err
		}
		t := &tarSource{name: name, max: maxBytes, dir: dir}
		return t, t, nil
	}
	return nil, nil, fmt.Errorf("%s: not a folder, a .zip or a .tar.gz", name)
}

// uploadsRel is an archive entry's path under uploads, or "" when it is not a safe relative path.
func uploadsRel(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndex("/"+name, "/uploads/"); i >= 0 {
		name = name[i+len("uploads/"):]
	}
	if name == "" || strings.HasPrefix(name, "/") || strings.ContainsRune(name, 0) {
		return ""
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." || seg == "." || seg == "" {
			return ""
		}
	}
	return name
}

// zipSource reads pictures from a .zip, by its central directory.
type zipSource struct {
	r     *zip.ReadCloser
	max   int64
	files map[string]*zip.File
}

func openZip(name string, maxBytes int64) (Source, io.Closer, error) {
	r, err := zip.OpenReader(name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(r.File) > maxEntries {
		r.Close()
		return nil, nil, fmt.Errorf("%s: %d entries, more than %d", name, len(r.File), maxEntries)
	}
	z := &zipSource{r: r, max: maxBytes, files: map[string]*zip.File{}}
	for _, f := range r.File {
		if !f.Mode().IsRegular() {
			continue // folders, symbolic links
		}
		if rel := uploadsRel(f.Name); rel != "" {
			if _, dup := z.files[rel]; !dup {
				z.files[rel] = f
			}
		}
	}
	return z, r, nil
}

func (z *zipSource) Read(_ context.Context, rel, _ string) ([]byte, error) {
	f := z.files[rel]
	if f == nil {
		return nil, fmt.Errorf("not in the archive: %w", fs.ErrNotExist)
	}
	if f.UncompressedSize64 > uint64(z.max) {
		return nil, fmt.Errorf("%w: %d MB, more than %d MB", media.ErrTooBig, f.UncompressedSize64>>20, z.max>>20)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readLimited(rc, z.max)
}

// Workers is 1, as for a folder.
func (z *zipSource) Workers() int { return 1 }

// readLimited reads r whole, or answers ErrTooBig past max bytes.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: more than %d MB", media.ErrTooBig, max>>20)
	}
	return data, nil
}

// tarSource reads pictures from a .tar.gz, which can only be read from start to end: Prepare
// copies the files an import wants, and only those, to a temporary folder under names of its
// own; Read reads them from there.
type tarSource struct {
	name    string
	max     int64
	dir     string
	files   map[string]string // path under uploads → the copy's file
	reasons map[string]error  // path under uploads → why it was not copied
}

// Prepare reads the archive once and keeps the files at wanted.
func (t *tarSource) Prepare(ctx context.Context, wanted []string) error {
	want := map[string]bool{}
	for _, w := range wanted {
		want[w] = true
	}
	t.files, t.reasons = map[string]string{}, map[string]error{}
	f, err := os.Open(t.name)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	for n := 0; ; n++ {
		if n > maxEntries {
			return fmt.Errorf("%s: more than %d entries", t.name, maxEntries)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue // folders, links, devices
		}
		rel := uploadsRel(hdr.Name)
		if !want[rel] || t.files[rel] != "" {
			continue
		}
		if hdr.Size > t.max {
			t.reasons[rel] = fmt.Errorf("%w: %d MB, more than %d MB", media.ErrTooBig, hdr.Size>>20, t.max>>20)
			continue
		}
		copyName := filepath.Join(t.dir, strconv.Itoa(n))
		if err := t.copy(tr, copyName); err != nil {
			if errors.Is(err, media.ErrTooBig) {
				t.reasons[rel] = err
				continue
			}
			return err
		}
		t.files[rel] = copyName
	}
}

func (t *tarSource) copy(r io.Reader, name string) error {
	out, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(out, io.LimitReader(r, t.max+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > t.max {
		err = fmt.Errorf("%w: more than %d MB", media.ErrTooBig, t.max>>20)
	}
	if err != nil {
		os.Remove(name)
	}
	return err
}

func (t *tarSource) Read(_ context.Context, rel, _ string) ([]byte, error) {
	if err := t.reasons[rel]; err != nil {
		return nil, err
	}
	name := t.files[rel]
	if name == "" {
		return nil, fmt.Errorf("not in the archive: %w", fs.ErrNotExist)
	}
	return os.ReadFile(name)
}

// Workers is 1, as for a folder.
func (t *tarSource) Workers() int { return 1 }

// Close removes the copies.
func (t *tarSource) Close() error { return os.RemoveAll(t.dir) }

// preparer is a Source that wants to know every file it will be asked for, first.
type preparer interface {
	Prepare(ctx context.Context, wanted []string) error
}
