package relatedeval

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestReadCorpus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		label   string
		limit   int
		want    []string // story IDs
		dropped map[string]int
		wantErr string // substring of the error
		warn    string // substring of the warnings
	}{
		{
			name: "labelled stories",
			in: `{"id":"a","title":"A","body":"x","category":"c1","published":"1987-02-26T15:02:20"}
{"id":"b","title":"B","body":"y","category":"c2","published":null}`,
			want: []string{"a", "b"},
		},
		{
			name: "duplicates and empty records dropped, unlabelled records kept as distractors",
			in: `{"id":"a","body":"x","category":"c1"}
{"id":"b","body":"x","category":"c1","duplicate_of":"a"}
{"id":"c","body":"z","category":null}
{"id":"d","body":"z"}
{"id":"f","title":" ","body":"","category":"c1"}

{"id":"e","body":"w","category":""}`,
			want:    []string{"a", "c", "d", "e"},
			dropped: map[string]int{dropDuplicate: 1, dropEmpty: 1},
		},
		{
			name: "another label field",
			in: `{"id":"a","body":"x","topic":"t"}
{"id":"b","body":"y","category":"c"}`,
			label: "topic",
			want:  []string{"a", "b"},
		},
		{
			name:  "limit",
			in:    "{\"id\":\"a\",\"body\":\"x\",\"category\":\"c\"}\n{\"id\":\"b\",\"body\":\"x\",\"category\":\"c\"}\n{\"id\":\"c\",\"body\":\"x\",\"category\":\"c\"}",
			limit: 2,
			want:  []string{"a", "b"},
		},
		{
			name:    "repeated id skipped with a warning",
			in:      "{\"id\":\"a\",\"body\":\"x\",\"category\":\"c\"}\n{\"id\":\"a\",\"body\":\"x\",\"category\":\"d\"}",
			want:    []string{"a"},
			warn:    `line 2: id "a" already on line 1`,
			dropped: map[string]int{dropRepeated: 1},
		},
		{name: "malformed line", in: "{\"id\":\"a\",\"body\":\"x\",\"category\":\"c\"}\n{\"id\": oops}", wantErr: "line 2: malformed JSON"},
		{name: "not an object", in: `["a"]`, wantErr: "line 1: malformed JSON"},
		{name: "missing id", in: `{"category":"c"}`, wantErr: "line 1: record without an id"},
		{name: "label not a string", in: `{"id":"a","body":"x","category":3}`, wantErr: `line 1: field "category" of a is not a string`},
		{name: "bad date", in: `{"id":"a","body":"x","category":"c","published":"yesterday"}`, wantErr: "line 1: published date of a"},
		{name: "empty corpus", in: "", wantErr: `no labelled stories with field "category"`},
		{name: "no labelled story", in: `{"id":"a","body":"x"}`, wantErr: "no labelled stories"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			label := tt.label
			if label == "" {
				label = "category"
			}
			var warn bytes.Buffer
			got, dropped, err := readCorpus(t.Context(), strings.NewReader(tt.in), label, tt.limit, false, &warn)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("readCorpus error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, s := range got {
				ids = append(ids, s.id)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("readCorpus IDs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.dropped, dropped, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("readCorpus dropped (-want +got):\n%s", diff)
			}
			if !strings.Contains(warn.String(), tt.warn) {
				t.Errorf("warnings = %q, want %q", warn.String(), tt.warn)
			}
		})
	}
}

func TestReadCorpusGzip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"id":"a","title":"T","body":"B","category":"c","published":"2024-01-02T03:04:05Z"}` + "\n"))
	zw.Close()
	got, _, err := readCorpus(t.Context(), &buf, "category", 0, false, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := story{id: "a", title: "T", body: "B", label: "c", date: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	if len(got) != 1 || got[0] != want {
		t.Errorf("readCorpus(gzip) = %+v, want [%+v]", got, want)
	}
	if _, _, err := readCorpus(t.Context(), bytes.NewReader([]byte{0x1f, 0x8b, 0, 0}), "category", 0, false, &bytes.Buffer{}); err == nil {
		t.Error("readCorpus(broken gzip) error = nil, want an error")
	}
}

func TestReadCorpusCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	in := strings.Repeat("{\"id\":\"a\",\"body\":\"x\",\"category\":\"c\"}\n", 2000)
	if _, _, err := readCorpus(ctx, strings.NewReader(in), "category", 0, false, &bytes.Buffer{}); !errors.Is(err, context.Canceled) {
		t.Errorf("readCorpus(cancelled) error = %v, want context.Canceled", err)
	}
}

func FuzzReadCorpus(f *testing.F) {
	f.Add([]byte(`{"id":"a","title":"A","body":"x","category":"c","published":"1987-02-26T15:02:20"}`))
	f.Add([]byte("{\"id\":\"a\",\"body\":\"x\",\"category\":\"c\"}\n{\"id\":\"a\"}\n\n"))
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		got, _, err := readCorpus(t.Context(), bytes.NewReader(in), "category", 0, false, &bytes.Buffer{})
		if err == nil && len(got) == 0 {
			t.Fatal("readCorpus returned no stories and no error")
		}
		labelled := 0
		for _, s := range got {
			if s.id == "" || s.title == "" && s.body == "" {
				t.Fatalf("story %+v without id or text", s)
			}
			if s.label != "" {
				labelled++
			}
		}
		if err == nil && labelled == 0 {
			t.Fatal("readCorpus returned no labelled story and no error")
		}
	})
}
