package main

import (
	"context"
	"errors"
	"io"

	"github.com/broadsheet/broadsheet/internal/related/relatedeval"
)

const relatedUsage = `broadsheet related eval --corpus FILE.jsonl[.gz] [--k 5] [--label category] [--json]
       broadsheet related eval --corpus FILE.jsonl[.gz] --synthetic N`

// relatedCmd runs "broadsheet related": the related-stories engine's tools.
func relatedCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	if len(args) == 0 {
		return usageError{errors.New("usage: " + relatedUsage)}
	}
	switch args[0] {
	case "eval":
		return relatedeval.Command(ctx, args[1:], stdout, stderr)
	}
	return usageError{errors.New("unknown related command " + args[0] + "\nusage: " + relatedUsage)}
}
