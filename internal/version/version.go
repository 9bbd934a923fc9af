// Package version says which build of meet-invite is running: the version
// stamped at link time (-ldflags "-X …/internal/version.Version=v1.2.3"),
// else the module version Go recorded, and the commit and Go version from
// the build information the Go toolchain embeds (runtime/debug).
package version

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Version is set at link time by release builds:
//
//	go build -ldflags "-X github.com/meet-invite/meet-invite/internal/version.Version=v1.2.3" ./cmd/bot
//
// Left empty, Get falls back to the module version Go recorded ("(devel)"
// for a build from a checkout).
var Version string

// Commit is set at link time when the build has no VCS information of its
// own (a container build without .git): -X …/internal/version.Commit=<sha>.
var Commit string

// Info describes the running build.
type Info struct {
	Version   string // stamped version, else the module version, else "devel"
	Commit    string // VCS revision, shortened to 12 characters; "unknown" without VCS information
	Modified  bool   // built from a working tree with uncommitted changes
	GoVersion string // e.g. "go1.26.8"
}

// Get reads the build information of the running binary.
func Get() Info {
	return fromBuildInfo(Version, Commit, debug.ReadBuildInfo)
}

func fromBuildInfo(stamped, commit string, read func() (*debug.BuildInfo, bool)) Info {
	info := Info{Version: stamped, Commit: "unknown", GoVersion: runtime.Version()}
	if commit != "" {
		info.Commit = shorten(commit)
	}
	bi, ok := read()
	if ok {
		info.GoVersion = bi.GoVersion
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = shorten(s.Value)
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if info.Version == "" {
		info.Version = "devel"
	}
	return info
}

// String is the one-line form `bot version` prints:
// "meet-invite v1.2.3 (commit 0123456789ab, go1.26.8)".
func (i Info) String() string {
	commit := i.Commit
	if i.Modified {
		commit += "+modified"
	}
	return strings.Join([]string{"meet-invite", i.Version, "(commit " + commit + ",", i.GoVersion + ")"}, " ")
}

func shorten(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
