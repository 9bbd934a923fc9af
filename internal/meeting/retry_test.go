package meeting_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// Reads are safe to repeat: a busy (429) or failing (5xx) service gets one
// more try after Retry-After. The invite is not: it is never repeated.
func TestBusyServiceRetriedOnceForReads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		failures  int
		status    int
		wantCalls int32
		wantErr   error
	}{
		{name: "rate limited once", failures: 1, status: http.StatusTooManyRequests, wantCalls: 2},
		{name: "server fault once", failures: 1, status: http.StatusBadGateway, wantCalls: 2},
		{name: "rate limited twice: give up", failures: 2, status: http.StatusTooManyRequests, wantCalls: 2, wantErr: meeting.ErrRateLimited},
		{name: "client error: no retry", failures: 1, status: http.StatusBadRequest, wantCalls: 1, wantErr: meeting.ErrNoDirectoryMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mux, c := setup(t, appCreds)
			handleAuth(t, mux, time.Now, 24*time.Hour)
			var calls atomic.Int32
			mux.HandleFunc("GET /api/v1/usg/abs/users", func(w http.ResponseWriter, r *http.Request) {
				if int(calls.Add(1)) <= tt.failures {
					w.Header().Set("Retry-After", "0")
					writeError(w, tt.status, "")
					return
				}
				writeJSON(w, http.StatusOK, map[string]any{"offset": 0, "limit": 10, "count": 0, "data": []any{}})
			})

			_, err := c.FindUserByEmail(t.Context(), "alice@example.com")

			if tt.wantErr == nil {
				tt.wantErr = meeting.ErrNoDirectoryMatch // the empty answer after the retry
			}
			if tt.status == http.StatusBadRequest {
				var apiErr *meeting.APIError
				require.ErrorAs(t, err, &apiErr)
			} else {
				require.ErrorIs(t, err, tt.wantErr)
			}
			assert.Equal(t, tt.wantCalls, calls.Load())
		})
	}
}

func TestInviteIsNeverRepeatedWhenBusy(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds)
	var calls atomic.Int32
	mux.HandleFunc("POST /api/v1/mmc/control/conferences/participants", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "0")
		writeError(w, http.StatusTooManyRequests, "")
	})
	err := c.InviteParticipants(t.Context(), "ctl", meeting.InviteRequest{
		ConferenceID: confID, Attendees: []meeting.Attendee{{Name: "Bob", Phone: "+442079460000", Type: meeting.TypeMobile}},
	})
	require.ErrorIs(t, err, meeting.ErrRateLimited)
	assert.Equal(t, int32(1), calls.Load())
}
