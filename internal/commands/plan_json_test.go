package commands_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// A plan kept as JSON while its card waits (perhaps on another replica)
// invites exactly as the plan itself would: the channel's bot is still
// left out quietly, the unknown channel still said.
func TestPlanSurvivesJSON(t *testing.T) {
	t.Parallel()
	inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", ChannelIDs: []string{"CGEN", "CNONE"}}
	plan, err := newInviter(newPeople(), newMeetings(), commands.Config{}).Plan(t.Context(), inv)
	require.NoError(t, err)

	b, err := json.Marshal(plan)
	require.NoError(t, err)
	var back commands.Plan
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, plan.Count(), back.Count())

	want, err := newInviter(newPeople(), newMeetings(), commands.Config{}).InvitePlanned(t.Context(), inv, plan)
	require.NoError(t, err)
	got, err := newInviter(newPeople(), newMeetings(), commands.Config{}).InvitePlanned(t.Context(), inv, back)
	require.NoError(t, err)
	want.Holder, got.Holder = "", "" // made up per invitation
	want.SentAt = got.SentAt         // the clock moved on
	assert.Equal(t, want, got)
	for _, s := range got.Skipped {
		assert.NotEqual(t, "UROBOT", s.UserID, "the channel's bot is left out quietly")
	}
}
