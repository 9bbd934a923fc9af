package commands_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// Rewatch follows a running meeting again; one whose live list is not
// known is asked about, and an answer that it ended is passed on, though
// the meeting's details are still cached.
func TestRewatchSaysWhenTheMeetingEnded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		pres      *presence
		wantErr   error
		wantAsked int
	}{
		{name: "followed live", pres: &presence{live: true}},
		{name: "not live, running", pres: &presence{}, wantAsked: 1},
		{name: "not live, asking fails", pres: &presence{err: fmt.Errorf("list: %w", meeting.ErrUnavailable)}, wantAsked: 1},
		{name: "not live, ended", pres: &presence{err: fmt.Errorf("list: %w", meeting.ErrEnded)}, wantErr: meeting.ErrEnded, wantAsked: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := presentInviter(newPeople(), newMeetings(), tt.pres, commands.Config{})
			err := in.Rewatch(t.Context(), "914083136", "")
			tt.pres.mu.Lock()
			defer tt.pres.mu.Unlock()
			assert.Len(t, tt.pres.asked, tt.wantAsked)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Empty(t, tt.pres.follows, "an ended meeting is not followed")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{"914083136"}, tt.pres.follows)
		})
	}
}
