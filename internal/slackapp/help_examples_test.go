package slackapp

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// TestHelpExamplesParse keeps help honest: every command example it shows
// (`/meet-invite …`) is accepted by the parser once Slack has escaped its
// mentions, and every way of writing a meeting ID it promises (a quoted
// number) reads as that meeting.
func TestHelpExamplesParse(t *testing.T) {
	t.Parallel()
	for _, l := range langs {
		t.Run(l.tag.String(), func(t *testing.T) {
			t.Parallel()
			helpExamplesParse(t, helpText(l))
		})
	}
}

func helpExamplesParse(t *testing.T, help string) {
	quoted := regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(help, -1)
	mention := regexp.MustCompile(`@(\w+)`)
	var examples, ids int
	for _, q := range quoted {
		text := q[1]
		switch {
		case strings.HasPrefix(text, "/meet-invite ") && !strings.Contains(text, "<"):
			args := strings.TrimPrefix(text, "/meet-invite ")
			n := 0
			escaped := mention.ReplaceAllStringFunc(args, func(m string) string {
				n++
				return "<@U0" + strings.Repeat("X", n) + "|" + m[1:] + ">" // as Slack sends a picked mention
			})
			_, err := commands.Parse(escaped)
			assert.NoError(t, err, "help example %q", text)
			examples++
		case strings.Trim(text, "0123456789 -.") == "" && strings.ContainsAny(text, "0123456789"):
			req, err := commands.Parse(text + " <@U1>")
			require.NoError(t, err, "help promises %q is a meeting ID", text)
			assert.True(t, commands.ValidConferenceID(req.ConferenceID), text)
			ids++
		}
	}
	assert.Positive(t, examples, "help shows at least one example")
	assert.Positive(t, ids, "help shows how meeting IDs may be written")
}
