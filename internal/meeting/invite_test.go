package meeting_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

const invitePath = "POST /api/v1/mmc/control/conferences/participants"

func TestInvite(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds)
	handleAuth(t, mux, time.Now, 24*time.Hour)
	handleDetail(t, mux, "Created", chairPW)
	control := handleControlToken(t, mux, time.Now, chairPW)
	var invites atomic.Int32
	mux.HandleFunc(invitePath, func(w http.ResponseWriter, r *http.Request) {
		invites.Add(1)
		assert.Equal(t, "conferenceID="+confID, r.URL.RawQuery)
		assert.Equal(t, "ctl-1", r.Header.Get("X-Conference-Authorization"))
		assert.Equal(t, "application/json; charset=UTF-8", r.Header.Get("Content-Type"))
		assert.NotEmpty(t, r.Header.Get("X-Request-Id"))
		assert.Equal(t, map[string]any{"attendees": []any{
			// Optional fields left empty are absent; role and type are always sent.
			map[string]any{"name": "Alice", "role": json.Number("0"), "phone": "+99111244216210249", "type": "normal"},
			map[string]any{
				"userUUID": "uuid-b", "accountId": "acct-b", "name": "Bob", "role": json.Number("1"),
				"phone": "+8613800000000", "phone2": "2001", "phone3": "bob@sip.example.com",
				"email": "bob@example.com", "sms": "+8613800000001", "type": "mobile",
				"deptUUID": "dept-1", "deptName": "Sales",
			},
		}}, decodeBody(t, r))
		w.Header().Set("X-Request-Id", "hdr-request-id")
		w.WriteHeader(http.StatusOK)
	})

	_, err := c.Prepare(t.Context(), confID, "")
	require.NoError(t, err)
	_, err = c.Invite(t.Context(), confID, []meeting.Attendee{
		{Name: "Alice", Phone: "+99111244216210249", Type: meeting.TypeNormal},
		{
			UserUUID: "uuid-b", AccountID: "acct-b", Name: "Bob", Role: meeting.RoleHost,
			Phone: "+8613800000000", Phone2: "2001", Phone3: "bob@sip.example.com",
			Email: "bob@example.com", SMS: "+8613800000001", Type: meeting.TypeMobile,
			DeptUUID: "dept-1", DeptName: "Sales",
		},
	})
	require.NoError(t, err)
	assert.Equal(t, int32(1), invites.Load())
	assert.Equal(t, int32(1), control.calls.Load(), "the control token from Prepare is reused")
}

func TestInvitePreparesWhenNoTokenIsCached(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds)
	handleAuth(t, mux, time.Now, 24*time.Hour)
	details := handleDetail(t, mux, "Created", chairPW)
	control := handleControlToken(t, mux, time.Now, chairPW)
	mux.HandleFunc(invitePath, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "ctl-1", r.Header.Get("X-Conference-Authorization"))
	})

	_, err := c.Invite(t.Context(), confID, []meeting.Attendee{{Name: "Alice", Phone: "2001", Type: meeting.TypeNormal}})
	require.NoError(t, err)
	assert.Equal(t, int32(1), details.Load())
	assert.Equal(t, []string{chairPW}, control.Passwords())
}

func TestInviteRemembersHostPassword(t *testing.T) {
	t.Parallel()
	clk := newClock()
	mux, c := setup(t, appCreds, meeting.WithClock(clk.Now))
	handleAuth(t, mux, clk.Now, 24*time.Hour)
	handleDetail(t, mux, "Created", "") // the chair password is not readable
	control := handleControlToken(t, mux, clk.Now, typedPW)
	mux.HandleFunc(invitePath, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "ctl-2", r.Header.Get("X-Conference-Authorization"))
	})

	_, err := c.Prepare(t.Context(), confID, typedPW)
	require.NoError(t, err)
	clk.Advance(29 * time.Minute) // the control token has expired
	_, err = c.Invite(t.Context(), confID, []meeting.Attendee{{Name: "Alice", Phone: "2001", Type: meeting.TypeNormal}})
	require.NoError(t, err)
	assert.Equal(t, []string{typedPW, typedPW}, control.Passwords())
}

func TestInviteValidatesBeforeSending(t *testing.T) {
	t.Parallel()
	valid := meeting.Attendee{Name: "Alice", Phone: "+8613800000000", Type: meeting.TypeMobile}
	tests := []struct {
		name      string
		attendees []meeting.Attendee
		wantText  string
	}{
		{name: "no attendees", attendees: nil, wantText: "no attendees"},
		{name: "first invalid", attendees: []meeting.Attendee{{Phone: "2001", Type: meeting.TypeNormal}, valid},
			wantText: "attendees[0]: name"},
		{name: "second invalid", attendees: []meeting.Attendee{valid, {Name: "Bob", Phone: "+86 138", Type: meeting.TypeMobile}},
			wantText: "attendees[1]: phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, c := setup(t, appCreds) // any request fails the test

			_, err := c.Invite(t.Context(), confID, tt.attendees)
			require.ErrorIs(t, err, meeting.ErrInvalidAttendee)
			assert.Contains(t, err.Error(), tt.wantText)

			err = c.InviteParticipants(t.Context(), "ctl-1", meeting.InviteRequest{ConferenceID: confID, Attendees: tt.attendees})
			require.ErrorIs(t, err, meeting.ErrInvalidAttendee)
		})
	}
}

func TestInviteControlTokenRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		code        string
		rejectAll   bool // reject every control token, not just the first
		wantErr     error
		wantInvites int32
		wantTokens  int32
	}{
		{name: "401: new token and one retry", status: http.StatusUnauthorized, wantInvites: 2, wantTokens: 2},
		{name: "401 with USG.000000004", status: http.StatusUnauthorized, code: "USG.000000004", wantInvites: 2, wantTokens: 2},
		{name: "401 again: give up after one retry", status: http.StatusUnauthorized, rejectAll: true,
			wantErr: meeting.ErrUnauthorized, wantInvites: 2, wantTokens: 2},
		{name: "bad number: not retried", status: http.StatusBadRequest, code: "MMC.111072033", rejectAll: true,
			wantErr: meeting.ErrBadInvitee, wantInvites: 1, wantTokens: 1},
		{name: "ended: not retried", status: http.StatusBadRequest, code: "MMC.111072006", rejectAll: true,
			wantErr: meeting.ErrEnded, wantInvites: 1, wantTokens: 1},
		{name: "server error: not retried", status: http.StatusInternalServerError, rejectAll: true,
			wantErr: meeting.ErrUnavailable, wantInvites: 1, wantTokens: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mux, c := setup(t, appCreds)
			handleAuth(t, mux, time.Now, 24*time.Hour)
			handleDetail(t, mux, "Created", chairPW)
			control := handleControlToken(t, mux, time.Now, chairPW)
			var (
				mu   sync.Mutex
				used []string
			)
			mux.HandleFunc(invitePath, func(w http.ResponseWriter, r *http.Request) {
				tok := r.Header.Get("X-Conference-Authorization")
				mu.Lock()
				used = append(used, tok)
				mu.Unlock()
				if !tt.rejectAll && tok != "ctl-1" {
					return // 200
				}
				if tt.code == "" {
					w.WriteHeader(tt.status)
					return
				}
				writeError(w, tt.status, tt.code)
			})

			_, err := c.Invite(t.Context(), confID, []meeting.Attendee{{Name: "Alice", Phone: "2001", Type: meeting.TypeNormal}})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			mu.Lock()
			defer mu.Unlock()
			assert.Len(t, used, int(tt.wantInvites), "invite calls")
			if tt.wantInvites == 2 {
				assert.Equal(t, []string{"ctl-1", "ctl-2"}, used)
			}
			assert.Equal(t, tt.wantTokens, control.calls.Load(), "control-token calls")
		})
	}
}

func TestInviteParticipantsLowLevel(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds) // no authentication or control-token handlers: none must be called
	mux.HandleFunc(invitePath, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "conferenceID="+confID, r.URL.RawQuery)
		assert.Equal(t, "given-token", r.Header.Get("X-Conference-Authorization"))
		assert.Empty(t, r.Header.Get("X-Access-Token"))
		writeError(w, http.StatusBadRequest, "MMC.111072050")
	})

	err := c.InviteParticipants(t.Context(), "given-token", meeting.InviteRequest{
		ConferenceID: confID,
		Attendees:    []meeting.Attendee{{Name: "Alice", Phone: "2001", Type: meeting.TypeNormal}},
	})
	require.ErrorIs(t, err, meeting.ErrMeetingLocked)
	var apiErr *meeting.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "MMC.111072050", apiErr.Code)
	assert.Equal(t, "req-MMC.111072050", apiErr.RequestID)
}
