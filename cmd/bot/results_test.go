package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// What Huawei says of a call that failed shows on the post at once: busy,
// declined, couldn't be called.
func TestThePostSaysHowFailedCallsEnded(t *testing.T) {
	t.Parallel()
	b := startBot(t, withSlack(func(c *slackfake.Config) {
		c.Users = append(c.Users,
			slackfake.User{ID: "UFRED", Name: "fred", RealName: "Fred Busy", Phone: "+44 20 7946 0111"},
			slackfake.User{ID: "UGWEN", Name: "gwen", RealName: "Gwen Declines", Phone: "+44 20 7946 0222"})
	}))
	b.meet.SetCallOutcome("+442079460111", meetingfake.CallBusy)
	b.meet.SetCallOutcome("+442079460222", meetingfake.CallDeclines)

	b.command(t, "CGENERAL", running+" <@UFRED> <@UGWEN>")
	post := b.waitMessages(t, 1)[0]
	require.Equal(t, "post", post.Kind)

	b.settle(t, "calls")
	var final slackfake.Message
	for _, m := range b.slack.Messages() {
		if m.Kind == "update" {
			final = m
		}
	}
	require.NotContains(t, blocksText(t, final.Blocks), "ringing", "the post is updated with both results")
	blocks := blocksText(t, final.Blocks)
	assert.Contains(t, blocks, ":x: <@UFRED> was busy")
	assert.Contains(t, blocks, ":no_entry_sign: <@UGWEN> declined")
	assert.Contains(t, final.Text, "1 busy, 1 declined")
	assert.Contains(t, blocks, "Call again", "Fred, who was busy, may be called again")

	var dms []string
	for _, m := range b.slack.Messages() {
		if m.Kind == "post" && m.User != "" {
			dms = append(dms, m.User)
		}
	}
	assert.Equal(t, []string{"UFRED"}, dms, "Fred hears of the call he missed; Gwen, who declined, does not")
}

// Without the organisation's PSTN permission Huawei takes the invite and
// the phone call fails: the invoker is told why, privately.
func TestAFailedPhoneCallWithoutPSTNReachesTheInvoker(t *testing.T) {
	t.Parallel()
	b := startBot(t, withMeeting(func(c *meetingfake.Config) { c.PSTNEnabled = false }))

	b.command(t, "CGENERAL", running+" <@UBOB>")
	require.Equal(t, "post", b.waitMessages(t, 1)[0].Kind)
	b.settle(t, "calls")

	var note, update slackfake.Message
	for _, m := range b.slack.Messages() {
		switch m.Kind {
		case "ephemeral":
			note = m
		case "update":
			update = m
		}
	}
	assert.Contains(t, blocksText(t, update.Blocks), ":x: <@UBOB> couldn't be called: phone calls aren't enabled")
	assert.Equal(t, "UCAROL", note.User, "only Carol sees it")
	assert.Contains(t, note.Text, "The phone call to <@UBOB> failed: calling phone numbers isn't enabled for your organisation's Huawei Cloud Meeting.")
	assert.NotContains(t, b.logs.String(), "+442079460000")
}

// Someone with only an email is never sent to Huawei (it needs a phone and
// notifies nobody invited during a meeting): they get the join link in a
// direct message, and the post says so.
func TestEmailOnlyPeopleGetTheJoinLink(t *testing.T) {
	t.Parallel()
	b := startBot(t, withSlack(func(c *slackfake.Config) {
		c.Users = append(c.Users, slackfake.User{ID: "UHAL", Name: "hal", RealName: "Hal Email", Email: "hal@example.com"})
	}))

	b.command(t, "CGENERAL", running+" <@UHAL> <@UBOB>")
	msgs := b.waitMessages(t, 2)
	dm, post := msgs[0], msgs[1]
	assert.Equal(t, "UHAL", dm.User, "a direct message to Hal")
	assert.Contains(t, dm.Text, "<@UCAROL> is bringing people into Weekly sync (meeting "+running+"). Huawei can't ring you")
	assert.Contains(t, string(dm.Blocks), `"url":"https://c.meeting.huaweicloud.com/#/j/`+running+`/`)
	assert.Contains(t, blocksText(t, post.Blocks), "Calling now: <@UBOB>. Sent <@UHAL> the join link.")

	require.Len(t, b.meet.Invitations(running), 1)
	atts := b.meet.Invitations(running)[0].Attendees
	require.Len(t, atts, 1, "only Bob reaches Huawei")
	assert.Equal(t, "+442079460000", atts[0].Phone)
}
