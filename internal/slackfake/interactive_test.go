package slackfake_test

import (
	"context"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// interactiveBot opens the invite modal on an empty command, rejects the
// meeting ID "bad" in the modal, and records every interaction callback.
func interactiveBot(t *testing.T, fake *slackfake.Server) *byEnvelope[slack.InteractionCallback] {
	t.Helper()
	seen := byEnvelope[slack.InteractionCallback]{opened: make(chan error, 8)}
	record := func(evt *socketmode.Event, c *socketmode.Client) {
		cb, ok := evt.Data.(slack.InteractionCallback)
		assert.True(t, ok)
		seen.add(evt.Request.EnvelopeID, cb)
		var payload any
		if cb.Type == slack.InteractionTypeViewSubmission &&
			cb.View.State.Values["meeting_block"]["meeting_id"].Value == "bad" {
			payload = slack.NewErrorsViewSubmissionResponse(map[string]string{"meeting_block": "Digits only"})
		}
		assert.NoError(t, c.AckCtx(context.Background(), evt.Request.EnvelopeID, payload))
	}
	runBot(t, fake, func(h *socketmode.SocketmodeHandler) {
		h.HandleSlashCommand("/meet-invite", func(evt *socketmode.Event, c *socketmode.Client) {
			cmd, ok := evt.Data.(slack.SlashCommand)
			assert.True(t, ok)
			ctx := context.Background()
			assert.NoError(t, c.AckCtx(ctx, evt.Request.EnvelopeID, nil))
			_, err := c.OpenViewContext(ctx, cmd.TriggerID, modal(`{"channel_id":"`+cmd.ChannelID+`"}`))
			seen.opened <- err
		})
		h.HandleInteractionBlockAction("join", record)
		h.HandleViewSubmission("meet_invite_modal", record)
		h.HandleShortcut("meet_invite_global", record)
		h.HandleShortcut("meet_invite_thread", record)
	})
	return &seen
}

func only[T any](t *testing.T, got []T) T {
	t.Helper()
	require.Len(t, got, 1)
	return got[0]
}

func TestClickButton(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	seen := interactiveBot(t, fake)
	button := slack.NewButtonBlockElement("join", "914083136", txt("Join"))
	_, ts, err := apiClient(fake).PostMessageContext(t.Context(), "C1", slack.MsgOptionText("Invite sent", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("actions_block", button)))
	require.NoError(t, err)

	tests := []struct {
		name    string
		click   slackfake.Click
		wantErr bool
	}{
		{name: "button in the newest message", click: slackfake.Click{UserID: "U2", ChannelID: "C1", ActionID: "join"}},
		{name: "button in a given message", click: slackfake.Click{UserID: "U2", ChannelID: "C1", ActionID: "join", MessageTS: ts}},
		{name: "no such button", click: slackfake.Click{UserID: "U2", ChannelID: "C1", ActionID: "leave"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sent, ack, err := fake.ClickButton(timeout(t, 5*time.Second), tt.click)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Nil(t, ack.Payload)
			cb := only(t, seen.get(sent.EnvelopeID))
			assert.Equal(t, slack.InteractionTypeBlockActions, cb.Type)
			assert.Equal(t, "U2", cb.User.ID)
			assert.Equal(t, "bob", cb.User.Name)
			assert.Equal(t, "C1", cb.Channel.ID)
			assert.Equal(t, "T0FAKE", cb.Team.ID)
			assert.Equal(t, sent.TriggerID, cb.TriggerID)
			assert.Equal(t, sent.ResponseURL, cb.ResponseURL)
			assert.Equal(t, ts, cb.Container.MessageTs)
			assert.Equal(t, "C1", cb.Container.ChannelID)
			assert.Equal(t, ts, cb.Message.Timestamp)
			assert.Equal(t, "Invite sent", cb.Message.Text)
			action := only(t, cb.ActionCallback.BlockActions)
			assert.Equal(t, "join", action.ActionID)
			assert.Equal(t, "actions_block", action.BlockID)
			assert.Equal(t, "914083136", action.Value)
			assert.Equal(t, slack.ActionType("button"), action.Type)
			assert.Equal(t, "Join", action.Text.Text)
		})
	}
}

func TestSubmitView(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	seen := interactiveBot(t, fake)
	ctx := timeout(t, 5*time.Second)
	_, _, err := fake.SlashCommand(ctx, slackfake.Command{UserID: "U1", ChannelID: "C1"})
	require.NoError(t, err)
	require.NoError(t, <-seen.opened)
	views, err := fake.WaitViews(ctx, 1)
	require.NoError(t, err)
	viewID := views[0].ID

	steps := []struct {
		name        string
		meetingID   string
		invitees    []string
		wantPayload string
		wantErr     bool
	}{
		{name: "rejected by the bot: the modal stays open", meetingID: "bad",
			wantPayload: `{"response_action":"errors","errors":{"meeting_block":"Digits only"}}`},
		{name: "accepted: the modal closes", meetingID: "914083136", invitees: []string{"U2", "U3"}},
		{name: "a closed modal cannot be submitted", meetingID: "914083136", wantErr: true},
	}
	for _, step := range steps { // sequential: the view's state carries over
		t.Run(step.name, func(t *testing.T) {
			values := map[string]map[string]any{
				"meeting_block": {"meeting_id": map[string]any{"type": "plain_text_input", "value": step.meetingID}},
			}
			if step.invitees != nil {
				values["invitees_block"] = map[string]any{"invitees": map[string]any{"selected_users": step.invitees}}
			}
			sent, ack, err := fake.SubmitView(timeout(t, 5*time.Second), slackfake.Submission{ViewID: viewID, Values: values})
			if step.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			if step.wantPayload == "" {
				assert.Nil(t, ack.Payload)
			} else {
				assert.JSONEq(t, step.wantPayload, string(ack.Payload))
			}
			cb := only(t, seen.get(sent.EnvelopeID))
			assert.Equal(t, slack.InteractionTypeViewSubmission, cb.Type)
			assert.Equal(t, "U1", cb.User.ID, "the user who opened the modal submits it")
			assert.Equal(t, viewID, cb.View.ID)
			assert.Equal(t, "meet_invite_modal", cb.View.CallbackID)
			assert.Equal(t, `{"channel_id":"C1"}`, cb.View.PrivateMetadata)
			assert.Equal(t, sent.TriggerID, cb.TriggerID)
			require.NotNil(t, cb.View.State)
			assert.Equal(t, step.meetingID, cb.View.State.Values["meeting_block"]["meeting_id"].Value)
			invitees := cb.View.State.Values["invitees_block"]["invitees"]
			assert.Equal(t, slack.ActionType("multi_users_select"), invitees.Type)
			assert.Equal(t, len(step.invitees), len(invitees.SelectedUsers))
			assert.Len(t, cb.View.Blocks.BlockSet, 2)
		})
	}

	t.Run("unknown view or input block", func(t *testing.T) {
		_, _, err := fake.SubmitView(t.Context(), slackfake.Submission{ViewID: "V404"})
		assert.Error(t, err)
		ctx := timeout(t, 5*time.Second)
		_, _, err = fake.SlashCommand(ctx, slackfake.Command{UserID: "U1", ChannelID: "C1"})
		require.NoError(t, err)
		require.NoError(t, <-seen.opened)
		views, err := fake.WaitViews(ctx, 2)
		require.NoError(t, err)
		_, _, err = fake.SubmitView(ctx, slackfake.Submission{ViewID: views[1].ID,
			Values: map[string]map[string]any{"nope": {"meeting_id": map[string]any{"value": "1"}}}})
		assert.Error(t, err)
		_, _, err = fake.SubmitView(ctx, slackfake.Submission{ViewID: views[1].ID,
			Values: map[string]map[string]any{"meeting_block": {"nope": map[string]any{"value": "1"}}}})
		assert.Error(t, err)
	})
}

func TestShortcuts(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	seen := interactiveBot(t, fake)
	fake.Thread("C1", "1700000000.000100", []slackfake.ThreadMessage{
		{User: "U1", Text: "who joins?", TS: "1700000000.000100"},
		{User: "U2", Text: "me", TS: "1700000001.000100"},
	})

	t.Run("global", func(t *testing.T) {
		t.Parallel()
		sent, _, err := fake.GlobalShortcut(timeout(t, 5*time.Second), "U1", "meet_invite_global")
		require.NoError(t, err)
		cb := only(t, seen.get(sent.EnvelopeID))
		assert.Equal(t, slack.InteractionTypeShortcut, cb.Type)
		assert.Equal(t, "meet_invite_global", cb.CallbackID)
		assert.Equal(t, "U1", cb.User.ID)
		assert.Equal(t, sent.TriggerID, cb.TriggerID)
	})
	t.Run("message", func(t *testing.T) {
		t.Parallel()
		sent, _, err := fake.MessageShortcut(timeout(t, 5*time.Second), "U2", "C1", "meet_invite_thread", "1700000000.000100")
		require.NoError(t, err)
		cb := only(t, seen.get(sent.EnvelopeID))
		assert.Equal(t, slack.InteractionTypeMessageAction, cb.Type)
		assert.Equal(t, "meet_invite_thread", cb.CallbackID)
		assert.Equal(t, "U2", cb.User.ID)
		assert.Equal(t, "C1", cb.Channel.ID)
		assert.Equal(t, "1700000000.000100", cb.MessageTs)
		assert.Equal(t, "who joins?", cb.Message.Text)
		assert.Equal(t, "U1", cb.Message.User)
		assert.Equal(t, 1, cb.Message.ReplyCount)
		assert.Equal(t, sent.ResponseURL, cb.ResponseURL)
	})
}
