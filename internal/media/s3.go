package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 is the object-storage backend: files as objects in one bucket of an S3-compatible service
// (Amazon S3, MinIO, Garage, Ceph, R2, …), under an optional key prefix, so that several nodes
// share one library. A Put is one conditional PUT (If-None-Match: *), so a name is never
// overwritten even by two nodes at once, and a failed upload leaves no object.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
}

// NewS3 opens the bucket a URL names:
//
//	s3://bucket/prefix?endpoint=host:port&region=eu-west-1&insecure=1
//
// endpoint defaults to Amazon's (s3.amazonaws.com), region to AWS_REGION, and insecure=1 speaks
// plain HTTP to the endpoint. The credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
// and AWS_SESSION_TOKEN, looked up with env. NewS3 checks that the bucket exists.
func NewS3(ctx context.Context, rawURL string, env func(string) string) (*S3, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	if u.Scheme != "s3" || u.Host == "" {
		return nil, fmt.Errorf("media: %q is not an s3://bucket/prefix URL", rawURL)
	}
	q := u.Query()
	for k := range q {
		if k != "endpoint" && k != "region" && k != "insecure" {
			return nil, fmt.Errorf("media: %s: unknown parameter %q (want endpoint, region or insecure)", rawURL, k)
		}
	}
	prefix := strings.Trim(u.Path, "/")
	if prefix != "" {
		if !ValidName(prefix) {
			return nil, fmt.Errorf("media: %s: prefix %q: %w", rawURL, prefix, ErrName)
		}
		prefix += "/"
	}
	endpoint := q.Get("endpoint")
	if endpoint == "" {
		endpoint = "s3.amazonaws.com"
	}
	region := q.Get("region")
	if region == "" {
		region = env("AWS_REGION")
	}
	insecure := false
	switch q.Get("insecure") {
	case "", "0", "false":
	case "1", "true":
		insecure = true
	default:
		return nil, fmt.Errorf("media: %s: insecure=%q: want 1 or 0", rawURL, q.Get("insecure"))
	}
	client, err := minio.New(endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN")),
		Secure: !insecure,
		Region: region,
	})
	if err != nil {
		return nil, fmt.Errorf("media: %s: %w", rawURL, err)
	}
	s := &S3{client: client, bucket: u.Host, prefix: prefix}
	ok, err := client.BucketExists(ctx, s.bucket)
	if err != nil {
		return nil, fmt.Errorf("media: bucket %s at %s: %w", s.bucket, endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("media: bucket %s at %s does not exist; create it first", s.bucket, endpoint)
	}
	return s, nil
}

// Put implements Store. The bytes are spooled to a temporary file first, so that a reader that
// fails half-way sends nothing and the upload is a single PUT of a known length.
func (s *S3) Put(ctx context.Context, name string, r io.Reader) error {
	if err := checkName(name); err != nil {
		return err
	}
	tmp, err := os.CreateTemp("", "broadsheet-s3-*")
	if err != nil {
		return fmt.Errorf("media: %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, ctxReader{ctx, r})
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("media: %s: %w", name, err)
	}
	typ := mime.TypeByExtension(path.Ext(name))
	if typ == "" {
		typ = "application/octet-stream"
	}
	opts := minio.PutObjectOptions{ContentType: typ, DisableMultipart: true, CacheControl: "public, max-age=31536000, immutable"}
	opts.SetMatchETagExcept("*")
	if _, err := s.client.PutObject(ctx, s.bucket, s.prefix+name, tmp, n, opts); err != nil {
		return s.translate(name, err)
	}
	return nil
}

// Open implements Store. The object is read lazily, a range request per seek.
func (s *S3) Open(ctx context.Context, name string) (File, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.prefix+name, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.translate(name, err)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, s.translate(name, err)
	}
	return s3File{obj, Info{Name: name, Size: st.Size, ModTime: st.LastModified}}, nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, name string) (Info, error) {
	if err := checkName(name); err != nil {
		return Info{}, err
	}
	st, err := s.client.StatObject(ctx, s.bucket, s.prefix+name, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.translate(name, err)
	}
	return Info{Name: name, Size: st.Size, ModTime: st.LastModified}, nil
}

// Delete implements Store. S3 deletes a missing key without complaint, so Delete asks first.
func (s *S3) Delete(ctx context.Context, name string) error {
	if _, err := s.Stat(ctx, name); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.prefix+name, minio.RemoveObjectOptions{}); err != nil {
		return s.translate(name, err)
	}
	return nil
}

// List implements Store.
func (s *S3) List(ctx context.Context, prefix string) ([]Info, error) {
	var list []Info
	for o := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, fmt.Errorf("media: list %q: %w", prefix, o.Err)
		}
		list = append(list, Info{Name: strings.TrimPrefix(o.Key, s.prefix), Size: o.Size, ModTime: o.LastModified})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, nil
}

// translate maps the service's answers to the Store's errors.
func (s *S3) translate(name string, err error) error {
	switch minio.ToErrorResponse(err).StatusCode {
	case http.StatusNotFound:
		return fmt.Errorf("%s: %w", name, ErrNotFound)
	case http.StatusPreconditionFailed, http.StatusConflict:
		return fmt.Errorf("%s: %w", name, ErrExist)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("media: s3 %s/%s%s: %w", s.bucket, s.prefix, name, err)
}

type s3File struct {
	*minio.Object
	info Info
}

func (f s3File) Info() Info { return f.info }
