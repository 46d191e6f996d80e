package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// versionCmd runs "broadsheet version": the module version, the commit and its date, and the Go
// version the binary was built with, as the build recorded them.
func versionCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "broadsheet version", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Errorf("this binary carries no build information")
	}
	fmt.Fprint(stdout, versionText(info))
	return nil
}

// versionText describes a build: unknown parts are said to be so, and a build from a work tree
// with uncommitted changes is marked as such.
func versionText(info *debug.BuildInfo) string {
	version, commit, date, modified := info.Main.Version, "unknown", "unknown", ""
	if version == "" {
		version = "(devel)"
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.time":
			date = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (with uncommitted changes)"
			}
		}
	}
	return fmt.Sprintf("broadsheet %s\ncommit:     %s%s\ncommitted:  %s\ngo:         %s\n", version, commit, modified, date, info.GoVersion)
}
