package slackapp

import (
	"os"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

const (
	manifestPath = "../../manifest.yml"
	schemaPath   = "testdata/slack-manifest-schema/manifest.schema.1.0.0.json" // Slack's, vendored with its LICENSE
)

// TestManifestIsValid checks manifest.yml against Slack's published app
// manifest schema.
func TestManifestIsValid(t *testing.T) {
	t.Parallel()
	f, err := os.Open(schemaPath)
	require.NoError(t, err)
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(ecmaRegexp) // the schema's patterns use lookaheads, which Go's regexp lacks
	require.NoError(t, c.AddResource("manifest.schema.json", schemaDoc))
	schema, err := c.Compile("manifest.schema.json")
	require.NoError(t, err)

	manifest := readManifest(t)
	assert.NoError(t, schema.Validate(manifest))
}

// TestManifestMatchesRoutes checks that the manifest declares what the app
// serves: the slash command, escaped mentions, Socket Mode, interactivity.
func TestManifestMatchesRoutes(t *testing.T) {
	t.Parallel()
	m := readManifest(t).(map[string]any)
	features := m["features"].(map[string]any)
	cmds := features["slash_commands"].([]any)
	require.Len(t, cmds, 1)
	cmd := cmds[0].(map[string]any)
	assert.Equal(t, slashCommand, cmd["command"])
	assert.Equal(t, true, cmd["should_escape"], "mentions must arrive as IDs")
	settings := m["settings"].(map[string]any)
	assert.Equal(t, true, settings["socket_mode_enabled"])
	assert.Equal(t, true, settings["interactivity"].(map[string]any)["is_enabled"])
	var callbacks []any
	for _, sc := range features["shortcuts"].([]any) {
		callbacks = append(callbacks, sc.(map[string]any)["callback_id"])
	}
	assert.ElementsMatch(t, []any{callbackGlobal, callbackThread}, callbacks, "every shortcut the app handles, and no other")
	scopes := m["oauth_config"].(map[string]any)["scopes"].(map[string]any)["bot"].([]any)
	for _, s := range []string{"commands", "chat:write", "users:read", "users:read.email", "usergroups:read", "channels:history", "groups:history"} {
		assert.Contains(t, scopes, s)
	}
}

// ecmaRegexp compiles the schema's patterns as ECMAScript, as JSON Schema
// specifies.
func ecmaRegexp(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return (*ecmaRe)(re), nil
}

type ecmaRe regexp2.Regexp

func (re *ecmaRe) MatchString(s string) bool {
	ok, err := (*regexp2.Regexp)(re).MatchString(s)
	return err == nil && ok
}

func (re *ecmaRe) String() string { return (*regexp2.Regexp)(re).String() }

// readManifest decodes the YAML into plain maps, as JSON would decode.
func readManifest(t *testing.T) any {
	t.Helper()
	b, err := os.ReadFile(manifestPath)
	require.NoError(t, err)
	var m any
	require.NoError(t, yaml.Unmarshal(b, &m))
	return m
}
