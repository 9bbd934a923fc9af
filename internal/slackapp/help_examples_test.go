package slackapp

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
)

var (
	quotedRe         = regexp.MustCompile("`([^`]+)`")
	exampleMentionRe = regexp.MustCompile(`(^|\s)@[\w-]+`) // not an email's
	channelRe        = regexp.MustCompile(`(^|\s)#[\w-]+`) // not a link's #/j/
)

// asSlackSends is the text of a command example as Slack sends it to the
// bot: mentions and channels picked from Slack's lists, escaped.
func asSlackSends(example string) string {
	n := 0
	text := exampleMentionRe.ReplaceAllStringFunc(strings.TrimPrefix(example, "/meet-invite"), func(m string) string {
		n++
		lead, name, _ := strings.Cut(m, "@")
		return lead + "<@U0" + strings.Repeat("X", n) + "|" + name + ">"
	})
	return strings.TrimSpace(channelRe.ReplaceAllStringFunc(text, func(m string) string {
		lead, name, _ := strings.Cut(m, "#")
		return lead + "<#C0X|" + name + ">"
	}))
}

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
	var examples, ids int
	for _, q := range quotedRe.FindAllStringSubmatch(help, -1) {
		text := q[1]
		switch {
		case strings.HasPrefix(text, "/meet-invite ") && !strings.Contains(text, "<"):
			_, err := commands.Parse(asSlackSends(text))
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

// TestWaysToInviteParse keeps the README's "Ways to invite" table honest:
// every command in its Example column either runs, or opens the form
// (too little to go on), or, on the plain-words row only, goes to the
// model. Its meeting IDs and links name a valid meeting.
func TestWaysToInviteParse(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "### Ways to invite\n")
	require.True(t, ok, "the README has a Ways to invite table")
	section, _, _ = strings.Cut(section, "\n\n- ")
	ways := map[string]bool{}
	for _, row := range strings.Split(section, "\n") {
		cells := strings.Split(row, " | ")
		if len(cells) < 3 || strings.HasPrefix(row, "|---") || strings.HasPrefix(row, "| How ") {
			continue
		}
		how := strings.TrimPrefix(cells[0], "| ")
		for _, q := range quotedRe.FindAllStringSubmatch(cells[1], -1) {
			if !strings.HasPrefix(q[1], "/meet-invite") {
				continue
			}
			req, err := commands.Parse(asSlackSends(q[1]))
			var pe *commands.ParseError
			switch {
			case err == nil:
				assert.True(t, req.Action != commands.ActionInvite || commands.ValidConferenceID(req.ConferenceID), q[1])
			case errors.As(err, &pe) && wantsForm(pe.Code):
			case errors.As(err, &pe) && pe.Code == commands.CodeUnknownToken && strings.Contains(how, "Plain words"):
			default:
				t.Errorf("%s: %q is not accepted: %v", how, q[1], err)
			}
			ways[how] = true
		}
	}
	for _, how := range []string{"Start a meeting", "Paste a link", "Plain words (optional)"} {
		assert.True(t, ways[how], "the table shows %q with an example", how)
	}
}
