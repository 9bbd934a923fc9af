package meeting_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

func TestPrepare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		state        string
		chair        string // chair entry in passwordEntry; "" = none
		detailCode   string // confDetail fails with this code
		hostPassword string // argument to Prepare
		serverPW     string // the password the control-token endpoint accepts
		tokenCode    string // control-token endpoint fails with this code
		wantErr      error
		wantPWs      []string // X-Password of each control-token call
	}{
		{name: "chair password from passwordEntry", state: "Created", chair: chairPW, serverPW: chairPW,
			wantPWs: []string{chairPW}},
		{name: "explicit host password wins", state: "Created", chair: chairPW, hostPassword: typedPW, serverPW: typedPW,
			wantPWs: []string{typedPW}},
		{name: "explicit host password when there is no chair entry", state: "Created", hostPassword: typedPW,
			serverPW: typedPW, wantPWs: []string{typedPW}},
		{name: "no host password", state: "Created", wantErr: meeting.ErrNoHostPassword},
		{name: "masked chair password counts as none", state: "Created", chair: "******", wantErr: meeting.ErrNoHostPassword},
		{name: "scheduled", state: "Schedule", chair: chairPW, wantErr: meeting.ErrNotStarted},
		{name: "starting", state: "Creating", chair: chairPW, wantErr: meeting.ErrStarting},
		{name: "ended", state: "Destroyed", chair: chairPW, wantErr: meeting.ErrEnded},
		{name: "unknown conference", detailCode: "MMC.111070005", wantErr: meeting.ErrNotFound},
		{name: "host password rejected: one attempt", state: "Created", chair: chairPW, serverPW: "other",
			wantErr: meeting.ErrHostAuth, wantPWs: []string{chairPW}},
		{name: "control login locked", state: "Created", chair: chairPW, tokenCode: "MMC.111072064",
			wantErr: meeting.ErrControlLocked, wantPWs: []string{chairPW}},
		{name: "not started says the token call", state: "Created", chair: chairPW, tokenCode: "MMC.111072005",
			wantErr: meeting.ErrNotStarted, wantPWs: []string{chairPW}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mux, c := setup(t, appCreds)
			handleAuth(t, mux, time.Now, 24*time.Hour)
			mux.HandleFunc("GET /api/v1/mmc/management/conferences/confDetail", func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, "conferenceID="+confID, r.URL.RawQuery)
				assert.Equal(t, "tok-1", r.Header.Get("X-Access-Token"))
				if tt.detailCode != "" {
					writeError(w, http.StatusBadRequest, tt.detailCode)
					return
				}
				writeJSON(w, http.StatusOK, detailBody(tt.state, tt.chair))
			})
			mux.HandleFunc("GET /api/v1/mmc/management/conferences/online", func(w http.ResponseWriter, r *http.Request) {
				// Not a fixed room ID either: no running meeting has it.
				assert.Equal(t, confID, r.URL.Query().Get("searchKey"))
				writeJSON(w, http.StatusOK, map[string]any{"offset": 0, "limit": 500, "count": 0, "data": []any{}})
			})
			var (
				mu     sync.Mutex
				gotPWs []string
			)
			mux.HandleFunc("GET /api/v1/mmc/control/conferences/token", func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				gotPWs = append(gotPWs, r.Header.Get("X-Password"))
				mu.Unlock()
				assert.Equal(t, "conferenceID="+confID, r.URL.RawQuery)
				assert.Equal(t, "1", r.Header.Get("X-Login-Type"))
				switch {
				case tt.tokenCode != "":
					writeError(w, http.StatusBadRequest, tt.tokenCode)
				case r.Header.Get("X-Password") != tt.serverPW:
					writeError(w, http.StatusBadRequest, "MMC.111072065")
				default:
					writeJSON(w, http.StatusOK, controlTokenBody("ctl-1", time.Now().Add(30*time.Minute), 1800))
				}
			})

			conf, err := c.Prepare(t.Context(), confID, tt.hostPassword)
			mu.Lock()
			assert.Equal(t, tt.wantPWs, gotPWs, "X-Password of each control-token call")
			mu.Unlock()
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, meeting.Conference{}, conf)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, meeting.Conference{
				ID:           confID,
				DisplayID:    confID,
				Subject:      "Weekly sync",
				State:        meeting.StateCreated,
				StartTime:    "2026-03-01 09:00",
				EndTime:      "2026-03-01 10:00",
				GuestJoinURI: guestURI,
			}, conf)
		})
	}
}

func TestPrepareCachesControlToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		expireIn time.Duration // expireTime (ms) in the response, from now
		lifetime int           // confTokenExpireTime (s)
	}{
		// Either way the token expires in 10 minutes and is used for 8.
		{name: "expireTime comes first", expireIn: 10 * time.Minute, lifetime: 1800},
		{name: "confTokenExpireTime comes first", expireIn: 30 * time.Minute, lifetime: 600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			mux, c := setup(t, appCreds, meeting.WithClock(clk.Now))
			handleAuth(t, mux, clk.Now, 24*time.Hour)
			details := handleDetail(t, mux, "Created", chairPW)
			var tokens atomic.Int32
			mux.HandleFunc("GET /api/v1/mmc/control/conferences/token", func(w http.ResponseWriter, r *http.Request) {
				tokens.Add(1)
				writeJSON(w, http.StatusOK, controlTokenBody("ctl", clk.Now().Add(tt.expireIn), tt.lifetime))
			})

			steps := []struct {
				advance    time.Duration
				wantTokens int32
			}{
				{advance: 0, wantTokens: 1},
				{advance: 7*time.Minute + 59*time.Second, wantTokens: 1},
				{advance: 2 * time.Second, wantTokens: 2}, // 8m01s: less than 2 min left
				{advance: time.Minute, wantTokens: 2},
			}
			for i, s := range steps {
				clk.Advance(s.advance)
				conf, err := c.Prepare(t.Context(), confID, "")
				require.NoError(t, err, "step %d", i)
				assert.Equal(t, confID, conf.ID, "step %d", i)
				assert.Equal(t, s.wantTokens, tokens.Load(), "step %d: control-token calls", i)
				assert.Equal(t, s.wantTokens, details.Load(), "step %d: the details are cached with the token", i)
			}
		})
	}
}

func TestPrepareConcurrentCallersShareOneAttempt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		serverPW string
		wantErr  error
	}{
		{name: "success", serverPW: chairPW},
		{name: "wrong password is tried once for all", serverPW: "other", wantErr: meeting.ErrHostAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mux, c := setup(t, appCreds)
			handleAuth(t, mux, time.Now, 24*time.Hour)
			details := handleDetail(t, mux, "Created", chairPW)
			release := make(chan struct{})
			var tokens atomic.Int32
			mux.HandleFunc("GET /api/v1/mmc/control/conferences/token", func(w http.ResponseWriter, r *http.Request) {
				tokens.Add(1)
				<-release
				if r.Header.Get("X-Password") != tt.serverPW {
					writeError(w, http.StatusBadRequest, "MMC.111072065")
					return
				}
				writeJSON(w, http.StatusOK, controlTokenBody("ctl-1", time.Now().Add(30*time.Minute), 1800))
			})

			const callers = 10
			errs := make(chan error, callers)
			for range callers {
				go func() {
					_, err := c.Prepare(t.Context(), confID, "")
					errs <- err
				}()
			}
			require.Eventually(t, func() bool { return tokens.Load() == 1 }, 5*time.Second, time.Millisecond)
			time.Sleep(50 * time.Millisecond) // let the other callers queue behind the first
			close(release)
			for range callers {
				err := <-errs
				if tt.wantErr != nil {
					require.ErrorIs(t, err, tt.wantErr)
				} else {
					require.NoError(t, err)
				}
			}
			assert.Equal(t, int32(1), tokens.Load())
			assert.Equal(t, int32(1), details.Load())
		})
	}
}

func TestControlTokenLowLevel(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds)
	mux.HandleFunc("GET /api/v1/mmc/control/conferences/token", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "conferenceID="+confID, r.URL.RawQuery)
		assert.Equal(t, chairPW, r.Header.Get("X-Password"))
		assert.Equal(t, "1", r.Header.Get("X-Login-Type"))
		assert.Empty(t, r.Header.Get("X-Access-Token"), "no access token needed")
		writeJSON(w, http.StatusOK, controlTokenBody("ctl-1", time.UnixMilli(1700000000000), 1800))
	})

	ct, err := c.ControlToken(t.Context(), confID, chairPW)
	require.NoError(t, err)
	assert.Equal(t, meeting.ControlToken{
		Data: meeting.ControlTokenData{
			Token: "ctl-1", TmpWsToken: "ws-ctl-1", WsURL: "wss://ws.example/control", Role: 1,
			ExpireTime: 1700000000000, ConfTokenExpireTime: 1800, UserID: "u-1", OrgID: "org-1",
		},
		AddressToken:   "addr",
		GlobalPublicIP: "203.0.113.1",
	}, *ct)

	_, err = c.ControlToken(t.Context(), confID, "")
	require.ErrorIs(t, err, meeting.ErrNoHostPassword, "nothing sent without a password")
}

func TestPrepareWaiterTakesOverWhenFirstCallerGivesUp(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds)
	handleAuth(t, mux, time.Now, 24*time.Hour)
	handleDetail(t, mux, "Created", chairPW)
	var tokens atomic.Int32
	mux.HandleFunc("GET /api/v1/mmc/control/conferences/token", func(w http.ResponseWriter, r *http.Request) {
		if tokens.Add(1) == 1 {
			<-r.Context().Done() // the first caller gives up while waiting
			return
		}
		writeJSON(w, http.StatusOK, controlTokenBody("ctl-2", time.Now().Add(30*time.Minute), 1800))
	})

	firstCtx, cancelFirst := context.WithCancel(t.Context())
	defer cancelFirst()
	firstErr := make(chan error, 1)
	go func() {
		_, err := c.Prepare(firstCtx, confID, "")
		firstErr <- err
	}()
	require.Eventually(t, func() bool { return tokens.Load() == 1 }, 5*time.Second, time.Millisecond)
	secondErr := make(chan error, 1)
	go func() {
		_, err := c.Prepare(t.Context(), confID, "")
		secondErr <- err
	}()
	time.Sleep(50 * time.Millisecond) // let the second caller queue behind the first
	cancelFirst()

	require.ErrorIs(t, <-firstErr, context.Canceled)
	require.NoError(t, <-secondErr, "the waiter does not inherit the first caller's cancellation")
	assert.Equal(t, int32(2), tokens.Load())
}

func TestEmptyConferenceIDSendsNothing(t *testing.T) {
	t.Parallel()
	_, c := setup(t, appCreds) // any request fails the test
	attendees := []meeting.Attendee{{Name: "Alice", Phone: "2001", Type: meeting.TypeNormal}}
	tests := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{name: "Prepare", call: func(ctx context.Context) error { _, err := c.Prepare(ctx, "", chairPW); return err }},
		{name: "Invite", call: func(ctx context.Context) error { _, err := c.Invite(ctx, "", attendees); return err }},
		{name: "ConferenceDetail", call: func(ctx context.Context) error { _, err := c.ConferenceDetail(ctx, ""); return err }},
		{name: "ControlToken", call: func(ctx context.Context) error { _, err := c.ControlToken(ctx, "", chairPW); return err }},
		{name: "InviteParticipants", call: func(ctx context.Context) error {
			return c.InviteParticipants(ctx, "ctl", meeting.InviteRequest{Attendees: attendees})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Error(t, tt.call(t.Context()))
		})
	}
}
