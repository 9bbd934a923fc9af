package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// A meeting can be named by its guest link; its host link, which carries
// host rights, is refused once the bot has read the meeting, and nobody is
// called.
func TestAMeetingCanBeNamedByItsLinkButNotTheHostLink(t *testing.T) {
	t.Parallel()
	b := startBot(t)

	b.command(t, "CGENERAL", "<"+b.meet.JoinLink(running, false)+"> <@UBOB>")
	assert.Equal(t, "post", b.waitMessages(t, 1)[0].Kind, "the guest link names the meeting")

	b.command(t, "CGENERAL", "<"+b.meet.JoinLink(running, true)+"> <@UALICE>")
	note := b.waitMessages(t, 2)[1]
	assert.NotEqual(t, "post", note.Kind)
	assert.Contains(t, note.Text, "host")
	assert.Len(t, b.meet.Invitations(running), 1, "Alice is not called through the host link")
	assert.Equal(t, 1, b.meet.Calls(meetingfake.EndpointInvite))
}

// writtenForms are the ways of writing the running meeting that
// internal/commands/testdata/meeting-links.txt collects (numbers grouped
// or not, join links bare and as Slack escapes them, scheme links),
// without the documentation's own host link, whose key the fake's meeting
// does not have.
func writtenForms(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../internal/commands/testdata/meeting-links.txt")
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if expected, text, ok := strings.Cut(sc.Text(), " | "); ok && expected == running {
			text, _, _ = strings.Cut(text, " | ")
			out = append(out, text)
		}
	}
	require.NoError(t, sc.Err())
	require.GreaterOrEqual(t, len(out), 10)
	return out
}

// Every way of writing the running meeting reaches it, in the command and
// in the form's picker: each command calls its own person into that
// meeting, and the picker offers it as typed.
func TestEveryWrittenFormOfAMeetingReachesIt(t *testing.T) {
	t.Parallel()
	forms := writtenForms(t)
	var users []slackfake.User
	var channels []slackfake.Channel // one each: posts to one channel go at Slack's pace, one a second
	for i := range forms {
		users = append(users, slackfake.User{ID: fmt.Sprintf("UFORM%02d", i), Name: fmt.Sprintf("form%d", i), Phone: fmt.Sprintf("+44207946%04d", i)})
		channels = append(channels, slackfake.Channel{ID: fmt.Sprintf("CFORM%02d", i), Name: fmt.Sprintf("form%d", i), Members: []string{"UCAROL"}, BotIsMember: true})
	}
	b := startBot(t, withSlack(func(c *slackfake.Config) {
		c.Users = append(c.Users, users...)
		c.Channels = append(c.Channels, channels...)
	}))

	for i, form := range forms {
		ack := b.command(t, channels[i].ID, form+" <@"+users[i].ID+">")
		assert.Contains(t, string(ack.Payload), "Inviting 1 person to meeting "+running, form)
		post := b.waitMatch(t, "the post of "+form, func(m slackfake.Message) bool {
			return m.Kind == "post" && strings.Contains(string(m.Blocks), users[i].ID)
		})
		assert.Contains(t, post.Text, "(meeting "+running+")", form)
	}
	invs := b.meet.Invitations(running)
	require.Len(t, invs, len(forms), "one invitation into the running meeting per form")
	for i, inv := range invs {
		assert.Equal(t, users[i].Phone, inv.Attendees[0].Phone)
	}
	assert.Equal(t, len(forms), b.meet.Calls(meetingfake.EndpointInvite), "and into no other")

	b.command(t, "CGENERAL", "")
	v, _ := b.waitView(t, 1)
	for _, form := range forms {
		chosen := b.pick(t, v.ID, form)["selected_option"].(map[string]any)["value"].(string)
		assert.True(t, strings.HasPrefix(chosen, running), "the picker offers %q as %q", form, chosen)
	}
}
