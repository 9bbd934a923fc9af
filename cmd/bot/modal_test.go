package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// openedView decodes the parts of an opened modal the tests look at.
type openedView struct {
	CallbackID      string `json:"callback_id"`
	PrivateMetadata string `json:"private_metadata"`
	Blocks          []struct {
		Type    string `json:"type"`
		BlockID string `json:"block_id"`
		Element struct {
			Type          string   `json:"type"`
			ActionID      string   `json:"action_id"`
			InitialUsers  []string `json:"initial_users"`
			InitialOption *struct {
				Value string `json:"value"`
			} `json:"initial_option"`
		} `json:"element"`
	} `json:"blocks"`
}

func (b *harness) waitView(t *testing.T, n int) (slackfake.View, openedView) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	views, err := b.slack.WaitViews(ctx, n)
	require.NoError(t, err, "a modal was opened")
	v := views[n-1]
	var ov openedView
	require.NoError(t, json.Unmarshal(v.JSON, &ov))
	return v, ov
}

// element returns the initial option's value (a select menu) and users
// (a users select) of a block's element.
func (ov openedView) element(blockID string) (initialOption string, initialUsers []string) {
	for _, b := range ov.Blocks {
		if b.BlockID == blockID {
			if o := b.Element.InitialOption; o != nil {
				initialOption = o.Value
			}
			return initialOption, b.Element.InitialUsers
		}
	}
	return "", nil
}

// pick types into the form's meeting picker (Slack sends the bot a
// block_suggestion) and returns the picker's state with the first option
// the bot offered chosen.
func (b *harness) pick(t *testing.T, viewID, typed string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	opts, err := b.slack.Suggest(ctx, slackfake.Suggestion{ViewID: viewID, ActionID: "meeting_id", Value: typed})
	require.NoError(t, err)
	require.NotEmpty(t, opts, "typing %q offers something", typed)
	return map[string]any{"type": "external_select", "selected_option": map[string]any{"value": opts[0].Value}}
}

// noMeeting is the picker's state with nothing chosen.
var noMeeting = map[string]any{"type": "external_select", "selected_option": nil}

// formValues is what a user chose in the modal: meeting is the picker's
// state (pick).
func formValues(meeting map[string]any, users []string, asHost bool, password string) map[string]map[string]any {
	v := map[string]map[string]any{
		"meeting_block":  {"meeting_id": meeting},
		"invitees_block": {"invitees": map[string]any{"type": "multi_users_select", "selected_users": users}},
		"password_block": {"host_password": map[string]any{"type": "plain_text_input", "value": password}},
	}
	opts := []any{}
	if asHost {
		opts = append(opts, map[string]any{"text": map[string]any{"type": "plain_text", "text": "Invite as host"}, "value": "host"})
	}
	v["role_block"] = map[string]any{"as_host": map[string]any{"type": "checkboxes", "selected_options": opts}}
	return v
}

func (b *harness) submit(t *testing.T, viewID string, values map[string]map[string]any) slackfake.Ack {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, ack, err := b.slack.SubmitView(ctx, slackfake.Submission{ViewID: viewID, Values: values})
	require.NoError(t, err)
	return ack
}

func TestCommandOpensPrefilledModal(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	tests := []struct {
		name      string
		text      string
		wantID    string
		wantUsers []string
	}{
		{name: "command alone", text: ""},
		{name: "only a meeting ID", text: "914-083-136", wantID: running},
		{name: "only people", text: "<@UALICE|alice> <@UBOB>", wantUsers: []string{"UALICE", "UBOB"}},
	}
	for i, tt := range tests {
		ack := b.command(t, "CGENERAL", tt.text)
		assert.Nil(t, ack.Payload, "%s: empty ack, then views.open", tt.name)
		v, ov := b.waitView(t, i+1)
		assert.Equal(t, "meet_invite_modal", ov.CallbackID)
		assert.NotEmpty(t, v.TriggerID, "%s: opened with the command's trigger", tt.name)
		gotID, _ := ov.element("meeting_block")
		_, gotUsers := ov.element("invitees_block")
		assert.Equal(t, tt.wantID, gotID, tt.name)
		assert.Equal(t, tt.wantUsers, gotUsers, tt.name)
		assert.Contains(t, ov.PrivateMetadata, "CGENERAL", "the channel travels with the form")
	}
	assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite))
}

func TestModalSubmissionIsValidated(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("INVITE_MAX_PEOPLE", "2"))
	b.command(t, "CGENERAL", "")
	v, _ := b.waitView(t, 1)

	tests := []struct {
		name      string
		values    map[string]map[string]any
		wantBlock string
		wantText  string
	}{
		{name: "no meeting chosen", values: formValues(noMeeting, []string{"UALICE"}, false, ""), wantBlock: "meeting_block", wantText: "Choose a meeting"},
		{name: "nobody chosen", values: formValues(b.pick(t, v.ID, running), nil, false, ""), wantBlock: "invitees_block", wantText: "Choose at least one person"},
		{name: "too many people", values: formValues(b.pick(t, v.ID, running), []string{"UALICE", "UBOB", "UDAVE"}, false, ""), wantBlock: "invitees_block", wantText: "at most 2 people"},
		{name: "too many with the host of a meeting started", values: formValues(b.pick(t, v.ID, ""), []string{"UALICE", "UBOB"}, false, ""), wantBlock: "invitees_block", wantText: "Choose at most 1 person: you're called in too, as host (you chose 2)."},
	}
	for _, tt := range tests {
		ack := b.submit(t, v.ID, tt.values)
		var resp struct {
			ResponseAction string            `json:"response_action"`
			Errors         map[string]string `json:"errors"`
		}
		require.NoError(t, json.Unmarshal(ack.Payload, &resp), tt.name)
		assert.Equal(t, "errors", resp.ResponseAction, tt.name)
		assert.Contains(t, resp.Errors[tt.wantBlock], tt.wantText, tt.name)
		assert.Len(t, resp.Errors, 1, tt.name)
	}
	assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite), "nothing invited from an invalid form")
	assert.Empty(t, b.slack.Messages())
}

func TestModalSubmissionInvites(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.command(t, "CGENERAL", running)
	v, _ := b.waitView(t, 1)

	ack := b.submit(t, v.ID, formValues(b.pick(t, v.ID, " 914 083 136 "), []string{"UALICE", "UBOB"}, true, ""))
	assert.Nil(t, ack.Payload, "a valid form closes")

	msgs := b.waitMessages(t, 1)
	assert.Equal(t, "post", msgs[0].Kind)
	assert.Equal(t, "CGENERAL", msgs[0].Channel, "reported where the command was typed")
	invs := b.meet.Invitations(running)
	require.Len(t, invs, 1)
	require.Len(t, invs[0].Attendees, 2)
	for _, a := range invs[0].Attendees {
		require.NotNil(t, a.Role)
		assert.Equal(t, 1, *a.Role, "invited as hosts")
	}
}

func TestModalHostPassword(t *testing.T) {
	t.Parallel()
	b := startBot(t)

	// Without the password the bot cannot take control of this meeting.
	b.command(t, "CGENERAL", hidden+" <@UALICE>")
	msgs := b.waitMessages(t, 1)
	assert.Contains(t, msgs[0].Text, "I can't read the host password of meeting "+hidden)

	b.command(t, "CGENERAL", hidden)
	v, _ := b.waitView(t, 1)
	b.submit(t, v.ID, formValues(b.pick(t, v.ID, hidden), []string{"UALICE"}, false, hiddenPassword))
	msgs = b.waitMessages(t, 2)
	assert.Equal(t, "post", msgs[1].Kind)
	assert.Len(t, b.meet.Invitations(hidden), 1)
	// startBot's cleanup checks that the password appears in no log or message.
}

func TestGlobalShortcutReportsByDirectMessage(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, ack, err := b.slack.GlobalShortcut(ctx, "UCAROL", "meet_invite_global")
	require.NoError(t, err)
	assert.Nil(t, ack.Payload)
	v, _ := b.waitView(t, 1)

	b.submit(t, v.ID, formValues(b.pick(t, v.ID, running), []string{"UALICE"}, false, ""))
	msgs := b.waitMessages(t, 1)
	assert.Equal(t, "post", msgs[0].Kind)
	assert.True(t, strings.HasPrefix(msgs[0].Channel, "D"), "a direct message, got channel %q", msgs[0].Channel)
	assert.Equal(t, "UCAROL", msgs[0].User)
	assert.Len(t, b.meet.Invitations(running), 1)
}

func TestThreadShortcutPreselectsParticipants(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.slack.Thread("CGENERAL", "1700000000.000100", []slackfake.ThreadMessage{
		{User: "UALICE", Text: "shall we get on a call?", TS: "1700000000.000100"},
		{User: "UCAROL", Text: "yes", TS: "1700000001.000100"},
		{User: "UBOB", Text: "+1", TS: "1700000002.000100"},
		{User: "UALICE", Text: "914083136", TS: "1700000003.000100"},
	})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, _, err := b.slack.MessageShortcut(ctx, "UCAROL", "CGENERAL", "meet_invite_thread", "1700000002.000100")
	require.NoError(t, err)

	v, ov := b.waitView(t, 1)
	_, users := ov.element("invitees_block")
	assert.Equal(t, []string{"UALICE", "UBOB"}, users, "thread participants, without the invoker")
	assert.Equal(t, 1, b.slack.Calls("conversations.replies"))

	b.submit(t, v.ID, formValues(b.pick(t, v.ID, running), users, false, ""))
	msgs := b.waitMessages(t, 1)
	assert.Equal(t, "CGENERAL", msgs[0].Channel)
	assert.Len(t, b.meet.Invitations(running)[0].Attendees, 2)
}

// Where the bot is not in the channel it cannot read the thread; the form
// still has the people the message itself shows (its author and, on a
// thread's parent, who replied), and the user is told how to get the rest.
func TestThreadShortcutWhereTheBotIsNotInTheChannel(t *testing.T) {
	t.Parallel()
	b := startBot(t, withSlack(func(c *slackfake.Config) {
		c.Channels = append(c.Channels, slackfake.Channel{ID: "CPUBLIC", Name: "public", Members: []string{"UCAROL", "UALICE", "UBOB", "UDAVE"}})
	}))
	b.slack.Thread("CPUBLIC", "1700000000.000100", []slackfake.ThreadMessage{
		{User: "UALICE", Text: "shall we get on a call?", TS: "1700000000.000100"},
		{User: "UCAROL", Text: "yes", TS: "1700000001.000100"},
		{User: "UBOB", Text: "+1", TS: "1700000002.000100"},
		{User: "UDAVE", Text: "me too", TS: "1700000003.000100"},
	})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	// On the parent: its author and everyone who replied.
	_, _, err := b.slack.MessageShortcut(ctx, "UCAROL", "CPUBLIC", "meet_invite_thread", "1700000000.000100")
	require.NoError(t, err)
	_, ov := b.waitView(t, 1)
	_, users := ov.element("invitees_block")
	assert.Equal(t, []string{"UALICE", "UBOB", "UDAVE"}, users, "the people the message shows, without the invoker")
	hint := b.waitMessages(t, 1)[0]
	assert.Equal(t, "ephemeral", hint.ResponseType, "told privately")
	assert.Contains(t, hint.Text, "Add me with `/invite @meet-invite`")

	// On a reply: its author and the thread's parent author.
	_, _, err = b.slack.MessageShortcut(ctx, "UCAROL", "CPUBLIC", "meet_invite_thread", "1700000002.000100")
	require.NoError(t, err)
	_, ov = b.waitView(t, 2)
	_, users = ov.element("invitees_block")
	assert.Equal(t, []string{"UBOB", "UALICE"}, users)
}

func TestTryAgainOnceTheMeetingStarts(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.command(t, "CGENERAL", notStarted+" <@UALICE> <@UBOB>")
	msgs := b.waitMessages(t, 1)
	assert.Contains(t, msgs[0].Text, "hasn't started yet")
	assert.Contains(t, blocksText(t, msgs[0].Blocks), "Try again")
	assert.Empty(t, b.meet.Invitations(notStarted))

	b.meet.SetState(notStarted, meetingfake.StateCreated)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, ack, err := b.slack.ClickButton(ctx, slackfake.Click{
		UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "retry_invite",
	})
	require.NoError(t, err)
	assert.Nil(t, ack.Payload)

	msgs = b.waitMessages(t, 2)
	assert.Equal(t, "post", msgs[1].Kind)
	assert.Contains(t, msgs[1].Text, "2 people")
	require.Len(t, b.meet.Invitations(notStarted), 1)
	assert.Len(t, b.meet.Invitations(notStarted)[0].Attendees, 2)
}
