package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// withCrowd adds a public channel #crowd with n members who each have a
// phone number, the invoker Carol among them, and a bot.
func withCrowd(n int) option {
	return withSlack(func(c *slackfake.Config) {
		members := []string{"UCAROL", "UROBOT"}
		for i := range n {
			id := fmt.Sprintf("UCROWD%04d", i)
			c.Users = append(c.Users, slackfake.User{ID: id, Name: fmt.Sprintf("crowd%d", i), Phone: fmt.Sprintf("+4420794%05d", i)})
			members = append(members, id)
		}
		c.Channels = append(c.Channels, slackfake.Channel{ID: "CCROWD", Name: "crowd", Members: members, BotIsMember: true})
	})
}

func TestChannelExpansionAcrossPages(t *testing.T) {
	t.Parallel()
	b := startBot(t, withCrowd(199), withEnv("INVITE_MAX_PEOPLE", "200"), withEnv("INVITE_CONFIRM_ABOVE", "200"))

	ack := b.command(t, "CGENERAL", running+" <#CCROWD|crowd>")
	assert.Contains(t, ackText(t, ack), "Looking up the people to invite")

	msgs := b.waitMessages(t, 1)
	assert.Equal(t, "post", msgs[0].Kind)
	assert.Contains(t, msgs[0].Text, "199 people", "every member but the invoker and the bot")
	assert.Equal(t, 2, b.slack.Calls("conversations.members"), "two pages of 200")
	require.Len(t, b.meet.Invitations(running), 1)
	assert.Len(t, b.meet.Invitations(running)[0].Attendees, 199)
	b.settle(t)
	all := b.slack.Messages()
	require.Len(t, all, 4, "the post and, in its thread, three replies naming the rest; the channel's bot is left out quietly")
	var listed strings.Builder
	for _, m := range all {
		listed.WriteString(blocksText(t, m.Blocks))
	}
	for _, m := range all[1:] {
		assert.Equal(t, msgs[0].TS, m.ThreadTS, "a reply in the post's thread")
	}
	for i := range 199 {
		assert.Contains(t, listed.String(), fmt.Sprintf("<@UCROWD%04d>", i), "everyone invited is named in the post or its thread")
	}
}

func TestManyPeopleNeedConfirmation(t *testing.T) {
	t.Parallel()
	b := startBot(t, withCrowd(12))

	b.command(t, "CGENERAL", running+" <#CCROWD|crowd>")
	msgs := b.waitMessages(t, 1)
	assert.Equal(t, "ephemeral", msgs[0].ResponseType)
	assert.Contains(t, msgs[0].Text, "That will call up to *13 people* into meeting "+running)
	assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite), "nobody is called before the click")
	assert.Equal(t, 1, b.slack.Calls("users.info"), "nobody is looked up but the invoker (is Carol a guest?)")

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, _, err := b.slack.ClickButton(ctx, slackfake.Click{UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "confirm_invite", MessageTS: msgs[0].TS})
	require.NoError(t, err)

	msgs = b.waitMessages(t, 3)
	assert.True(t, msgs[1].ReplaceOriginal, "the card becomes a progress note")
	assert.Equal(t, "post", msgs[2].Kind)
	require.Len(t, b.meet.Invitations(running), 1)
	assert.Len(t, b.meet.Invitations(running)[0].Attendees, 12, "the bot among them was left out")

	// A second click finds nothing to run: nobody is called twice.
	_, _, err = b.slack.ClickButton(ctx, slackfake.Click{UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "confirm_invite", MessageTS: msgs[0].TS})
	require.NoError(t, err)
	msgs = b.waitMessages(t, 4)
	assert.Contains(t, msgs[3].Text, "expired or was already answered")
	assert.Len(t, b.meet.Invitations(running), 1)
}

func TestConfirmationCanBeCancelled(t *testing.T) {
	t.Parallel()
	b := startBot(t, withCrowd(12))
	b.command(t, "CGENERAL", running+" <#CCROWD|crowd>")
	msgs := b.waitMessages(t, 1)

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, _, err := b.slack.ClickButton(ctx, slackfake.Click{UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "cancel_invite", MessageTS: msgs[0].TS})
	require.NoError(t, err)
	msgs = b.waitMessages(t, 2)
	assert.Equal(t, "Cancelled: nobody was invited.", msgs[1].Text)
	assert.True(t, msgs[1].ReplaceOriginal)
	assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite))
}

func TestTooManyPeopleAreRefused(t *testing.T) {
	t.Parallel()
	b := startBot(t, withCrowd(60))
	b.command(t, "CGENERAL", running+" <#CCROWD|crowd>")
	msgs := b.waitMessages(t, 1)
	assert.Contains(t, msgs[0].Text, "That's 61 people; I invite at most 50 at a time.")
	assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite))
	assert.Equal(t, 1, b.slack.Calls("users.info"), "only the invoker's guest check")
}

func TestUserGroupExpansion(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.command(t, "CGENERAL", running+" <!subteam^SENG|@eng> <!subteam^SNOPE|@nope>")
	msgs := b.waitMessages(t, 2)
	assert.Equal(t, "post", msgs[0].Kind)
	assert.Contains(t, blocksText(t, msgs[0].Blocks), "<@UALICE>")
	assert.Contains(t, blocksText(t, msgs[0].Blocks), "<@UBOB>")
	assert.Contains(t, msgs[1].Text, "<!subteam^SNOPE> — I couldn't find this user group.")
}

func TestDirectNumbers(t *testing.T) {
	t.Parallel()
	const text = running + " +8613800000009 <mailto:guest@example.org|guest@example.org>"

	t.Run("refused by default", func(t *testing.T) {
		t.Parallel()
		b := startBot(t)
		ack := b.command(t, "CGENERAL", text)
		assert.Contains(t, ackText(t, ack), "isn't enabled here")
		b.settle(t)
		assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite), "nothing dialled")
		assert.Empty(t, b.slack.Messages())
	})
	t.Run("allowed by configuration", func(t *testing.T) {
		t.Parallel()
		b := startBot(t, withEnv("ALLOW_DIRECT_INVITES", "true"))
		b.command(t, "CGENERAL", text)
		msgs := b.waitMessages(t, 1)
		assert.Equal(t, "post", msgs[0].Kind)
		posted := blocksText(t, msgs[0].Blocks)
		assert.Contains(t, posted, "number ending in 0009")
		assert.NotContains(t, posted, "8613800000009", "the number is masked in the channel")
		assert.NotContains(t, posted, "guest@", "the address is masked in the channel")
		require.Len(t, b.meet.Invitations(running), 1)
		got := b.meet.Invitations(running)[0].Attendees
		require.Len(t, got, 1, "an email cannot be called: Huawei needs a phone")
		assert.Equal(t, "+8613800000009", got[0].Phone)
		assert.Equal(t, "mobile", got[0].Type)
	})
}
