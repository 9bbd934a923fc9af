package version

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFromBuildInfo(t *testing.T) {
	t.Parallel()
	withVCS := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/meet-invite/meet-invite", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tagged := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}}
	tests := []struct {
		name    string
		stamped string
		commit  string
		bi      *debug.BuildInfo
		want    Info
		line    string
	}{
		{"stamped wins", "v2.0.0", "", withVCS,
			Info{Version: "v2.0.0", Commit: "0123456789ab", Modified: true, GoVersion: "go1.26.8"},
			"meet-invite v2.0.0 (commit 0123456789ab+modified, go1.26.8)"},
		{"checkout without stamp", "", "", withVCS,
			Info{Version: "devel", Commit: "0123456789ab", Modified: true, GoVersion: "go1.26.8"},
			"meet-invite devel (commit 0123456789ab+modified, go1.26.8)"},
		{"go install of a tag", "", "", tagged,
			Info{Version: "v1.4.0", Commit: "unknown", GoVersion: "go1.26.8"},
			"meet-invite v1.4.0 (commit unknown, go1.26.8)"},
		{"container build: stamped commit, no VCS", "v1.5.0", "fedcba9876543210fedcba9876543210fedcba98", tagged,
			Info{Version: "v1.5.0", Commit: "fedcba987654", GoVersion: "go1.26.8"},
			"meet-invite v1.5.0 (commit fedcba987654, go1.26.8)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := fromBuildInfo(tt.stamped, tt.commit, func() (*debug.BuildInfo, bool) { return tt.bi, true })
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.line, got.String())
		})
	}
}

func TestGetWithoutBuildInfo(t *testing.T) {
	t.Parallel()
	got := fromBuildInfo("", "", func() (*debug.BuildInfo, bool) { return nil, false })
	assert.Equal(t, "devel", got.Version)
	assert.Equal(t, "unknown", got.Commit)
	assert.NotEmpty(t, got.GoVersion, "runtime.Version() when the binary has no build info")
}
