package slackfake_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

func homeTab(blocks ...slack.Block) slack.HomeTabViewRequest {
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

func publish(t *testing.T, s *slackfake.Server, user string, v slack.HomeTabViewRequest, hash string) error {
	t.Helper()
	req := slack.PublishViewContextRequest{UserID: user, View: v}
	if hash != "" {
		req.Hash = &hash
	}
	_, err := apiClient(s).PublishViewContext(t.Context(), req)
	return err
}

func TestViewsPublishKeepsEachUsersHomeTab(t *testing.T) {
	t.Parallel()
	s := start(t, seed())
	hello := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "hello", false, false), nil, nil)

	require.NoError(t, publish(t, s, "U1", homeTab(hello), ""))
	h, ok := s.Home("U1")
	require.True(t, ok)
	assert.Contains(t, string(h.JSON), `"type":"home"`)
	assert.Equal(t, 1, h.Publishes)
	require.NoError(t, publish(t, s, "U1", homeTab(hello), h.Hash), "the current hash")
	assert.Equal(t, "hash_conflict", slackErr(t, publish(t, s, "U1", homeTab(hello), h.Hash)), "a stale one")
	_, ok = s.Home("U2")
	assert.False(t, ok, "one user's Home tab is theirs")
}

func TestViewsPublishRefusesWhatSlackRefuses(t *testing.T) {
	t.Parallel()
	s := start(t, seed())
	section := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "x", false, false), nil, nil)
	many := make([]slack.Block, 101)
	for i := range many {
		many[i] = section
	}
	modal := homeTab(section)
	modal.Type = slack.VTModal
	tests := []struct {
		name, user string
		view       slack.HomeTabViewRequest
		want       string
	}{
		{"101 blocks", "U1", homeTab(many...), "invalid_arguments"},
		{"not a home view", "U1", modal, "invalid_arguments"},
		{"an unknown user", "UNOPE", homeTab(section), "invalid_arguments"},
		{"a call block", "U1", homeTab(slack.NewCallBlock("R1")), "invalid_arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, slackErr(t, publish(t, s, tt.user, tt.view, "")))
		})
	}
	assert.Len(t, s.Views(), 0, "a Home tab is not a modal")

	big := make([]slack.Block, 100)
	for i := range big {
		big[i] = slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, strings.Repeat("é", 2999), false, false), nil, nil)
	}
	assert.Equal(t, "view_too_large", slackErr(t, publish(t, s, "U1", homeTab(big...), "")), "over 250 kB")

	off := seed()
	off.HomeTabDisabled = true
	assert.Equal(t, "not_enabled", slackErr(t, publish(t, start(t, off), "U1", homeTab(section), "")))
}

func TestOpeningTheHomeTabSendsAnEvent(t *testing.T) {
	t.Parallel()
	s := start(t, seed())
	got := make(chan *slackevents.AppHomeOpenedEvent, 2)
	runBot(t, s, func(h *socketmode.SocketmodeHandler) {
		h.HandleEvents(slackevents.AppHomeOpened, func(evt *socketmode.Event, c *socketmode.Client) {
			c.Ack(*evt.Request)
			e := evt.Data.(slackevents.EventsAPIEvent)
			got <- e.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
		})
	})
	ctx := timeout(t, 5*time.Second)

	id, err := s.OpenHome(ctx, "U1", "home")
	require.NoError(t, err)
	first := <-got
	assert.Equal(t, "U1", first.User)
	assert.Equal(t, "home", first.Tab)
	assert.Nil(t, first.View, "nothing published yet")
	_, err = s.WaitAck(ctx, id)
	require.NoError(t, err)

	require.NoError(t, publish(t, s, "U1", homeTab(slack.NewDividerBlock()), ""))
	_, err = s.OpenHome(ctx, "U1", "home")
	require.NoError(t, err)
	second := <-got
	require.NotNil(t, second.View, "the event carries the Home tab last published")
	assert.Equal(t, slack.VTHomeTab, second.View.Type)

	_, err = s.OpenHome(ctx, "U1", "profile")
	assert.Error(t, err)
	_, err = s.OpenHome(ctx, "UNOPE", "home")
	assert.Error(t, err, "an unknown user")
}

// Slack sends app_home_opened only to an app that subscribes to it, and
// nobody opens a Home tab the app leaves off (its Messages tab still
// opens).
func TestOpeningTheHomeTabSendsNothingTheAppDidNotAskFor(t *testing.T) {
	t.Parallel()
	off := seed()
	off.HomeTabDisabled = true
	unsubscribed := seed()
	unsubscribed.BotEvents = []string{}
	for _, tt := range []struct {
		name    string
		cfg     slackfake.Config
		tab     string
		wantErr error
	}{
		{name: "Home tab disabled", cfg: off, tab: "home", wantErr: slackfake.ErrHomeTabDisabled},
		{name: "not subscribed", cfg: unsubscribed, tab: "home", wantErr: slackfake.ErrNotSubscribed},
		{name: "not subscribed, Messages tab", cfg: unsubscribed, tab: "messages", wantErr: slackfake.ErrNotSubscribed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, tt.cfg)
			got := make(chan struct{}, 1)
			runBot(t, s, func(h *socketmode.SocketmodeHandler) {
				h.HandleEvents(slackevents.AppHomeOpened, func(evt *socketmode.Event, c *socketmode.Client) {
					got <- struct{}{} // before the ack, which the test waits for
					c.Ack(*evt.Request)
				})
			})
			ctx := timeout(t, 5*time.Second)
			id, err := s.OpenHome(ctx, "U1", tt.tab)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Empty(t, id, "no envelope")

			// The bot is connected: a Messages tab opened where the
			// event is subscribed does reach it, and nothing came before.
			if tt.cfg.HomeTabDisabled {
				id, err := s.OpenHome(ctx, "U1", "messages")
				require.NoError(t, err)
				_, err = s.WaitAck(ctx, id)
				require.NoError(t, err)
				assert.Len(t, got, 1, "only the Messages tab's event")
			}
		})
	}
}
