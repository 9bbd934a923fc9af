package meetingfake_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

// appAuthCase describes one appauth request; zero fields take the defaults of
// a correct request.
type appAuthCase struct {
	name         string
	serverUserID string // Config.UserID
	signAppID    string
	signKey      string
	signUserID   *string // defaults to bodyUserID
	bodyUserID   string
	expire       func(now time.Time) int64
	nonce        string
	auth         func(sig string) string // rewrites the Authorization header
	tokenType    *string
	contentType  *string
	extra        map[string]any
	drop         string // body field to remove
	rawBody      string
	wantStatus   int
	wantCode     string
}

func strPtr(s string) *string { return &s }

func TestAppAuth(t *testing.T) {
	t.Parallel()
	tests := []appAuthCase{
		{name: "correct signature", bodyUserID: "bot-user", wantStatus: http.StatusOK},
		{name: "correct signature without userId", wantStatus: http.StatusOK},
		{name: "expireTime zero never expires", expire: func(time.Time) int64 { return 0 }, wantStatus: http.StatusOK},
		{name: "configured userId matches", serverUserID: "bot-user", bodyUserID: "bot-user", wantStatus: http.StatusOK},
		{name: "wrong key", signKey: "not-the-key", wantStatus: 401, wantCode: "USG.000000004"},
		{name: "wrong access (other app id)", signAppID: "00000000000000000000000000000000", wantStatus: 401, wantCode: "USG.000000004"},
		{name: "access not base64", auth: func(sig string) string {
			return strings.Split(sig, ",access=")[0] + ",access=%%%"
		}, wantStatus: 401, wantCode: "USG.000000004"},
		{name: "access missing", auth: func(sig string) string {
			return strings.Split(sig, ",access=")[0]
		}, wantStatus: 401, wantCode: "USG.000000004"},
		{name: "space after comma", auth: func(sig string) string {
			return strings.Replace(sig, ",access=", ", access=", 1)
		}, wantStatus: 401, wantCode: "USG.000000004"},
		{name: "uppercase hex signature", auth: func(sig string) string {
			head, access, _ := strings.Cut(sig, ",access=")
			return "HMAC-SHA256 signature=" + strings.ToUpper(strings.TrimPrefix(head, "HMAC-SHA256 signature=")) +
				",access=" + access
		}, wantStatus: 401, wantCode: "USG.000000004"},
		{name: "wrong scheme", auth: func(sig string) string {
			return strings.Replace(sig, "HMAC-SHA256", "HMAC-SHA1", 1)
		}, wantStatus: 401, wantCode: "USG.000000004"},
		{name: "missing X-Token-Type", tokenType: strPtr(""), wantStatus: 400, wantCode: "USG.000000001"},
		{name: "wrong X-Token-Type", tokenType: strPtr("ShortTicket"), wantStatus: 400, wantCode: "USG.000000001"},
		{name: "not JSON content type", contentType: strPtr("text/plain"), wantStatus: 400, wantCode: "USG.000000001"},
		{name: "short nonce", nonce: strings.Repeat("n", 31), wantStatus: 400, wantCode: "USG.000000001"},
		{name: "shortest nonce", nonce: strings.Repeat("n", 32), wantStatus: http.StatusOK},
		{name: "long nonce", nonce: strings.Repeat("n", 65), wantStatus: 400, wantCode: "USG.000000001"},
		{name: "expired expireTime", expire: func(now time.Time) int64 { return now.Add(-time.Second).Unix() },
			wantStatus: 401, wantCode: "USG.000000004"},
		{name: "corpId sent", extra: map[string]any{"corpId": "corp-1"}, wantStatus: 401, wantCode: "USG.000000004"},
		{name: "body userId differs from signed", bodyUserID: "mallory", signUserID: strPtr("bot-user"),
			wantStatus: 401, wantCode: "USG.000000004"},
		{name: "configured userId mismatched", serverUserID: "bot-user", bodyUserID: "someone-else",
			wantStatus: 401, wantCode: "USG.000000004"},
		{name: "configured userId but none sent", serverUserID: "bot-user", wantStatus: 401, wantCode: "USG.000000004"},
		{name: "wrong clientType", extra: map[string]any{"clientType": 0}, wantStatus: 400, wantCode: "USG.000000001"},
		{name: "clientType missing", drop: "clientType", wantStatus: 400, wantCode: "USG.000000001"},
		{name: "expireTime missing", drop: "expireTime", wantStatus: 400, wantCode: "USG.000000001"},
		{name: "appId missing", drop: "appId", wantStatus: 400, wantCode: "USG.000000001"},
		{name: "body appId differs", extra: map[string]any{"appId": "other"}, wantStatus: 401, wantCode: "USG.000000004"},
		{name: "malformed JSON", rawBody: `{"appId":`, wantStatus: 400, wantCode: "USG.000000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			cfg := baseConfig(clk)
			cfg.UserID = tt.serverUserID
			s := startServer(t, cfg)

			now := clk.Now()
			expire := now.Add(10 * time.Minute).Unix()
			if tt.expire != nil {
				expire = tt.expire(now)
			}
			nonce := nonce64
			if tt.nonce != "" {
				nonce = tt.nonce
			}
			signApp, signKey, signUser := appID, appKey, tt.bodyUserID
			if tt.signAppID != "" {
				signApp = tt.signAppID
			}
			if tt.signKey != "" {
				signKey = tt.signKey
			}
			if tt.signUserID != nil {
				signUser = *tt.signUserID
			}
			auth := sign(signApp, signKey, signUser, expire, nonce)
			if tt.auth != nil {
				auth = tt.auth(auth)
			}
			fields := map[string]any{"appId": signApp, "clientType": 72, "expireTime": expire, "nonce": nonce}
			if tt.bodyUserID != "" {
				fields["userId"] = tt.bodyUserID
			}
			for k, v := range tt.extra {
				fields[k] = v
			}
			delete(fields, tt.drop)
			body := appAuthBody(t, fields)
			if tt.rawBody != "" {
				body = tt.rawBody
			}
			header := map[string]string{
				"Authorization": auth,
				"X-Token-Type":  "LongTicket",
				"Content-Type":  "application/json; charset=UTF-8",
			}
			if tt.tokenType != nil {
				header["X-Token-Type"] = *tt.tokenType
			}
			if tt.contentType != nil {
				header["Content-Type"] = *tt.contentType
			}

			r := do(t, http.MethodPost, s.URL()+"v2/usg/acs/auth/appauth", header, body)

			assert.NotEmpty(t, r.Header.Get("X-Request-Id"))
			if tt.wantStatus != http.StatusOK {
				assertError(t, r, tt.wantStatus, tt.wantCode)
				return
			}
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			got := r.JSON(t)
			tok, _ := got["accessToken"].(string)
			assert.NotEmpty(t, tok)
			assert.NotEmpty(t, got["refreshToken"])
			assert.EqualValues(t, 0, got["tokenType"])
			assert.EqualValues(t, 72, got["clientType"])
			assert.EqualValues(t, 12*3600, got["validPeriod"])
			assert.EqualValues(t, now.Add(12*time.Hour).Unix(), got["expireTime"])
			assert.EqualValues(t, now.UnixMilli(), got["createTime"])
			if user, ok := got["user"].(map[string]any); assert.True(t, ok) {
				if tt.bodyUserID != "" {
					assert.Equal(t, tt.bodyUserID, user["userId"])
				}
				assert.NotEmpty(t, user["serviceAccount"])
			}
			assert.Equal(t, http.StatusOK, confDetail(t, s, tok, confID).Status, "the token works")
		})
	}
}

func TestAppAuthKeepsAtMost64TokensPerUser(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	now := clk.Now()

	other := appAuth(t, s, now, "other-user")
	tokens := make([]string, 65)
	for i := range tokens {
		tokens[i] = appAuth(t, s, now, "bot-user")
	}

	tests := []struct {
		name       string
		token      string
		wantStatus int
	}{
		{name: "oldest is evicted by the 65th", token: tokens[0], wantStatus: http.StatusUnauthorized},
		{name: "second oldest still live", token: tokens[1], wantStatus: http.StatusOK},
		{name: "newest live", token: tokens[64], wantStatus: http.StatusOK},
		{name: "other user unaffected", token: other, wantStatus: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := confDetail(t, s, tt.token, confID)
			if tt.wantStatus == http.StatusOK {
				assert.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
				return
			}
			assertError(t, r, tt.wantStatus, "USG.000000004")
		})
	}
}

func TestAccountAuth(t *testing.T) {
	t.Parallel()
	basic := func(acct, pw string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(acct+":"+pw))
	}
	tests := []struct {
		name       string
		auth       string
		body       string
		wantStatus int
		wantCode   string
	}{
		{name: "correct", auth: basic(account, password),
			body: `{"account":"` + account + `","clientType":72,"createTokenType":0}`, wantStatus: http.StatusOK},
		{name: "wrong password", auth: basic(account, "wrong-password"),
			body: `{"account":"` + account + `","clientType":72}`, wantStatus: 401, wantCode: "USG.000000004"},
		{name: "unknown account", auth: basic("eve@example.com", password),
			body: `{"account":"eve@example.com","clientType":72}`, wantStatus: 401, wantCode: "USG.000000004"},
		{name: "missing Authorization", body: `{"account":"` + account + `","clientType":72}`,
			wantStatus: 401, wantCode: "USG.000000004"},
		{name: "not Basic", auth: "Bearer abc", body: `{"account":"` + account + `","clientType":72}`,
			wantStatus: 401, wantCode: "USG.000000004"},
		{name: "password too short", auth: basic(account, "1234567"),
			body: `{"account":"` + account + `","clientType":72}`, wantStatus: 400, wantCode: "USG.000000001"},
		{name: "password too long", auth: basic(account, strings.Repeat("p", 33)),
			body: `{"account":"` + account + `","clientType":72}`, wantStatus: 400, wantCode: "USG.000000001"},
		{name: "body account differs", auth: basic(account, password),
			body: `{"account":"eve@example.com","clientType":72}`, wantStatus: 400, wantCode: "USG.000000001"},
		{name: "unsupported clientType", auth: basic(account, password),
			body: `{"account":"` + account + `","clientType":99}`, wantStatus: 400, wantCode: "USG.000000001"},
		{name: "malformed body", auth: basic(account, password), body: `{`, wantStatus: 400, wantCode: "USG.000000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			s := startServer(t, baseConfig(clk))
			h := map[string]string{"Content-Type": "application/json"}
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}

			r := do(t, http.MethodPost, s.URL()+"v1/usg/acs/auth/account", h, tt.body)

			if tt.wantStatus != http.StatusOK {
				assertError(t, r, tt.wantStatus, tt.wantCode)
				return
			}
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			got := r.JSON(t)
			tok, _ := got["accessToken"].(string)
			require.NotEmpty(t, tok)
			assert.EqualValues(t, 72, got["clientType"])
			assert.EqualValues(t, clk.Now().Add(12*time.Hour).Unix(), got["expireTime"])
			assert.Equal(t, http.StatusOK, confDetail(t, s, tok, confID).Status, "the token works")
		})
	}
}

func TestAccessTokenRejected(t *testing.T) {
	t.Parallel()
	endpoints := map[string]string{
		meetingfake.EndpointConfDetail: "v1/mmc/management/conferences/confDetail?conferenceID=" + confID,
		meetingfake.EndpointDirectory:  "v1/usg/abs/users?searchKey=alice",
	}
	tests := []struct {
		name  string
		token func(t *testing.T, s *meetingfake.Server, clk *clock) string
	}{
		{name: "missing", token: func(*testing.T, *meetingfake.Server, *clock) string { return "" }},
		{name: "unknown", token: func(*testing.T, *meetingfake.Server, *clock) string { return "cnr-made-up" }},
		{name: "expired", token: func(t *testing.T, s *meetingfake.Server, clk *clock) string {
			tok := appAuth(t, s, clk.Now(), "bot-user")
			clk.Advance(12*time.Hour + time.Second)
			return tok
		}},
		{name: "revoked by ExpireAccessTokens", token: func(t *testing.T, s *meetingfake.Server, clk *clock) string {
			tok := appAuth(t, s, clk.Now(), "bot-user")
			s.ExpireAccessTokens()
			return tok
		}},
	}
	for _, tt := range tests {
		for endpoint, path := range endpoints {
			t.Run(tt.name+"/"+endpoint, func(t *testing.T) {
				t.Parallel()
				clk := newClock()
				s := startServer(t, baseConfig(clk))
				tok := tt.token(t, s, clk)
				h := map[string]string{}
				if tok != "" {
					h["X-Access-Token"] = tok
				}

				r := do(t, http.MethodGet, s.URL()+path, h, "")

				assertError(t, r, http.StatusUnauthorized, "USG.000000004")
				assert.Equal(t, 1, s.Calls(endpoint))
			})
		}
	}
}

func TestAccessTokenAfterRevocation(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	s.ExpireAccessTokens()

	tok := appAuth(t, s, clk.Now(), "")

	assert.Equal(t, http.StatusOK, confDetail(t, s, tok, confID).Status, "tokens issued after revocation work")
}
