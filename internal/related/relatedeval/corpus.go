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
	"strings"
	"time"
)

// story is one record of a corpus. A story without a label is a
// distractor: it stays in the pool of candidates but is never a query.
type story struct {
	id    string
	title string
	body  string
	label string
	date  time.Time
}

// Reasons a record is dropped, as the report names them.
const (
	dropDuplicate = "marked duplicate_of an earlier record (an exact copy would inflate the scores)"
	dropEmpty     = "no title and no body"
	dropRepeated  = "id repeated (the first record with the id is kept)"
)

// maxLine bounds one JSON Lines record.
const maxLine = 64 << 20

// errEmpty reports a corpus without a single usable story.
var errEmpty = errors.New("no labelled stories")

// readCorpusFile reads the JSON Lines corpus at path, plain or gzip.
func readCorpusFile(ctx context.Context, path, label string, limit int, copies bool, warn io.Writer) ([]story, map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("relatedeval: %w", err)
	}
	defer f.Close()
	stories, dropped, err := readCorpus(ctx, f, label, limit, copies, warn)
	if err != nil {
		return nil, nil, fmt.Errorf("relatedeval: corpus %s: %w", path, err)
	}
	return stories, dropped, nil
}

// readCorpus reads JSON Lines records (gzip-compressed if r starts with the
// gzip magic bytes). Records without the label are kept as distractors. It
// drops records marked duplicate_of, records with neither title nor body and
// repeated IDs (with a warning), counting each by reason, and stops after
// limit stories when limit is positive. With copies, it keeps the records
// marked duplicate_of.
func readCorpus(ctx context.Context, r io.Reader, label string, limit int, copies bool, warn io.Writer) ([]story, map[string]int, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 1<<16)
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 1<<16), maxLine)
	var (
		stories  []story
		seen     = make(map[string]int) // id → line
		dropped  = make(map[string]int) // reason → records
		labelled int
	)
	line := 0
	for sc.Scan() {
		line++
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		s, drop, err := parseRecord(raw, label, copies)
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", line, err)
		}
		if first, dup := seen[s.id]; dup && drop == "" {
			if dropped[dropRepeated] < 5 {
				fmt.Fprintf(warn, "warning: line %d: id %q already on line %d; skipped\n", line, s.id, first)
			}
			drop = dropRepeated
		}
		if drop != "" {
			dropped[drop]++
			continue
		}
		seen[s.id] = line
		stories = append(stories, s)
		if s.label != "" {
			labelled++
		}
		if limit > 0 && len(stories) >= limit {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	if n := dropped[dropRepeated]; n > 0 {
		fmt.Fprintf(warn, "warning: %d records with repeated ids skipped\n", n)
	}
	if labelled == 0 {
		return nil, nil, fmt.Errorf("%w with field %q", errEmpty, label)
	}
	return stories, dropped, nil
}

// parseRecord decodes one record. It returns why the record is dropped, or "".
func parseRecord(raw []byte, label string, copies bool) (story, string, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return story{}, "", fmt.Errorf("malformed JSON: %w", err)
	}
	var rec struct {
		ID          string  `json:"id"`
		Title       string  `json:"title"`
		Body        string  `json:"body"`
		Published   *string `json:"published"`
		DuplicateOf *string `json:"duplicate_of"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return story{}, "", fmt.Errorf("malformed record: %w", err)
	}
	if rec.ID == "" {
		return story{}, "", errors.New("record without an id")
	}
	if rec.DuplicateOf != nil && *rec.DuplicateOf != "" && !copies {
		return story{id: rec.ID}, dropDuplicate, nil
	}
	if strings.TrimSpace(rec.Title) == "" && strings.TrimSpace(rec.Body) == "" {
		return story{id: rec.ID}, dropEmpty, nil
	}
	var lab string
	if v, ok := fields[label]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &lab); err != nil {
			return story{}, "", fmt.Errorf("field %q of %s is not a string: %w", label, rec.ID, err)
		}
	}
	s := story{id: rec.ID, title: rec.Title, body: rec.Body, label: lab}
	if rec.Published != nil && *rec.Published != "" {
		d, err := parseDate(*rec.Published)
		if err != nil {
			return story{}, "", fmt.Errorf("published date of %s: %w", rec.ID, err)
		}
		s.date = d
	}
	return s, "", nil
}

func parseDate(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO-8601 date", v)
}
