package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

// A meeting can be named by its guest link; its host link, which carries
// host rights, is refused once the bot has read the meeting, and nobody is
// called.
func TestAMeetingCanBeNamedByItsLinkButNotTheHostLink(t *testing.T) {
	t.Parallel()
	b := startBot(t)

	b.command(t, "CGENERAL", "<"+b.meet.JoinLink(running, false)+"> <@UBOB>")
	assert.Equal(t, "post", b.waitMessages(t, 1)[0].Kind, "the guest link names the meeting")

	b.command(t, "CGENERAL", "<"+b.meet.JoinLink(running, true)+"> <@UALICE>")
	note := b.waitMessages(t, 2)[1]
	assert.NotEqual(t, "post", note.Kind)
	assert.Contains(t, note.Text, "host")
	assert.Len(t, b.meet.Invitations(running), 1, "Alice is not called through the host link")
	assert.Equal(t, 1, b.meet.Calls(meetingfake.EndpointInvite))
}
