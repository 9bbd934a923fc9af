package slackfake_test

import (
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

func TestUsersInfoTellsTheOrganisation(t *testing.T) {
	t.Parallel()
	cfg := seed()
	cfg.EnterpriseID = "E1"
	cfg.Users = append(cfg.Users, slackfake.User{ID: "U9", TeamID: "T9", EnterpriseID: "E9", Name: "olga", IsStranger: true})
	s := start(t, cfg)
	api := apiClient(s)
	ctx := timeout(t, 5*time.Second)

	auth, err := api.AuthTestContext(ctx)
	require.NoError(t, err)
	assert.Equal(t, "T0FAKE", auth.TeamID)
	assert.Equal(t, "E1", auth.EnterpriseID)

	home, err := api.GetUserInfoContext(ctx, "U1")
	require.NoError(t, err)
	assert.Equal(t, "T0FAKE", home.TeamID)
	assert.Equal(t, "E1", home.Enterprise.EnterpriseID, "the workspace's users are of its enterprise")
	assert.False(t, home.IsStranger)

	other, err := api.GetUserInfoContext(ctx, "U9")
	require.NoError(t, err)
	assert.Equal(t, "T9", other.TeamID)
	assert.Equal(t, "E9", other.Enterprise.EnterpriseID)
	assert.True(t, other.IsStranger)
}

func TestConversationsInfoTellsWhoseDirectMessage(t *testing.T) {
	t.Parallel()
	cfg := seed()
	cfg.Channels = append(cfg.Channels,
		slackfake.Channel{ID: "D12", IsIM: true, Members: []string{"U1", "U2"}},              // between two people
		slackfake.Channel{ID: "DB3", IsIM: true, Members: []string{"U3"}, BotIsMember: true}, // U3 and the bot
	)
	s := start(t, cfg)
	api := apiClient(s)
	ctx := timeout(t, 5*time.Second)
	info := func(id string) (*slack.Channel, error) {
		return api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: id})
	}

	c, err := info("DB3")
	require.NoError(t, err)
	assert.True(t, c.IsIM)
	assert.Equal(t, "U3", c.User)

	c, err = info("D1") // the bot's DM with U1, not seeded: as the fake posts to it
	require.NoError(t, err)
	assert.True(t, c.IsIM)
	assert.Equal(t, "U1", c.User)

	_, err = info("D12")
	assert.EqualError(t, err, "channel_not_found", "the bot is not in a DM between two people")
	_, err = info("G1")
	assert.EqualError(t, err, "channel_not_found", "a private channel the bot is not in")

	c, err = info("C1")
	require.NoError(t, err)
	assert.False(t, c.IsIM)
	assert.Equal(t, "general", c.Name)
}
