package relatedeval

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// story is one labelled record of a corpus.
type story struct {
	id    string
	title string
	body  string
	label string
	date  time.Time
}

// maxLine bounds one JSON Lines record.
const maxLine = 64 << 20

// errEmpty reports a corpus without a single usable story.
var errEmpty = errors.New("no labelled stories")

// readCorpusFile reads the JSON Lines corpus at path, plain or gzip.
func readCorpusFile(ctx context.Context, path, label string, limit int, warn io.Writer) ([]story, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("relatedeval: %w", err)
	}
	defer f.Close()
	stories, err := readCorpus(ctx, f, label, limit, warn)
	if err != nil {
		return nil, fmt.Errorf("relatedeval: corpus %s: %w", path, err)
	}
	return stories, nil
}

// readCorpus reads JSON Lines records (gzip-compressed if r starts with the
// gzip magic bytes). It drops records marked duplicate_of and records without
// the label, skips repeated IDs with a warning and stops after limit stories
// when limit is positive.
func readCorpus(ctx context.Context, r io.Reader, label string, limit int, warn io.Writer) ([]story, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 1<<16)
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 1<<16), maxLine)
	var (
		stories []story
		seen    = make(map[string]int) // id → line
		dups    int
	)
	line := 0
	for sc.Scan() {
		line++
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		s, ok, err := parseRecord(raw, label)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if !ok {
			continue
		}
		if first, dup := seen[s.id]; dup {
			if dups < 5 {
				fmt.Fprintf(warn, "warning: line %d: id %q already on line %d; skipped\n", line, s.id, first)
			}
			dups++
			continue
		}
		seen[s.id] = line
		stories = append(stories, s)
		if limit > 0 && len(stories) >= limit {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	if dups > 0 {
		fmt.Fprintf(warn, "warning: %d records with repeated ids skipped\n", dups)
	}
	if len(stories) == 0 {
		return nil, fmt.Errorf("%w with field %q", errEmpty, label)
	}
	return stories, nil
}

// parseRecord decodes one record. It reports ok = false for records to drop.
func parseRecord(raw []byte, label string) (story, bool, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return story{}, false, fmt.Errorf("malformed JSON: %w", err)
	}
	var rec struct {
		ID          string  `json:"id"`
		Title       string  `json:"title"`
		Body        string  `json:"body"`
		Published   *string `json:"published"`
		DuplicateOf *string `json:"duplicate_of"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return story{}, false, fmt.Errorf("malformed record: %w", err)
	}
	if rec.ID == "" {
		return story{}, false, errors.New("record without an id")
	}
	if rec.DuplicateOf != nil && *rec.DuplicateOf != "" {
		return story{}, false, nil
	}
	var lab string
	if v, ok := fields[label]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &lab); err != nil {
			return story{}, false, fmt.Errorf("field %q of %s is not a string: %w", label, rec.ID, err)
		}
	}
	if lab == "" {
		return story{}, false, nil
	}
	s := story{id: rec.ID, title: rec.Title, body: rec.Body, label: lab}
	if rec.Published != nil && *rec.Published != "" {
		d, err := parseDate(*rec.Published)
		if err != nil {
			return story{}, false, fmt.Errorf("published date of %s: %w", rec.ID, err)
		}
		s.date = d
	}
	return s, true, nil
}

func parseDate(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO-8601 date", v)
}
