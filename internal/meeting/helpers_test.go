package meeting_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// Distinctive secrets, so that tests can look for them in errors and logs.
const (
	appID    = "fdb8e4699586458bbd10c834872dcc62"
	appKey   = "APPKEY-secret-0001"
	confID   = "914083136"
	chairPW  = "CHAIR-secret-0002"
	typedPW  = "TYPED-secret-0003"
	guestPW  = "GUEST-secret-0004"
	guestURI = "https://meeting.example/j/914083136"
)

var appCreds = meeting.Credentials{AppID: appID, AppKey: appKey}

// clock is a settable clock for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// setup starts a server whose mux is mounted under /api/ (so that a request built with
// an absolute path fails) and returns a client pointed at it. Requests outside the
// registered patterns fail the test.
func setup(t *testing.T, creds meeting.Credentials, opts ...meeting.Option) (*http.ServeMux, *meeting.Client) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		assert.Failf(t, "unexpected request", "%s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	opts = append([]meeting.Option{meeting.WithBaseURL(srv.URL + "/api/")}, opts...)
	c, err := meeting.NewClient(creds, opts...)
	require.NoError(t, err)
	return mux, c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("X-Request-Id", "hdr-request-id")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error_code": code, "error_msg": "SOME_ERROR", "request_id": "req-" + code})
}

// decodeBody decodes a JSON request body into a map, so that tests check Huawei's
// JSON names rather than the client's struct tags. Numbers stay json.Number.
func decodeBody(t *testing.T, r *http.Request) map[string]any {
	t.Helper()
	d := json.NewDecoder(r.Body)
	d.UseNumber()
	var m map[string]any
	assert.NoError(t, d.Decode(&m))
	return m
}

var authHeader = regexp.MustCompile(`^HMAC-SHA256 signature=([0-9a-f]{64}),access=(\S+)$`)

// hmacHex is the App ID signature of data.
func hmacHex(key, data string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(data))
	return hex.EncodeToString(mac.Sum(nil))
}

// checkAppAuth checks an App ID authentication request (headers and decoded body) the
// way Huawei would, recomputing the signature. It runs inside handlers, so it only asserts.
func checkAppAuth(t *testing.T, r *http.Request, body map[string]any, userID string, now time.Time) {
	t.Helper()
	assert.Equal(t, "LongTicket", r.Header.Get("X-Token-Type"))
	assert.Equal(t, "application/json; charset=UTF-8", r.Header.Get("Content-Type"))
	assert.Equal(t, appID, body["appId"])
	assert.Equal(t, json.Number("72"), body["clientType"])
	assert.NotContains(t, body, "corpId")
	if userID == "" {
		assert.NotContains(t, body, "userId")
	} else {
		assert.Equal(t, userID, body["userId"])
	}
	nonce, _ := body["nonce"].(string)
	assert.GreaterOrEqual(t, len(nonce), 32)
	assert.LessOrEqual(t, len(nonce), 64)
	expNum, _ := body["expireTime"].(json.Number)
	exp, err := expNum.Int64()
	assert.NoError(t, err)
	assert.Greater(t, exp, now.Unix(), "expireTime must be in the future")

	m := authHeader.FindStringSubmatch(r.Header.Get("Authorization"))
	if !assert.NotNil(t, m, "Authorization header format") {
		return
	}
	assert.Equal(t, base64.StdEncoding.EncodeToString([]byte(appID)), m[2])
	assert.Equal(t, hmacHex(appKey, appID+":"+userID+":"+expNum.String()+":"+nonce), m[1], "signature")
}

// handleAuth serves App ID authentication, checking each request, and issues the
// access tokens tok-1, tok-2, ... valid for lifetime from now(). It returns the call count.
func handleAuth(t *testing.T, mux *http.ServeMux, now func() time.Time, lifetime time.Duration) *atomic.Int32 {
	var calls atomic.Int32
	mux.HandleFunc("POST /api/v2/usg/acs/auth/appauth", func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		checkAppAuth(t, r, decodeBody(t, r), "", now())
		writeJSON(w, http.StatusOK, map[string]any{
			"accessToken": fmt.Sprintf("tok-%d", n),
			"validPeriod": int64(lifetime.Seconds()),
			"expireTime":  now().Add(lifetime).Unix(),
			"createTime":  now().UnixMilli(),
			"tokenType":   0,
		})
	})
	return &calls
}

// detailBody is a confDetail response for the test conference. An empty chair
// leaves the chair entry out.
func detailBody(state, chair string) map[string]any {
	entries := []map[string]string{{"conferenceRole": "general", "password": guestPW}}
	if chair != "" {
		entries = append(entries, map[string]string{"conferenceRole": "chair", "password": chair})
	}
	return map[string]any{
		"conferenceData": map[string]any{
			"conferenceID":    confID,
			"subject":         "Weekly sync",
			"conferenceState": state,
			"startTime":       "2026-03-01 09:00",
			"endTime":         "2026-03-01 10:00",
			"guestJoinUri":    guestURI,
			"chairJoinUri":    "https://meeting.example/chair",
			"passwordEntry":   entries,
		},
		"data": map[string]any{"offset": 0, "limit": 20, "count": 0, "data": []any{}},
	}
}

// handleDetail serves confDetail for the test conference. It returns the call count.
func handleDetail(t *testing.T, mux *http.ServeMux, state, chair string) *atomic.Int32 {
	var calls atomic.Int32
	mux.HandleFunc("GET /api/v1/mmc/management/conferences/confDetail", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		assert.Equal(t, "conferenceID="+confID, r.URL.RawQuery)
		assert.Regexp(t, `^tok-\d+$`, r.Header.Get("X-Access-Token"))
		writeJSON(w, http.StatusOK, detailBody(state, chair))
	})
	return &calls
}

// controlServer serves the control-token endpoint for the test conference.
type controlServer struct {
	calls     atomic.Int32
	mu        sync.Mutex
	passwords []string // X-Password of each call
}

func (s *controlServer) Passwords() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.passwords...)
}

// handleControlToken issues ctl-1, ctl-2, ... to callers presenting password, valid
// for 30 minutes from now(); any other password gets MMC.111072065.
func handleControlToken(t *testing.T, mux *http.ServeMux, now func() time.Time, password string) *controlServer {
	s := &controlServer{}
	mux.HandleFunc("GET /api/v1/mmc/control/conferences/token", func(w http.ResponseWriter, r *http.Request) {
		n := s.calls.Add(1)
		s.mu.Lock()
		s.passwords = append(s.passwords, r.Header.Get("X-Password"))
		s.mu.Unlock()
		assert.Equal(t, "conferenceID="+confID, r.URL.RawQuery)
		assert.Equal(t, "1", r.Header.Get("X-Login-Type"))
		if r.Header.Get("X-Password") != password {
			writeError(w, http.StatusBadRequest, "MMC.111072065")
			return
		}
		writeJSON(w, http.StatusOK, controlTokenBody(fmt.Sprintf("ctl-%d", n), now().Add(30*time.Minute), 1800))
	})
	return s
}

func controlTokenBody(tok string, expires time.Time, lifetimeSeconds int) map[string]any {
	return map[string]any{
		"data": map[string]any{
			"token":               tok,
			"tmpWsToken":          "ws-" + tok,
			"wsURL":               "wss://ws.example/control",
			"role":                1,
			"expireTime":          expires.UnixMilli(),
			"confTokenExpireTime": lifetimeSeconds,
			"userID":              "u-1",
			"orgID":               "org-1",
		},
		"addressToken":   "addr",
		"gloablPublicIP": "203.0.113.1",
	}
}

// apiSentinels lists every sentinel an *APIError can match.
var apiSentinels = []error{
	meeting.ErrNotFound, meeting.ErrNotStarted, meeting.ErrStarting, meeting.ErrEnded,
	meeting.ErrHostAuth, meeting.ErrControlLocked, meeting.ErrForbidden, meeting.ErrInternal,
	meeting.ErrBadInvitee, meeting.ErrFull, meeting.ErrCapacity, meeting.ErrMeetingLocked,
	meeting.ErrInviteFailed, meeting.ErrPSTNDisabled, meeting.ErrCallFailed,
	meeting.ErrUnauthorized, meeting.ErrRateLimited, meeting.ErrUnavailable,
}
