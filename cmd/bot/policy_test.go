package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

func withGuest() option {
	return withSlack(func(c *slackfake.Config) {
		c.Users = append(c.Users, slackfake.User{ID: "UGUEST", Name: "gus", Email: "gus@partner.example", IsRestricted: true})
		for i := range c.Channels {
			c.Channels[i].Members = append(c.Channels[i].Members, "UGUEST")
		}
		c.Channels = append(c.Channels, slackfake.Channel{ID: "CRANDOM", Name: "random", Members: []string{"UCAROL", "UGUEST"}, BotIsMember: true})
	})
}

func TestWhoMayInvite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []option
		user    string
		channel string
		want    string // "" = allowed
	}{
		{name: "members may invite by default", user: "UCAROL", channel: "CGENERAL"},
		{name: "guests may not by default", user: "UGUEST", channel: "CGENERAL", want: "Guest accounts can't invite"},
		{name: "guests may when allowed", opts: []option{withEnv("ALLOW_GUESTS", "true")}, user: "UGUEST", channel: "CGENERAL"},
		{name: "denied channel", opts: []option{withEnv("DENIED_CHANNELS", "CRANDOM")}, user: "UCAROL", channel: "CRANDOM", want: "aren't enabled in this channel"},
		{name: "channel not on the allowed list", opts: []option{withEnv("ALLOWED_CHANNELS", "CGENERAL")}, user: "UCAROL", channel: "CRANDOM", want: "aren't enabled in this channel"},
		{name: "allowed channel", opts: []option{withEnv("ALLOWED_CHANNELS", "CGENERAL")}, user: "UCAROL", channel: "CGENERAL"},
		{name: "user not on the allowed lists", opts: []option{withEnv("ALLOWED_USERS", "UALICE"), withEnv("ALLOWED_GROUPS", "SENG")}, user: "UCAROL", channel: "CGENERAL", want: "You're not on the list"},
		{name: "user allowed by name", opts: []option{withEnv("ALLOWED_USERS", "UCAROL")}, user: "UCAROL", channel: "CGENERAL"},
		{name: "user allowed through a group", opts: []option{withEnv("ALLOWED_GROUPS", "SENG"), withSlack(func(c *slackfake.Config) {
			c.Groups[0].Members = append(c.Groups[0].Members, "UCAROL")
		})}, user: "UCAROL", channel: "CGENERAL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := startBot(t, append([]option{withGuest()}, tt.opts...)...)
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			_, ack, err := b.slack.SlashCommand(ctx, slackfake.Command{UserID: tt.user, ChannelID: tt.channel, Text: running + " <@UBOB>"})
			require.NoError(t, err)
			// Channel rules are answered in the ack; rules that need a
			// lookup, privately once it is done.
			text := ackText(t, ack)
			if strings.HasPrefix(text, "Inviting") {
				msgs := b.waitMessages(t, 1)
				text = msgs[0].Text
				if tt.want != "" {
					assert.NotEqual(t, "post", msgs[0].Kind, "refusals are private")
				}
			}
			if tt.want == "" {
				assert.Contains(t, text, "invited 1 person")
				assert.Len(t, b.meet.Invitations(running), 1)
				return
			}
			assert.Contains(t, text, tt.want)
			assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite), "nobody called")
		})
	}
}
