package commands_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

func TestPresentSaysWhoIsInTheMeeting(t *testing.T) {
	t.Parallel()
	pres := &presence{}
	in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
	rep := mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "UBOB"}})
	require.Len(t, rep.Invited, 2)

	_, live := in.Present("914083136", rep.Invited)
	assert.False(t, live, "nothing is said while the list is not live")

	pres.set(true,
		meeting.Participant{ID: "p1", Name: "Alice", Number: aliceSI.Number, State: meeting.InMeeting},
		meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled})
	present, live := in.Present("914083136", rep.Invited)
	require.True(t, live)
	assert.Equal(t, []bool{true, false}, present, "Alice joined; Bob is only ringing")

	pres.set(true, meeting.Participant{ID: "p3", Name: "Bob", Number: "+44 20 7946 0000", State: meeting.InMeeting})
	present, _ = in.Present("914083136", rep.Invited)
	assert.Equal(t, []bool{false, true}, present, "Alice left; Bob joined, known by his number however written")
	assert.Contains(t, pres.follows, "914083136", "asking keeps the meeting followed")
}
