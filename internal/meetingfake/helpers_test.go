package meetingfake_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

const (
	appID     = "fdb8e4699586458bbd10c834872dcc62"
	appKey    = "0123456789abcdef-app-key"
	account   = "bot@example.com"
	password  = "correct-horse"
	confID    = "914083136"
	otherConf = "986030665"
	chairPW   = "chair-123456"
	guestPW   = "guest-654321"
	nonce64   = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// clock is a settable time source, safe for the server's goroutines.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: epoch} }

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

// baseConfig has App ID and account credentials and two running meetings.
func baseConfig(clk *clock) meetingfake.Config {
	return meetingfake.Config{
		AppID:    appID,
		AppKey:   appKey,
		Account:  account,
		Password: password,
		Conferences: []meetingfake.Conference{
			{ID: confID, Subject: "Weekly sync", ChairPassword: chairPW, GuestPassword: guestPW,
				StartTime: "2026-03-02 09:00", EndTime: "2026-03-02 10:00"},
			{ID: otherConf, Subject: "Other", ChairPassword: "other-chair"},
		},
		PSTNEnabled: true,
		Now:         clk.Now,
	}
}

func startServer(t testing.TB, cfg meetingfake.Config) *meetingfake.Server {
	t.Helper()
	s, err := meetingfake.Start(cfg)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map, to check Huawei's names.
func (r response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

func do(t testing.TB, method, url string, header map[string]string, body string) response {
	t.Helper()
	r, err := send(t.Context(), method, url, header, body)
	require.NoError(t, err)
	return r
}

// send is do without assertions, for goroutines other than the test's.
func send(ctx context.Context, method, url string, header map[string]string, body string) (response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return response{}, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// assertError checks a Huawei error answer: status, code, and a request_id
// equal to the X-Request-Id header.
func assertError(t *testing.T, r response, status int, code string) {
	t.Helper()
	assert.Equal(t, status, r.Status, "body: %s", r.Body)
	var e struct {
		Code      *string `json:"error_code"`
		Msg       *string `json:"error_msg"`
		RequestID *string `json:"request_id"`
	}
	if !assert.NoError(t, json.Unmarshal(r.Body, &e), "body: %s", r.Body) {
		return
	}
	if assert.NotNil(t, e.Code) && assert.NotNil(t, e.Msg) && assert.NotNil(t, e.RequestID) {
		assert.Equal(t, code, *e.Code)
		assert.NotEmpty(t, *e.RequestID)
		assert.Equal(t, r.Header.Get("X-Request-Id"), *e.RequestID)
	}
}

// sign computes the App ID Authorization header as the real client does.
func sign(appID, key, userID string, expireTime int64, nonce string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(appID + ":" + userID + ":" + strconv.FormatInt(expireTime, 10) + ":" + nonce))
	return "HMAC-SHA256 signature=" + hex.EncodeToString(mac.Sum(nil)) +
		",access=" + base64.StdEncoding.EncodeToString([]byte(appID))
}

func appAuthBody(t testing.TB, fields map[string]any) string {
	t.Helper()
	b, err := json.Marshal(fields)
	require.NoError(t, err)
	return string(b)
}

// appAuth gets an access token for userID with a correct signature.
func appAuth(t testing.TB, s *meetingfake.Server, now time.Time, userID string) string {
	t.Helper()
	expire := now.Add(10 * time.Minute).Unix()
	fields := map[string]any{"appId": appID, "clientType": 72, "expireTime": expire, "nonce": nonce64}
	if userID != "" {
		fields["userId"] = userID
	}
	r := do(t, http.MethodPost, s.URL()+"v2/usg/acs/auth/appauth", map[string]string{
		"Authorization": sign(appID, appKey, userID, expire, nonce64),
		"X-Token-Type":  "LongTicket",
		"Content-Type":  "application/json; charset=UTF-8",
	}, appAuthBody(t, fields))
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	tok, _ := r.JSON(t)["accessToken"].(string)
	require.NotEmpty(t, tok)
	return tok
}

func confDetail(t testing.TB, s *meetingfake.Server, token, id string) response {
	t.Helper()
	h := map[string]string{}
	if token != "" {
		h["X-Access-Token"] = token
	}
	return do(t, http.MethodGet, s.URL()+"v1/mmc/management/conferences/confDetail?conferenceID="+id, h, "")
}

func controlTokenCall(t testing.TB, s *meetingfake.Server, id string, header map[string]string) response {
	t.Helper()
	return do(t, http.MethodGet, s.URL()+"v1/mmc/control/conferences/token?conferenceID="+id, header, "")
}

// controlToken gets a control token with the chair password.
func controlToken(t testing.TB, s *meetingfake.Server, id, pw string) string {
	t.Helper()
	r := controlTokenCall(t, s, id, map[string]string{"X-Password": pw, "X-Login-Type": "1"})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	data, _ := r.JSON(t)["data"].(map[string]any)
	tok, _ := data["token"].(string)
	require.NotEmpty(t, tok)
	return tok
}

func invite(t testing.TB, s *meetingfake.Server, id, auth, body string) response {
	t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	if auth != "" {
		h["X-Conference-Authorization"] = auth
	}
	url := s.URL() + "v1/mmc/control/conferences/participants"
	if id != "" {
		url += "?conferenceID=" + id
	}
	return do(t, http.MethodPost, url, h, body)
}

func intPtr(n int) *int { return &n }
