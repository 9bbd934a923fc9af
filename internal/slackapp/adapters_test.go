package slackapp_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackapp"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// ackText is the text of an ephemeral ack.
func ackText(t *testing.T, ack slackfake.Ack) string {
	t.Helper()
	var p struct {
		Text string `json:"text"`
	}
	require.NoError(t, json.Unmarshal(ack.Payload, &p))
	return p.Text
}

// Help, bad input and a refused channel are answered in the ack itself, and
// nothing else happens.
func TestTheCommandAnswersSomeThingsInItsAck(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{Policy: commands.Policy{DeniedChannels: []string{"CCROWD"}}})
	for _, tt := range []struct{ channel, text, want string }{
		{"CGENERAL", "help", "pulls colleagues into a Huawei Cloud Meeting"},
		{"CGENERAL", running + " bogus", "I don't understand `bogus`."},
		{"CCROWD", running + " <@UCROWD0001>", "aren't enabled in this channel"},
	} {
		_, ack, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: tt.channel, Text: tt.text})
		require.NoError(t, err)
		assert.Contains(t, ackText(t, ack), tt.want, tt.text)
	}
	assert.Empty(t, a.slack.Messages(), "nothing but the acks")
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointInvite))
}

// interpreter reads every text as one fixed request, as a model might.
type interpreter struct{ req commands.Request }

func (i interpreter) Interpret(context.Context, string) (commands.Request, error) { return i.req, nil }

// Plain words always get the card, however few people they name, and the
// card's Invite runs exactly what it showed.
func TestPlainWordsAreAlwaysConfirmed(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{ConfirmAbove: 10, Interpreter: interpreter{commands.Request{
		ConferenceID: running, UserIDs: []string{"UCROWD0001"},
	}}})
	text := "please ring <@UCROWD0001> into " + running
	_, ack, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: text})
	require.NoError(t, err)
	assert.Contains(t, ackText(t, ack), "Let me read that")

	card := a.waitMessages(t, 1)[0]
	assert.Contains(t, card.Text, "Invite <@UCROWD0001> to meeting "+running+" (1 person)?")
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointInvite), "one person, yet nobody is called before Invite")

	_, _, err = a.slack.ClickButton(t.Context(), slackfake.Click{UserID: "UCAROL", ChannelID: card.Channel, ActionID: "confirm_invite", MessageTS: card.TS})
	require.NoError(t, err)
	msgs := a.waitMessages(t, 3)
	assert.Equal(t, "post", msgs[2].Kind)
	require.Len(t, a.meet.Invitations(running), 1)
	assert.Len(t, a.meet.Invitations(running)[0].Attendees, 1)
}

// Someone else pressing the card's Invite runs nothing: the card stays its
// invoker's.
func TestACardIsItsInvokers(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{ConfirmAbove: 10, MaxPeople: 50})
	_, _, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: running + " <!subteam^SCROWD|@crowd>"})
	require.NoError(t, err)
	card := a.waitMessages(t, 1)[0]

	_, _, err = a.slack.ClickButton(t.Context(), slackfake.Click{UserID: "UCROWD0001", ChannelID: card.Channel, ActionID: "confirm_invite", MessageTS: card.TS})
	require.NoError(t, err)
	gone := a.waitMessages(t, 2)[1]
	assert.Contains(t, gone.Text, "expired or was already answered")

	_, _, err = a.slack.ClickButton(t.Context(), slackfake.Click{UserID: "UCAROL", ChannelID: card.Channel, ActionID: "confirm_invite", MessageTS: card.TS})
	require.NoError(t, err)
	msgs := a.waitMessages(t, 4)
	assert.Equal(t, "post", msgs[3].Kind, "Carol's press still runs it")
	require.Len(t, a.meet.Invitations(running), 1)
}

// A request that reaches nobody (a channel of only the invoker) still ends
// with one outcome, and asks nothing of Huawei.
func TestNobodyToInviteIsSaid(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{ConfirmAbove: 10, MaxPeople: 50})
	_, _, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: running + " <#CGENERAL|general>"})
	require.NoError(t, err)
	note := a.waitMessages(t, 1)[0]
	assert.Contains(t, note.Text, "There was nobody to invite to meeting "+running)
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointConfDetail), "nothing asked of Huawei")
}

// Commands beyond the free slots are told in their acks that they are
// queued, however fast they come (the work of those before them has not
// started yet), and get no note of it later: at a burst, hundreds of
// messages fewer.
func TestCommandsBeyondTheSlotsAreToldQueuedInTheirAcks(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{MaxConcurrent: 1, QueuedAfter: time.Millisecond})
	a.meet.FailNext(meetingfake.EndpointInvite, meetingfake.Failure{Delay: 300 * time.Millisecond}) // the first holds its slot a while
	invokers := []string{"UCAROL", "UCROWD0011", "UCROWD0012"}
	var acks []string
	for i, who := range []string{"UCROWD0001", "UCROWD0002", "UCROWD0003"} {
		_, ack, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: invokers[i], ChannelID: "CGENERAL", Text: running + " <@" + who + ">"})
		require.NoError(t, err)
		acks = append(acks, ackText(t, ack))
	}
	assert.NotContains(t, acks[0], "queued")
	assert.Contains(t, acks[1], "yours is queued")
	assert.Contains(t, acks[2], "yours is queued")

	posts := func() (n int) {
		for _, m := range a.slack.Messages() {
			if m.Kind == "post" {
				n++
			}
		}
		return n
	}
	require.Eventually(t, func() bool { return posts() == 3 }, 10*time.Second, 5*time.Millisecond, "each ends with its outcome")
	assert.Len(t, a.meet.Invitations(running), 3)
	// A note would have gone 1 ms after its request queued, long before
	// the posts. The first may get one: the work of all three starts at
	// once, and the others may take the slot before it.
	for _, m := range a.slack.Messages() {
		if m.Kind != "post" {
			assert.Equal(t, invokers[0], m.User, "only a request not told in its ack is told later: %s", m.Text)
			assert.Contains(t, m.Text, "yours is queued")
		}
	}
}
