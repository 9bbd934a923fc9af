package meeting_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

func TestOnlineParticipants(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds)
	handleAuth(t, mux, time.Now, 24*time.Hour)
	mux.HandleFunc("GET /api/v1/mmc/management/conferences/online/conf-attendee", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "tok-1", r.Header.Get("X-Access-Token"))
		q := r.URL.Query()
		assert.Equal(t, confID, q.Get("conf_id"), "snake_case, as documented")
		assert.Equal(t, "0", q.Get("offset"))
		assert.Equal(t, "500", q.Get("limit"))
		writeJSON(w, http.StatusOK, map[string]any{
			"offset": 0, "limit": 500, "count": 2,
			"data": []map[string]any{
				{"participant_id": "p-1", "name": "Alice", "call_number": "+99111244216210249", "role": 1, "account": "alice", "user_id": "u1"},
				{"participant_id": "p-2", "name": "Bob", "call_number": "+442079460000", "role": 0},
			},
		})
	})

	ps, err := c.OnlineParticipants(context.Background(), confID)

	require.NoError(t, err)
	assert.Equal(t, []meeting.Participant{
		{ID: "p-1", Name: "Alice", Number: "+99111244216210249", State: meeting.Online},
		{ID: "p-2", Name: "Bob", Number: "+442079460000", State: meeting.Online},
	}, ps)
}

func TestOnlineParticipantsReadsEveryPage(t *testing.T) {
	t.Parallel()
	const total = 1203
	mux, c := setup(t, appCreds)
	handleAuth(t, mux, time.Now, 24*time.Hour)
	var (
		mu      sync.Mutex
		offsets []string
	)
	mux.HandleFunc("GET /api/v1/mmc/management/conferences/online/conf-attendee", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		mu.Lock()
		offsets = append(offsets, q.Get("offset"))
		mu.Unlock()
		off, _ := strconv.Atoi(q.Get("offset"))
		lim, _ := strconv.Atoi(q.Get("limit"))
		var data []map[string]any
		for i := off; i < min(off+lim, total); i++ {
			data = append(data, map[string]any{"participant_id": fmt.Sprintf("p-%d", i), "call_number": fmt.Sprintf("+100%d", i)})
		}
		writeJSON(w, http.StatusOK, map[string]any{"offset": off, "limit": lim, "count": total, "data": data})
	})

	ps, err := c.OnlineParticipants(context.Background(), confID)

	require.NoError(t, err)
	assert.Len(t, ps, total)
	assert.Equal(t, "p-1202", ps[total-1].ID)
	assert.Equal(t, []string{"0", "500", "1000"}, offsets)
}

func TestOnlineParticipantsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want error
	}{
		{"MMC.111072005", meeting.ErrNotStarted},
		{"MMC.111072006", meeting.ErrEnded},
		{"MMC.111070005", meeting.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			mux, c := setup(t, appCreds)
			handleAuth(t, mux, time.Now, 24*time.Hour)
			mux.HandleFunc("GET /api/v1/mmc/management/conferences/online/conf-attendee", func(w http.ResponseWriter, r *http.Request) {
				writeError(w, http.StatusBadRequest, tt.code)
			})

			ps, err := c.OnlineParticipants(context.Background(), confID)

			require.ErrorIs(t, err, tt.want)
			assert.Nil(t, ps)
			assert.Contains(t, err.Error(), confID)
		})
	}
}

func TestOnlineParticipantsNeedsAConferenceID(t *testing.T) {
	t.Parallel()
	_, c := setup(t, appCreds) // any request fails the test

	_, err := c.OnlineParticipants(context.Background(), "")

	require.Error(t, err)
}

func TestPresenceSharesOneListingAmongConcurrentAsks(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds)
	handleAuth(t, mux, time.Now, 24*time.Hour)
	var calls atomic.Int32
	release := make(chan struct{})
	mux.HandleFunc("GET /api/v1/mmc/management/conferences/online/conf-attendee", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-release
		writeJSON(w, http.StatusOK, map[string]any{"offset": 0, "limit": 500, "count": 1,
			"data": []map[string]any{{"participant_id": "p-1", "name": "Alice", "call_number": "+99111244216210249"}}})
	})
	p := meeting.NewPresence(c, 0)
	t.Cleanup(p.Close)
	require.NoError(t, c.SignIn(context.Background()))

	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			ps, err := p.Participants(context.Background(), confID)
			assert.NoError(t, err)
			assert.Len(t, ps, 1)
		})
	}
	require.Eventually(t, func() bool { return calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond) // the others are waiting by now
	close(release)
	wg.Wait()

	assert.Equal(t, int32(1), calls.Load(), "five invitations, one listing")
}
