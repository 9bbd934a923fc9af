package slackapp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackapp"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// openHome opens userID's Home tab and returns its text once the bot has
// published it for the publishes-th time.
func (a *app) openHome(t *testing.T, userID string, publishes int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := a.slack.OpenHome(ctx, userID, "home")
	require.NoError(t, err)
	h, err := a.slack.WaitHome(ctx, userID, publishes)
	require.NoError(t, err)
	require.Contains(t, string(h.JSON), `"type":"home"`)
	text, err := h.Text()
	require.NoError(t, err)
	return text
}

func TestTheHomeTabOfSomeoneWhoInvitedNobody(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{})

	home := a.openHome(t, "UCROWD0007", 1)

	assert.Contains(t, home, "How I'd reach you")
	assert.Contains(t, home, "I'd call your phone, on the number ending in 0007 in your Slack profile", "whoami's answer")
	assert.NotContains(t, home, "+442079400007", "never the number itself")
	assert.Contains(t, home, "You haven't invited anyone lately")
	assert.Contains(t, home, "`/meet-invite whoami` shows how I would reach you", "and how to use the bot")
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointInvite), "nobody is called")
}

func TestTheHomeTabListsRecentInvitations(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{CallWatch: 30 * time.Second, CallPoll: 20 * time.Millisecond}, withPresence())

	a.invite(t, "986030665 <@UCROWD0001>") // no such meeting in this world
	a.waitMessages(t, 1)
	a.invite(t, running+" <@UCROWD0000>")
	post := a.waitMessages(t, 2)[1]
	require.Equal(t, "post", post.Kind)

	home := a.openHome(t, "UCAROL", 1)
	assert.Contains(t, home, "I only know your email address", "Carol's profile has only her email")
	assert.NotContains(t, home, "You haven't invited anyone lately")
	lines := strings.Split(home, "\n")
	newest := strings.Index(home, "invited 1 person to *Weekly sync* (meeting "+running+").")
	failed := strings.Index(home, "986030665")
	require.Positive(t, newest, "%s", home)
	require.Positive(t, failed, "the failed one is listed too: %s", home)
	assert.Less(t, newest, failed, "newest first")
	assert.Contains(t, home, "<!date^", "when, in the reader's time zone: %v", lines)

	// Once the call is answered, the tab says so.
	require.True(t, a.meet.Answer(running, "+442079400000"))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := a.slack.WaitMatch(ctx, func(m slackfake.Message) bool { return m.Kind == "update" && strings.Contains(m.Text, "1 joined") })
	require.NoError(t, err)
	home = a.openHome(t, "UCAROL", 2)
	assert.Contains(t, home, "invited 1 person to *Weekly sync* (meeting "+running+"): 1 joined.")

	other := a.openHome(t, "UCROWD0000", 1)
	assert.Contains(t, other, "You haven't invited anyone lately", "Carol's invitations are hers")
}

// The Home tab is drawn in its viewer's language, its invitations too,
// though their post went to the channel in DEFAULT_LOCALE.
func TestTheHomeTabIsInItsViewersLanguage(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{})
	_, _, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UELENA", ChannelID: "CGENERAL", Text: running + " <@UCROWD0001>"})
	require.NoError(t, err)
	post := a.waitMessages(t, 1)[0]
	require.Equal(t, "post", post.Kind)
	require.Contains(t, post.Text, "<@UELENA> invited 1 person to", "the channel's post is in DEFAULT_LOCALE")

	home := a.openHome(t, "UELENA", 1)
	assert.Contains(t, home, "Tus invitaciones recientes")
	assert.Contains(t, home, "<@UELENA> invitó a 1 persona a", "her invitation, in her language: %s", home)
	assert.NotContains(t, home, "invited 1 person")
}
