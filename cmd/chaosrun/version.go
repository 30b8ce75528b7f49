package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// version is chaosrun's release version, set at link time by a release
// build: go build -ldflags "-X main.version=v1.2.0" ./cmd/chaosrun. Without
// it the version comes from the build information Go embeds: the module
// version for go install ...@v1.2.0, else the commit of the checkout built.
var version = ""

// versionFlag is --version. It has no -v, which is run's --verbose.
var versionFlag = &cli.BoolFlag{Name: "version", Usage: "print chaosrun's version and exit"}

// versionText is what chaosrun --version prints: "chaosrun VERSION", then
// the commit (with its time, and "modified" for a dirty checkout) when
// the build recorded one, and the Go version.
func versionText(linked string, info *debug.BuildInfo, ok bool) string {
	parts := []string{"chaosrun " + pickVersion(linked, info, ok)}
	if ok {
		s := map[string]string{}
		for _, kv := range info.Settings {
			s[kv.Key] = kv.Value
		}
		if rev := s["vcs.revision"]; rev != "" {
			commit := "commit " + rev[:min(12, len(rev))]
			var notes []string
			if t := s["vcs.time"]; t != "" {
				notes = append(notes, t)
			}
			if s["vcs.modified"] == "true" {
				notes = append(notes, "modified")
			}
			if len(notes) > 0 {
				commit += " (" + strings.Join(notes, ", ") + ")"
			}
			parts = append(parts, commit)
		}
		if info.GoVersion != "" {
			parts = append(parts, info.GoVersion)
		}
	}
	return strings.Join(parts, ", ") + "\n"
}

// pickVersion is the linked version, else the module's, else "(unknown)".
func pickVersion(linked string, info *debug.BuildInfo, ok bool) string {
	switch {
	case linked != "":
		return linked
	case ok && info.Main.Version != "":
		return info.Main.Version // "(devel)" for a build from a checkout
	}
	return "(unknown)"
}

// releaseVersion is this binary's version, as --help shows it.
func releaseVersion() string {
	info, ok := debug.ReadBuildInfo()
	return pickVersion(version, info, ok)
}

// printVersion is the cli's VersionPrinter.
func printVersion(c *cli.Context) {
	info, ok := debug.ReadBuildInfo()
	fmt.Fprint(c.App.Writer, versionText(version, info, ok))
}
