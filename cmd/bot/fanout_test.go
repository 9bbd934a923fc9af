package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// A command naming 170 user groups is refused in its ack, before a single
// lookup of whom it names; so is one naming more people than the maximum:
// the ack never promises what the bot will then refuse.
func TestTooBigCommandsAreRefusedInTheAck(t *testing.T) {
	t.Parallel()
	b := startBot(t)

	var groups, people strings.Builder
	for i := range 170 {
		fmt.Fprintf(&groups, " <!subteam^S%04d|@team%d>", i, i)
	}
	for i := range 500 {
		fmt.Fprintf(&people, " <@U%05d>", i)
	}
	ack := b.command(t, "CGENERAL", running+groups.String())
	assert.Equal(t, "That's 170 groups and channels; I look up at most 5 in one request. Name fewer, or split them up.", ackText(t, ack))
	ack = b.command(t, "CGENERAL", running+people.String())
	assert.Equal(t, "That's 500 people; I invite at most 50 at a time. Invite fewer people, or split them up.", ackText(t, ack))

	b.settle(t)
	assert.Zero(t, b.slack.Calls("usergroups.users.list"))
	assert.LessOrEqual(t, b.slack.Calls("users.info"), 1, "nobody named is looked up: at most the invoker, for their language, after the ack")
	assert.Empty(t, b.slack.Messages(), "the ack was the answer")
	assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite))
}

// A channel of 1,000 is read only until it passes the maximum: one page of
// conversations.members, not five; the invoker is told it is too many.
func TestALargeChannelIsReadOnlyPastTheMaximum(t *testing.T) {
	t.Parallel()
	b := startBot(t, withSlack(func(c *slackfake.Config) {
		members := []string{"UCAROL"}
		for i := range 1000 {
			id := fmt.Sprintf("UBIG%05d", i)
			c.Users = append(c.Users, slackfake.User{ID: id, Name: strings.ToLower(id)})
			members = append(members, id)
		}
		c.Channels = append(c.Channels, slackfake.Channel{ID: "CBIG", Name: "big", Members: members, BotIsMember: true})
	}))

	b.command(t, "CGENERAL", running+" <#CBIG|big>")
	msgs := b.waitMessages(t, 1)
	assert.Contains(t, msgs[0].Text, "That's more than 50 people; I invite at most 50 at a time.")
	b.settle(t)
	require.Len(t, b.slack.Messages(), 1)
	assert.Equal(t, 1, b.slack.Calls("conversations.members"), "one page of 200 is past 50")
	assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite))
}
