package meetingfake_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

func TestConfDetail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		conference  meetingfake.Conference
		query       string
		wantStatus  int
		wantCode    string
		wantState   string
		wantEntries []any
	}{
		{
			name:       "running meeting with plain passwords",
			conference: meetingfake.Conference{ID: "900825541", Subject: "Plan", ChairPassword: "c-1", GuestPassword: "g-1"},
			query:      "900825541", wantStatus: http.StatusOK, wantState: "Created",
			wantEntries: []any{
				map[string]any{"conferenceRole": "chair", "password": "c-1"},
				map[string]any{"conferenceRole": "general", "password": "g-1"},
			},
		},
		{
			name: "a guest's view has no chair entry",
			conference: meetingfake.Conference{ID: "900825541", ChairPassword: "c-1", GuestPassword: "g-1",
				HidePasswords: true, State: "Schedule"},
			query: "900825541", wantStatus: http.StatusOK, wantState: "Schedule",
			wantEntries: []any{
				map[string]any{"conferenceRole": "general", "password": "g-1"},
			},
		},
		{
			name:       "chair entry only",
			conference: meetingfake.Conference{ID: "900825541", ChairPassword: "c-1", State: "Destroyed"},
			query:      "900825541", wantStatus: http.StatusOK, wantState: "Destroyed",
			wantEntries: []any{map[string]any{"conferenceRole": "chair", "password": "c-1"}},
		},
		{name: "unknown meeting", query: "111111111", wantStatus: 400, wantCode: "MMC.111070005"},
		{name: "missing conferenceID", query: "", wantStatus: 400, wantCode: "MMC.111071061"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			s := startServer(t, baseConfig(clk))
			if tt.conference.ID != "" {
				s.AddConference(tt.conference)
			}
			tok := appAuth(t, s, clk.Now(), "")

			r := confDetail(t, s, tok, tt.query)

			if tt.wantStatus != http.StatusOK {
				assertError(t, r, tt.wantStatus, tt.wantCode)
				return
			}
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			got := r.JSON(t)
			cd, ok := got["conferenceData"].(map[string]any)
			require.True(t, ok, "conferenceData: %s", r.Body)
			assert.Equal(t, tt.conference.ID, cd["conferenceID"])
			assert.Equal(t, tt.wantState, cd["conferenceState"])
			assert.Equal(t, tt.wantEntries, cd["passwordEntry"])
			assert.NotEmpty(t, cd["guestJoinUri"])
			if data, ok := got["data"].(map[string]any); assert.True(t, ok) {
				assert.EqualValues(t, 0, data["count"])
				assert.EqualValues(t, 20, data["limit"])
			}
		})
	}
}

func TestConfDetailListsInvitedAttendees(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	ctl := controlToken(t, s, confID, chairPW)
	r := invite(t, s, confID, ctl, `{"attendees":[{"name":"alice","phone":"+99111244216210249","type":"normal"},`+
		`{"name":"bob","phone":"+8613800000000","type":"mobile"}]}`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	tok := appAuth(t, s, clk.Now(), "")

	r = do(t, http.MethodGet, s.URL()+"v1/mmc/management/conferences/confDetail?conferenceID="+confID+"&offset=1&limit=1",
		map[string]string{"X-Access-Token": tok}, "")

	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	data, ok := r.JSON(t)["data"].(map[string]any)
	require.True(t, ok)
	assert.EqualValues(t, 2, data["count"])
	assert.EqualValues(t, 1, data["offset"])
	if list, ok := data["data"].([]any); assert.True(t, ok) && assert.Len(t, list, 1) {
		p, _ := list[0].(map[string]any)
		assert.Equal(t, "bob", p["name"])
		assert.Equal(t, "+8613800000000", p["address"])
	}
}

func TestControlToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		state      string
		id         string
		header     map[string]string
		wantStatus int
		wantCode   string
	}{
		{name: "chair password", id: confID, header: map[string]string{"X-Password": chairPW, "X-Login-Type": "1"},
			wantStatus: http.StatusOK},
		{name: "wrong password", id: confID, header: map[string]string{"X-Password": guestPW, "X-Login-Type": "1"},
			wantStatus: 400, wantCode: "MMC.111072065"},
		{name: "unknown meeting", id: "123456789", header: map[string]string{"X-Password": chairPW, "X-Login-Type": "1"},
			wantStatus: 400, wantCode: "MMC.111072065"},
		{name: "missing password", id: confID, header: map[string]string{"X-Login-Type": "1"},
			wantStatus: 400, wantCode: "MMC.111071061"},
		{name: "missing X-Login-Type", id: confID, header: map[string]string{"X-Password": chairPW},
			wantStatus: 400, wantCode: "MMC.111071061"},
		{name: "X-Login-Type not 1", id: confID, header: map[string]string{"X-Password": chairPW, "X-Login-Type": "2"},
			wantStatus: 400, wantCode: "MMC.111071061"},
		{name: "missing conferenceID", id: "", header: map[string]string{"X-Password": chairPW, "X-Login-Type": "1"},
			wantStatus: 400, wantCode: "MMC.111071061"},
		{name: "not started", state: "Schedule", id: confID,
			header: map[string]string{"X-Password": chairPW, "X-Login-Type": "1"}, wantStatus: 400, wantCode: "MMC.111072005"},
		{name: "starting", state: "Creating", id: confID,
			header: map[string]string{"X-Password": chairPW, "X-Login-Type": "1"}, wantStatus: 400, wantCode: "MMC.111072004"},
		{name: "ended", state: "Destroyed", id: confID,
			header: map[string]string{"X-Password": chairPW, "X-Login-Type": "1"}, wantStatus: 400, wantCode: "MMC.111072006"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			s := startServer(t, baseConfig(clk))
			if tt.state != "" {
				s.SetState(confID, tt.state)
			}

			// No X-Access-Token: the control-token call must not require one.
			r := controlTokenCall(t, s, tt.id, tt.header)

			assert.NotEmpty(t, r.Header.Get("X-Request-Id"))
			if tt.wantStatus != http.StatusOK {
				assertError(t, r, tt.wantStatus, tt.wantCode)
				return
			}
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			got := r.JSON(t)
			data, ok := got["data"].(map[string]any)
			require.True(t, ok)
			assert.NotEmpty(t, data["token"])
			assert.NotEmpty(t, data["tmpWsToken"])
			assert.NotEmpty(t, data["wsURL"])
			assert.EqualValues(t, 1, data["role"])
			assert.EqualValues(t, clk.Now().Add(30*time.Minute).UnixMilli(), data["expireTime"])
			assert.EqualValues(t, 1800, data["confTokenExpireTime"])
			assert.Contains(t, data, "vmrCurrentConfID")
			assert.NotEmpty(t, got["addressToken"])
			assert.NotEmpty(t, got["gloablPublicIP"])
		})
	}
}

func TestControlTokenLocksAfterFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		lockAfter int
		wantFails int
	}{
		{name: "default of five", lockAfter: 0, wantFails: 5},
		{name: "configured two", lockAfter: 2, wantFails: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			cfg := baseConfig(clk)
			cfg.LockAfter = tt.lockAfter
			s := startServer(t, cfg)
			wrong := map[string]string{"X-Password": "guess", "X-Login-Type": "1"}

			for range tt.wantFails {
				assertError(t, controlTokenCall(t, s, confID, wrong), 400, "MMC.111072065")
			}
			locked := controlTokenCall(t, s, confID, map[string]string{"X-Password": chairPW, "X-Login-Type": "1"})

			assertError(t, locked, 400, "MMC.111072064")
			assertError(t, controlTokenCall(t, s, confID, wrong), 400, "MMC.111072064")
			other := controlTokenCall(t, s, otherConf, map[string]string{"X-Password": "other-chair", "X-Login-Type": "1"})
			assert.Equal(t, http.StatusOK, other.Status, "other meetings are not locked: %s", other.Body)
		})
	}
}

func TestControlTokenSuccessResetsFailures(t *testing.T) {
	t.Parallel()
	clk := newClock()
	cfg := baseConfig(clk)
	cfg.LockAfter = 2
	s := startServer(t, cfg)
	wrong := map[string]string{"X-Password": "guess", "X-Login-Type": "1"}

	assertError(t, controlTokenCall(t, s, confID, wrong), 400, "MMC.111072065")
	controlToken(t, s, confID, chairPW)
	assertError(t, controlTokenCall(t, s, confID, wrong), 400, "MMC.111072065")

	assert.NotEmpty(t, controlToken(t, s, confID, chairPW))
}

func TestControlTokenKeepAlive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		elapsed   time.Duration
		header    func(tok string) map[string]string
		wantSame  bool
		wantCode  string
		wantState string
	}{
		{name: "live token extended without password", elapsed: 20 * time.Minute,
			header: func(tok string) map[string]string {
				return map[string]string{"X-Conference-Authorization": tok, "X-Login-Type": "1"}
			}, wantSame: true},
		{name: "Basic form extended", elapsed: 20 * time.Minute,
			header: func(tok string) map[string]string {
				return map[string]string{"X-Conference-Authorization": basicToken(tok), "X-Login-Type": "1"}
			}, wantSame: true},
		{name: "expired token with password gets a new token", elapsed: 31 * time.Minute,
			header: func(tok string) map[string]string {
				return map[string]string{"X-Conference-Authorization": tok, "X-Password": chairPW, "X-Login-Type": "1"}
			}},
		{name: "expired token without password", elapsed: 31 * time.Minute,
			header: func(tok string) map[string]string {
				return map[string]string{"X-Conference-Authorization": tok, "X-Login-Type": "1"}
			}, wantCode: "MMC.111071061"},
		{name: "keep-alive still needs X-Login-Type", elapsed: time.Minute,
			header: func(tok string) map[string]string {
				return map[string]string{"X-Conference-Authorization": tok}
			}, wantCode: "MMC.111071061"},
		{name: "keep-alive of an ended meeting", elapsed: time.Minute, wantState: "Destroyed",
			header: func(tok string) map[string]string {
				return map[string]string{"X-Conference-Authorization": tok, "X-Login-Type": "1"}
			}, wantCode: "MMC.111072006"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			s := startServer(t, baseConfig(clk))
			tok := controlToken(t, s, confID, chairPW)
			clk.Advance(tt.elapsed)
			if tt.wantState != "" {
				s.SetState(confID, tt.wantState)
			}

			r := controlTokenCall(t, s, confID, tt.header(tok))

			if tt.wantCode != "" {
				assertError(t, r, http.StatusBadRequest, tt.wantCode)
				return
			}
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			data, _ := r.JSON(t)["data"].(map[string]any)
			got, _ := data["token"].(string)
			assert.EqualValues(t, clk.Now().Add(30*time.Minute).UnixMilli(), data["expireTime"])
			if !tt.wantSame {
				assert.NotEqual(t, tok, got)
				return
			}
			assert.Equal(t, tok, got)
			// Past the original expiry, the extended token still invites.
			clk.Advance(15 * time.Minute)
			r = invite(t, s, confID, tok, `{"attendees":[{"name":"alice","phone":"+99111244216210249","type":"normal"}]}`)
			assert.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		})
	}
}

func basicToken(tok string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(tok))
}

func TestInviteAccepted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		auth func(tok string) string
		body string
		want []meetingfake.Attendee
	}{
		{
			name: "plain control token",
			auth: func(tok string) string { return tok },
			body: `{"attendees":[{"name":"alice","role":0,"phone":"+99111244216210249","type":"normal"},` +
				`{"name":"bob","phone":"+8613800000000","type":"mobile","deptName":"Sales"}]}`,
			want: []meetingfake.Attendee{
				{Name: "alice", Role: intPtr(0), Phone: "+99111244216210249", Type: "normal"},
				{Name: "bob", Phone: "+8613800000000", Type: "mobile", DeptName: "Sales"},
			},
		},
		{
			name: "Basic form of the control token",
			auth: basicToken,
			body: `{"attendees":[{"name":"carol","role":1,"phone":"carol@sip.example.com","type":"terminal"}]}`,
			want: []meetingfake.Attendee{{Name: "carol", Role: intPtr(1), Phone: "carol@sip.example.com", Type: "terminal"}},
		},
		{
			name: "unknown fields are ignored",
			auth: func(tok string) string { return tok },
			body: `{"extra":true,"attendees":[{"name":"dave","phone":"+8613800000001","email":"dave@example.com","type":"outside","isMute":1}]}`,
			want: []meetingfake.Attendee{{Name: "dave", Phone: "+8613800000001", Email: "dave@example.com", Type: "outside"}},
		},
		{
			name: "a missing type takes the server's default, as the doc's cURL example",
			auth: func(tok string) string { return tok },
			body: `{"attendees":[{"name":"user01","role":0,"phone":"+99111244216210249"}]}`,
			want: []meetingfake.Attendee{{Name: "user01", Role: intPtr(0), Phone: "+99111244216210249", Type: "normal"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			s := startServer(t, baseConfig(clk))
			tok := controlToken(t, s, confID, chairPW)

			r := invite(t, s, confID, tt.auth(tok), tt.body)

			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			assert.JSONEq(t, `{}`, string(r.Body))
			invs := s.Invitations(confID)
			require.Len(t, invs, 1)
			assert.Equal(t, confID, invs[0].ConferenceID)
			assert.Equal(t, tt.want, invs[0].Attendees)
			assert.Equal(t, r.Header.Get("X-Request-Id"), invs[0].RequestID)
			assert.Equal(t, clk.Now(), invs[0].At)
			assert.Empty(t, s.Invitations(otherConf))
			assert.Equal(t, 1, s.Calls(meetingfake.EndpointInvite))
		})
	}
}

func TestInviteAttendeeValidation(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("9", n) }
	tests := []struct {
		name     string
		attendee string
		wantCode string // empty: accepted
	}{
		{name: "name empty", attendee: `{"name":"","phone":"+8613800000000","type":"normal"}`, wantCode: "MMC.111072046"},
		{name: "name missing", attendee: `{"phone":"+8613800000000","type":"normal"}`, wantCode: "MMC.111072046"},
		{name: "name blank", attendee: `{"name":"  ","phone":"+8613800000000","type":"normal"}`, wantCode: "MMC.111072046"},
		{name: "name 96 runes", attendee: `{"name":"` + strings.Repeat("é", 96) + `","phone":"+8613800000000","type":"normal"}`},
		{name: "name 97 runes", attendee: `{"name":"` + strings.Repeat("é", 97) + `","phone":"+8613800000000","type":"normal"}`,
			wantCode: "MMC.111072034"},
		{name: "no phone, email or sms", attendee: `{"name":"a","type":"normal"}`, wantCode: "MMC.111072031"},
		{name: "phone 127 chars", attendee: `{"name":"a","phone":"+` + long(126) + `","type":"normal"}`},
		{name: "phone 128 chars", attendee: `{"name":"a","phone":"+` + long(127) + `","type":"normal"}`, wantCode: "MMC.111072032"},
		{name: "phone with spaces", attendee: `{"name":"a","phone":"+86 138 0000 0000","type":"normal"}`, wantCode: "MMC.111072033"},
		{name: "phone masked as in the docs", attendee: `{"name":"a","phone":"+8657*******","type":"normal"}`, wantCode: "MMC.111072033"},
		{name: "phone plus only", attendee: `{"name":"a","phone":"+","type":"normal"}`, wantCode: "MMC.111072033"},
		{name: "phone letters", attendee: `{"name":"a","phone":"alice","type":"normal"}`, wantCode: "MMC.111072033"},
		{name: "phone digits without plus", attendee: `{"name":"a","phone":"8613800000000","type":"normal"}`},
		{name: "phone SIP form", attendee: `{"name":"a","phone":"alice@sip.example.com","type":"normal"}`},
		{name: "phone2 bad", attendee: `{"name":"a","phone":"+8613800000000","phone2":"x y","type":"telepresence"}`,
			wantCode: "MMC.111072033"},
		{name: "email only", attendee: `{"name":"a","email":"a@example.com","type":"normal"}`, wantCode: "MMC.111072031"},
		{name: "phone and email", attendee: `{"name":"a","phone":"+8613800000000","email":"a@example.com","type":"normal"}`},
		{name: "email 256 chars", attendee: `{"name":"a","phone":"+8613800000000","email":"` + strings.Repeat("e", 244) + `@example.com","type":"normal"}`,
			wantCode: "MMC.111072036"},
		{name: "email without @", attendee: `{"name":"a","phone":"+8613800000000","email":"a.example.com","type":"normal"}`, wantCode: "MMC.111071024"},
		{name: "email with two @", attendee: `{"name":"a","phone":"+8613800000000","email":"a@b@example.com","type":"normal"}`, wantCode: "MMC.111071024"},
		{name: "sms only", attendee: `{"name":"a","sms":"+8613800000000","type":"normal"}`, wantCode: "MMC.111072031"},
		{name: "sms 33 chars", attendee: `{"name":"a","phone":"+8613800000000","sms":"` + long(33) + `","type":"normal"}`, wantCode: "MMC.111072037"},
		{name: "role 1", attendee: `{"name":"a","role":1,"phone":"+8613800000000","type":"normal"}`},
		{name: "role 2", attendee: `{"name":"a","role":2,"phone":"+8613800000000","type":"normal"}`, wantCode: "MMC.111072035"},
		{name: "role negative", attendee: `{"name":"a","role":-1,"phone":"+8613800000000","type":"normal"}`, wantCode: "MMC.111072035"},
		{name: "role not a number", attendee: `{"name":"a","role":"0","phone":"+8613800000000","type":"normal"}`,
			wantCode: "MMC.111071061"},
		{name: "type missing", attendee: `{"name":"a","phone":"+8613800000000"}`},
		{name: "type unknown", attendee: `{"name":"a","phone":"+8613800000000","type":"robot"}`, wantCode: "MMC.111071061"},
		{name: "type hwvision", attendee: `{"name":"a","phone":"+8613800000000","type":"hwvision"}`},
		{name: "deptUUID 65 chars", attendee: `{"name":"a","phone":"+8613800000000","type":"normal","deptUUID":"` + long(65) + `"}`,
			wantCode: "MMC.111071061"},
		{name: "deptName 129 chars", attendee: `{"name":"a","phone":"+8613800000000","type":"normal","deptName":"` + long(129) + `"}`,
			wantCode: "MMC.111071061"},
		{name: "name not a string", attendee: `{"name":5,"phone":"+8613800000000","type":"normal"}`, wantCode: "MMC.111071061"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			s := startServer(t, baseConfig(clk))
			tok := controlToken(t, s, confID, chairPW)

			r := invite(t, s, confID, tok, `{"attendees":[`+tt.attendee+`]}`)

			if tt.wantCode == "" {
				assert.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
				assert.Len(t, s.Invitations(confID), 1)
				return
			}
			assertError(t, r, http.StatusBadRequest, tt.wantCode)
			assert.Empty(t, s.Invitations(confID))
		})
	}
}

func TestInviteRejected(t *testing.T) {
	t.Parallel()
	const good = `{"name":"alice","phone":"+99111244216210249","type":"normal"}`
	tests := []struct {
		name       string
		cfg        func(*meetingfake.Config)
		setup      func(s *meetingfake.Server, clk *clock)
		id         string
		auth       func(t *testing.T, s *meetingfake.Server, tok string) string
		body       string
		wantStatus int
		wantCode   string
	}{
		{name: "missing conferenceID", id: "-", wantStatus: 400, wantCode: "MMC.111071061"},
		{name: "missing control token", auth: func(*testing.T, *meetingfake.Server, string) string { return "" },
			wantStatus: 401, wantCode: "MMC.111070111"},
		{name: "unknown control token", auth: func(*testing.T, *meetingfake.Server, string) string { return "stb-made-up" },
			wantStatus: 401, wantCode: "USG.000000004"},
		{name: "Basic form not base64", auth: func(*testing.T, *meetingfake.Server, string) string { return "Basic %%%" },
			wantStatus: 401, wantCode: "USG.000000004"},
		{name: "token for another conference", auth: func(t *testing.T, s *meetingfake.Server, _ string) string {
			return controlToken(t, s, otherConf, "other-chair")
		}, wantStatus: 401, wantCode: "USG.000000004"},
		{name: "control token expired", setup: func(_ *meetingfake.Server, clk *clock) { clk.Advance(30 * time.Minute) },
			wantStatus: 401, wantCode: "USG.000000004"},
		{name: "control tokens revoked", setup: func(s *meetingfake.Server, _ *clock) { s.ExpireControlTokens() },
			wantStatus: 401, wantCode: "USG.000000004"},
		{name: "meeting ended after the token", setup: func(s *meetingfake.Server, _ *clock) { s.SetState(confID, "Destroyed") },
			wantStatus: 400, wantCode: "MMC.111072006"},
		{name: "meeting back to scheduled", setup: func(s *meetingfake.Server, _ *clock) { s.SetState(confID, "Schedule") },
			wantStatus: 400, wantCode: "MMC.111072005"},
		{name: "empty body", body: "-", wantStatus: 400, wantCode: "MMC.111072057"},
		{name: "malformed JSON", body: `{"attendees":[{"name":"user01","phone":"+8657" "type":"normal"}]}`,
			wantStatus: 400, wantCode: "MMC.111071061"},
		{name: "attendees missing", body: `{}`, wantStatus: 400, wantCode: "MMC.111071061"},
		{name: "attendees empty", body: `{"attendees":[]}`, wantStatus: 400, wantCode: "MMC.111071061"},
		{name: "attendees not an array", body: `{"attendees":{"name":"a"}}`, wantStatus: 400, wantCode: "MMC.111071061"},
		{name: "body is an array", body: `[` + good + `]`, wantStatus: 400, wantCode: "MMC.111071061"},
		{name: "whole batch rejected on one bad attendee", body: `{"attendees":[` + good + `,{"name":"","phone":"+1","type":"normal"}]}`,
			wantStatus: 400, wantCode: "MMC.111072046"},
		{name: "over MaxParticipants", setup: func(s *meetingfake.Server, _ *clock) {
			s.AddConference(meetingfake.Conference{ID: confID, ChairPassword: chairPW, MaxParticipants: 1})
		}, body: `{"attendees":[` + good + `,{"name":"bob","phone":"+8613800000009","type":"normal"}]}`,
			wantStatus: 400, wantCode: "MMC.111072101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			cfg := baseConfig(clk)
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			s := startServer(t, cfg)
			tok := controlToken(t, s, confID, chairPW)
			if tt.setup != nil {
				tt.setup(s, clk)
			}
			auth := tok
			if tt.auth != nil {
				auth = tt.auth(t, s, tok)
			}
			id := confID
			if tt.id == "-" {
				id = ""
			}
			body := `{"attendees":[` + good + `]}`
			switch tt.body {
			case "":
			case "-":
				body = ""
			default:
				body = tt.body
			}

			r := invite(t, s, id, auth, body)

			assertError(t, r, tt.wantStatus, tt.wantCode)
			assert.Empty(t, s.Invitations(confID), "nothing recorded")
		})
	}
}

func TestALockedMeetingTakesTheHostsInvitations(t *testing.T) {
	t.Parallel()
	// meeting_21_0037: a lock does not affect the host's invitations.
	cfg := baseConfig(newClock())
	cfg.Conferences = []meetingfake.Conference{{ID: confID, ChairPassword: chairPW, Locked: true}}
	s := startServer(t, cfg)
	tok := controlToken(t, s, confID, chairPW)

	r := invite(t, s, confID, tok, `{"attendees":[{"name":"a","phone":"+8613800000000","type":"mobile"}]}`)

	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Len(t, s.Invitations(confID), 1)
}

func TestInviteMaxParticipantsCountsDistinctInvitees(t *testing.T) {
	t.Parallel()
	clk := newClock()
	cfg := baseConfig(clk)
	cfg.Conferences = []meetingfake.Conference{{ID: confID, ChairPassword: chairPW, MaxParticipants: 3}}
	s := startServer(t, cfg)
	tok := controlToken(t, s, confID, chairPW)

	steps := []struct {
		name     string
		body     string
		wantCode string
	}{
		{name: "two invitees", body: `{"attendees":[{"name":"a","phone":"+111111","type":"normal"},{"name":"b","phone":"+222222","type":"normal"}]}`},
		{name: "same two again plus one", body: `{"attendees":[{"name":"a","phone":"+111111","type":"normal"},{"name":"B","phone":"+222222","type":"normal"},{"name":"c","phone":"+333333","type":"normal"}]}`},
		{name: "a fourth is too many", body: `{"attendees":[{"name":"d","phone":"+444444","type":"normal"}]}`, wantCode: "MMC.111072101"},
	}
	for _, st := range steps { // sequential: each step depends on the previous
		r := invite(t, s, confID, tok, st.body)
		if st.wantCode == "" {
			assert.Equal(t, http.StatusOK, r.Status, "%s: %s", st.name, r.Body)
			continue
		}
		assertError(t, r, http.StatusBadRequest, st.wantCode)
	}

	assert.Len(t, s.Invitations(confID), 2)
}

func TestOnInviteObserver(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	var (
		mu  sync.Mutex
		got []meetingfake.Invitation
	)
	s.OnInvite(func(inv meetingfake.Invitation) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, inv)
	})
	tok := controlToken(t, s, confID, chairPW)

	ok := invite(t, s, confID, tok, `{"attendees":[{"name":"alice","phone":"+99111244216210249","type":"normal"}]}`)
	bad := invite(t, s, confID, tok, `{"attendees":[{"name":"alice","type":"normal"}]}`)

	require.Equal(t, http.StatusOK, ok.Status, "body: %s", ok.Body)
	require.Equal(t, http.StatusBadRequest, bad.Status)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 1, "called once, for the accepted invite only, before the response")
	assert.Equal(t, confID, got[0].ConferenceID)
	assert.Equal(t, ok.Header.Get("X-Request-Id"), got[0].RequestID)
	assert.Equal(t, []meetingfake.Attendee{{Name: "alice", Phone: "+99111244216210249", Type: "normal"}}, got[0].Attendees)
}

func TestRealTimeInfo(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	tok := controlToken(t, s, confID, chairPW)
	r := invite(t, s, confID, tok, `{"attendees":[{"name":"alice","phone":"+99111244216210249","type":"normal"},`+
		`{"name":"bob","phone":"+8613800000000","type":"mobile"}]}`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	url := s.URL() + "v1/mmc/control/conferences/realTimeInfo?conferenceID=" + confID

	tests := []struct {
		name     string
		auth     string
		wantCode string
	}{
		{name: "control token", auth: tok},
		{name: "no control token", wantCode: "MMC.111070111"},
		{name: "bad control token", auth: "stb-nope", wantCode: "USG.000000004"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := map[string]string{}
			if tt.auth != "" {
				h["X-Conference-Authorization"] = tt.auth
			}

			r := do(t, http.MethodGet, url, h, "")

			if tt.wantCode != "" {
				assertError(t, r, http.StatusUnauthorized, tt.wantCode)
				return
			}
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			got := r.JSON(t)
			info, _ := got["confInfo"].(map[string]any)
			assert.Equal(t, confID, info["conferenceID"])
			atts, _ := got["attendees"].([]any)
			parts, _ := got["participants"].([]any)
			require.Len(t, atts, 2)
			require.Len(t, parts, 2)
			p0, _ := parts[0].(map[string]any)
			assert.Equal(t, "alice", p0["name"])
			assert.Equal(t, "+99111244216210249", p0["phone"])
			assert.EqualValues(t, 1, p0["state"], "being called")
		})
	}
}
