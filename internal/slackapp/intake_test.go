package slackapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackapp"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// TestEveryEntryPointConfirmsABigInvitation: the form, Try again and Call
// again go through the same intake as the command, so that reaching more
// people than ConfirmAbove shows the Invite / Cancel card and calls nobody
// until Invite is pressed.
func TestEveryEntryPointConfirmsABigInvitation(t *testing.T) {
	t.Parallel()
	var crowd []string
	for i := range crowdLen {
		crowd = append(crowd, fmt.Sprintf("UCROWD%04d", i))
	}
	callAgain, err := json.Marshal(map[string]any{"c": running, "u": crowd})
	require.NoError(t, err)

	tests := []struct {
		name string
		ask  func(t *testing.T, a *app) // leaves the card as the newest message
	}{
		{"form with a channel", func(t *testing.T, a *app) {
			ctx := t.Context()
			_, _, err := a.slack.SlashCommand(ctx, slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: "<#CCROWD|crowd>"})
			require.NoError(t, err)
			views, err := a.slack.WaitViews(ctx, 1)
			require.NoError(t, err)
			_, ack, err := a.slack.SubmitView(ctx, slackfake.Submission{ViewID: views[0].ID, Values: map[string]map[string]any{
				"meeting_block": {"meeting_id": a.choose(t, views[0].ID, running, running)},
			}})
			require.NoError(t, err)
			assert.Nil(t, ack.Payload, "the form closes")
		}},
		{"Try again with a group", func(t *testing.T, a *app) {
			value := `{"c":"` + running + `","g":["SCROWD"]}`
			_, _, err := a.slack.ClickButton(t.Context(), slackfake.Click{UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "retry_invite", Value: slackapp.SignButton(testSecret, value)})
			require.NoError(t, err)
		}},
		{"Call again for many", func(t *testing.T, a *app) {
			_, _, err := a.slack.ClickButton(t.Context(), slackfake.Click{UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "call_again", Value: slackapp.SignButton(testSecret, string(callAgain))})
			require.NoError(t, err)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := startApp(t, slackapp.Config{ConfirmAbove: 10, MaxPeople: 50})
			tt.ask(t, a)

			card := a.waitMessages(t, 1)[0]
			assert.Contains(t, card.Text, "That will call up to *30 people* into meeting "+running)
			assert.Contains(t, string(card.Blocks), `"action_id":"confirm_invite"`)
			assert.Zero(t, a.meet.Calls(meetingfake.EndpointInvite), "nobody is called before Invite")

			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			_, _, err := a.slack.ClickButton(ctx, slackfake.Click{UserID: "UCAROL", ChannelID: card.Channel, ActionID: "confirm_invite", MessageTS: card.TS})
			require.NoError(t, err)
			msgs := a.waitMessages(t, 3)
			assert.True(t, msgs[1].ReplaceOriginal, "the card becomes a progress note")
			assert.Equal(t, "post", msgs[2].Kind)
			require.Len(t, a.meet.Invitations(running), 1)
			assert.Len(t, a.meet.Invitations(running)[0].Attendees, crowdLen, "exactly the people on the card")
		})
	}
}

// Try again on an invitation that named a channel runs it with the channel.
func TestTryAgainKeepsTheChannels(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{ConfirmAbove: 100, MaxPeople: 50})
	value := `{"c":"` + running + `","ch":["CCROWD"]}`
	_, _, err := a.slack.ClickButton(t.Context(), slackfake.Click{UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "retry_invite", Value: slackapp.SignButton(testSecret, value)})
	require.NoError(t, err)
	post := a.waitMessages(t, 1)[0]
	assert.Equal(t, "post", post.Kind, "%+v", post)
	require.Len(t, a.meet.Invitations(running), 1)
	assert.Len(t, a.meet.Invitations(running)[0].Attendees, crowdLen)
}
