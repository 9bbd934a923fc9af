package slackfake_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// pickerBot opens a form with an external select on an empty command and
// answers what is typed into it: "we…" with two groups, "many" with more
// options than Slack allows, anything else with one option per word.
func pickerBot(t *testing.T, fake *slackfake.Server) *byEnvelope[slack.InteractionCallback] {
	t.Helper()
	seen := byEnvelope[slack.InteractionCallback]{opened: make(chan error, 8)}
	opt := func(text, value string) *slack.OptionBlockObject {
		return slack.NewOptionBlockObject(value, txt(text), nil)
	}
	runBot(t, fake, func(h *socketmode.SocketmodeHandler) {
		h.HandleSlashCommand("/meet-invite", func(evt *socketmode.Event, c *socketmode.Client) {
			cmd, _ := evt.Data.(slack.SlashCommand)
			ctx := context.Background()
			assert.NoError(t, c.AckCtx(ctx, evt.Request.EnvelopeID, nil))
			picker := slack.NewOptionsSelectBlockElement(slack.OptTypeExternal, txt("Search"), "meeting_id")
			minLen := 2
			picker.MinQueryLength = &minLen
			picker.InitialOption = opt("Meeting 914 083 136", "914083136")
			view := modal("")
			view.Blocks.BlockSet[0] = slack.NewInputBlock("meeting_block", txt("Meeting"), nil, picker)
			_, err := c.OpenViewContext(ctx, cmd.TriggerID, view)
			seen.opened <- err
		})
		h.HandleInteraction(slack.InteractionTypeBlockSuggestion, func(evt *socketmode.Event, c *socketmode.Client) {
			cb, _ := evt.Data.(slack.InteractionCallback)
			seen.add("suggestions", cb)
			var answer any
			switch cb.Value {
			case "week":
				answer = slack.OptionGroupsResponse{OptionGroups: []*slack.OptionGroupBlockObject{
					slack.NewOptionGroupBlockElement(txt("Yours"), opt("Weekly sync", "914083136")),
					slack.NewOptionGroupBlockElement(txt("Running now"), opt("Weekend plans", "986030665")),
				}}
			case "many":
				var many []*slack.OptionBlockObject
				for i := range 101 {
					many = append(many, opt("Meeting", fmt.Sprint(900000000+i)))
				}
				answer = slack.OptionsResponse{Options: many}
			case "none":
				answer = slack.OptionsResponse{} // slack-go leaves an empty list out: {}
			default:
				answer = slack.OptionsResponse{Options: []*slack.OptionBlockObject{opt("Typed", cb.Value)}}
			}
			assert.NoError(t, c.AckCtx(context.Background(), evt.Request.EnvelopeID, answer))
		})
		h.HandleViewSubmission("meet_invite_modal", func(evt *socketmode.Event, c *socketmode.Client) {
			cb, _ := evt.Data.(slack.InteractionCallback)
			seen.add(evt.Request.EnvelopeID, cb)
			assert.NoError(t, c.AckCtx(context.Background(), evt.Request.EnvelopeID, nil))
		})
	})
	return &seen
}

// openPicker opens the picker's form and returns its view ID.
func openPicker(t *testing.T, fake *slackfake.Server, seen *byEnvelope[slack.InteractionCallback]) string {
	t.Helper()
	ctx := timeout(t, 5*time.Second)
	before := len(fake.Views())
	_, _, err := fake.SlashCommand(ctx, slackfake.Command{UserID: "U1", ChannelID: "C1"})
	require.NoError(t, err)
	require.NoError(t, <-seen.opened)
	views, err := fake.WaitViews(ctx, before+1)
	require.NoError(t, err)
	return views[before].ID
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	seen := pickerBot(t, fake)
	viewID := openPicker(t, fake, seen)

	t.Run("the payload and the options", func(t *testing.T) {
		opts, err := fake.Suggest(timeout(t, 5*time.Second), slackfake.Suggestion{ViewID: viewID, ActionID: "meeting_id", Value: "week"})
		require.NoError(t, err)
		assert.Equal(t, []slackfake.Option{
			{Group: "Yours", Text: "Weekly sync", Value: "914083136"},
			{Group: "Running now", Text: "Weekend plans", Value: "986030665"},
		}, opts)
		cb := only(t, seen.get("suggestions"))
		assert.Equal(t, slack.InteractionTypeBlockSuggestion, cb.Type)
		assert.Equal(t, "week", cb.Value)
		assert.Equal(t, "meeting_id", cb.ActionID)
		assert.Equal(t, "meeting_block", cb.BlockID)
		assert.Equal(t, viewID, cb.View.ID)
		assert.Equal(t, "meet_invite_modal", cb.View.CallbackID)
		assert.Equal(t, "U1", cb.User.ID, "the user who opened the form types in it")
		assert.Equal(t, "T0FAKE", cb.Team.ID)
	})
	t.Run("nothing is sent before min_query_length characters", func(t *testing.T) {
		_, err := fake.Suggest(timeout(t, 5*time.Second), slackfake.Suggestion{ViewID: viewID, ActionID: "meeting_id", Value: "w"})
		assert.ErrorContains(t, err, "min_query_length")
	})
	t.Run("more than 100 options are refused", func(t *testing.T) {
		_, err := fake.Suggest(timeout(t, 5*time.Second), slackfake.Suggestion{ViewID: viewID, ActionID: "meeting_id", Value: "many"})
		assert.ErrorContains(t, err, "no more than 100 items allowed")
	})
	t.Run("an answer with neither options nor option groups is refused", func(t *testing.T) {
		_, err := fake.Suggest(timeout(t, 5*time.Second), slackfake.Suggestion{ViewID: viewID, ActionID: "meeting_id", Value: "none"})
		assert.ErrorContains(t, err, "must provide either options or option_groups")
	})
	t.Run("only an external select", func(t *testing.T) {
		_, err := fake.Suggest(timeout(t, 5*time.Second), slackfake.Suggestion{ViewID: viewID, ActionID: "invitees", Value: "week"})
		assert.ErrorContains(t, err, "no external select")
	})
}

func TestSubmitViewChoosesOnlyOfferedOptions(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	seen := pickerBot(t, fake)
	submit := func(viewID, value string) (slack.InteractionCallback, error) {
		sent, _, err := fake.SubmitView(timeout(t, 5*time.Second), slackfake.Submission{ViewID: viewID, Values: map[string]map[string]any{
			"meeting_block":  {"meeting_id": map[string]any{"selected_option": map[string]any{"value": value}}},
			"invitees_block": {"invitees": map[string]any{"selected_users": []string{"U2"}}},
		}})
		if err != nil {
			return slack.InteractionCallback{}, err
		}
		return only(t, seen.get(sent.EnvelopeID)), nil
	}

	viewID := openPicker(t, fake, seen)
	_, err := submit(viewID, "955555555")
	require.ErrorContains(t, err, "only submit an option the app offered", "never offered")
	_, err = fake.Suggest(timeout(t, 5*time.Second), slackfake.Suggestion{ViewID: viewID, ActionID: "meeting_id", Value: "week"})
	require.NoError(t, err)
	cb, err := submit(viewID, "986030665")
	require.NoError(t, err)
	chosen := cb.View.State.Values["meeting_block"]["meeting_id"]
	assert.Equal(t, slack.ActionType("external_select"), chosen.Type)
	assert.Equal(t, "986030665", chosen.SelectedOption.Value)
	assert.Equal(t, "Weekend plans", chosen.SelectedOption.Text.Text, "the option as offered")

	viewID = openPicker(t, fake, seen)
	cb, err = submit(viewID, "914083136")
	require.NoError(t, err, "the initial option may be kept")
	assert.Equal(t, "Meeting 914 083 136", cb.View.State.Values["meeting_block"]["meeting_id"].SelectedOption.Text.Text)
}
