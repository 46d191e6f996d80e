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

// OpenUploads returns the Source for a copy of a WordPress site's wp-content/uploads, or of a
// Broadsheet site's pictures (export --media-dir): a folder, or a .zip or .tar.gz of one (told
// by its bytes, not its name). In an archive, a file's path under uploads is what follows its
// last "uploads/" (wp-content/uploads/2019/05/a.jpg and 2019/05/a.jpg are both 2019/05/a.jpg),
// and a Broadsheet picture's is its last two elements (HASH/a.jpg). Close releases what it holds.
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
	segs := strings.Split(name, "/")
	for _, seg := range segs {
		if seg == ".." || seg == "." || seg == "" {
			return ""
		}
	}
	// A Broadsheet export's pictures (export --media-dir) are HASH/name.jpg, wherever the
	// archive put their folder.
	if n := len(segs); n > 2 && libraryRel(segs[n-2]+"/"+segs[n-1]) != "" {
		return segs[n-2] + "/" + segs[n-1]
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

// OpenExports returns the files of an archive (.zip or .tar.gz, told by its bytes) that the
// importer recognises (WordPress, Disqus, feeds, JSON Lines, gzip-compressed too), in the
// archive's order, named ARCHIVE/ENTRY; ok is false when name is not an archive. Entries it
// does not recognise (a site backup's pictures) are left out, as are links and unsafe names.
// The files are read in order, once, by Import; Close releases the archive.
func OpenExports(name string) (files []File, closer io.Closer, ok bool, err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, false, err
	}
	magic := make([]byte, 4)
	n, _ := io.ReadFull(f, magic)
	f.Close()
	switch {
	case n >= 4 && string(magic) == "PK\x03\x04":
		r, err := zip.OpenReader(name)
		if err != nil {
			return nil, nil, true, fmt.Errorf("%s: %w", name, err)
		}
		for _, zf := range r.File {
			if !zf.Mode().IsRegular() || uploadsRel(zf.Name) == "" {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				r.Close()
				return nil, nil, true, fmt.Errorf("%s: %s: %w", name, zf.Name, err)
			}
			known := recognised(rc)
			rc.Close()
			if known {
				files = append(files, File{Name: name + "/" + zf.Name, R: &zipEntry{f: zf}, Size: int64(zf.CompressedSize64)})
			}
		}
		return files, r, true, nil
	case n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b && isTarGz(name):
		s := &tarStream{name: name}
		err := s.each(func(hdr *tar.Header, r io.Reader) error {
			if recognised(r) {
				files = append(files, File{Name: name + "/" + hdr.Name, R: &tarEntry{s: s, name: hdr.Name}})
			}
			return nil
		})
		if err != nil {
			return nil, nil, true, err
		}
		return files, s, true, nil
	}
	return nil, nil, false, nil
}

// isTarGz reports whether a gzip file holds a tar archive (ustar's mark at byte 257), not one
// compressed export.
func isTarGz(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return false
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(gz, head)
	return n >= 262 && string(head[257:262]) == "ustar"
}

// recognised reports whether r starts like a file the importer reads.
func recognised(r io.Reader) bool {
	br := bufio.NewReaderSize(r, 32<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return false
		}
		br = bufio.NewReaderSize(gz, 32<<10)
	}
	head, _ := br.Peek(32 << 10)
	_, err := Detect(head)
	return err == nil
}

// zipEntry reads a zip entry, opened at the first Read.
type zipEntry struct {
	f  *zip.File
	rc io.ReadCloser
}

func (z *zipEntry) Read(p []byte) (int, error) {
	if z.rc == nil {
		rc, err := z.f.Open()
		if err != nil {
			return 0, err
		}
		z.rc = rc
	}
	n, err := z.rc.Read(p)
	if err == io.EOF {
		z.rc.Close()
	}
	return n, err
}

// tarStream reads a .tar.gz from start to end, once for each pass.
type tarStream struct {
	name string
	f    *os.File
	tr   *tar.Reader
}

// each calls fn with every regular file of the archive with a safe name.
func (s *tarStream) each(fn func(hdr *tar.Header, r io.Reader) error) error {
	f, err := os.Open(s.name)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	tr := tar.NewReader(gz)
	for n := 0; ; n++ {
		if n > maxEntries {
			return fmt.Errorf("%s: more than %d entries", s.name, maxEntries)
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if hdr.Typeflag == tar.TypeReg && uploadsRel(hdr.Name) != "" {
			if err := fn(hdr, tr); err != nil {
				return err
			}
		}
	}
}

// next moves the second pass to the entry called name, which follows the current one.
func (s *tarStream) next(name string) error {
	if s.tr == nil {
		f, err := os.Open(s.name)
		if err != nil {
			return err
		}
		gz, err := gzip.NewReader(bufio.NewReader(f))
		if err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", s.name, err)
		}
		s.f, s.tr = f, tar.NewReader(gz)
	}
	for {
		hdr, err := s.tr.Next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: %s: %w", s.name, name, io.ErrUnexpectedEOF)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if hdr.Typeflag == tar.TypeReg && hdr.Name == name {
			return nil
		}
	}
}

// Close closes the archive.
func (s *tarStream) Close() error {
	if s.f != nil {
		return s.f.Close()
	}
	return nil
}

// tarEntry reads one entry of a tarStream; entries must be read in the archive's order.
type tarEntry struct {
	s       *tarStream
	name    string
	started bool
}

func (t *tarEntry) Read(p []byte) (int, error) {
	if !t.started {
		t.started = true
		if err := t.s.next(t.name); err != nil {
			return 0, err
		}
	}
	return t.s.tr.Read(p)
}
