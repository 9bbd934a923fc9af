package meeting_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

func TestNewClient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		creds   meeting.Credentials
		opts    []meeting.Option
		wantErr bool
	}{
		{name: "app id", creds: appCreds},
		{name: "account", creds: meeting.Credentials{Account: "bot", Password: "PASS-secret"}},
		{name: "app id wins over account", creds: meeting.Credentials{AppID: appID, AppKey: appKey, Account: "bot"}},
		{name: "no credentials", wantErr: true},
		{name: "app id without key", creds: meeting.Credentials{AppID: appID}, wantErr: true},
		{name: "account without password", creds: meeting.Credentials{Account: "bot"}, wantErr: true},
		{name: "relative base URL", creds: appCreds, opts: []meeting.Option{meeting.WithBaseURL("api/")}, wantErr: true},
		{name: "ftp base URL", creds: appCreds, opts: []meeting.Option{meeting.WithBaseURL("ftp://example.com/")}, wantErr: true},
		{name: "unparsable base URL", creds: appCreds, opts: []meeting.Option{meeting.WithBaseURL("http://[::1")}, wantErr: true},
		{name: "nil options keep defaults", creds: appCreds,
			opts: []meeting.Option{meeting.WithHTTPClient(nil), meeting.WithClock(nil), meeting.WithLogger(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := meeting.NewClient(tt.creds, tt.opts...)
			if tt.wantErr {
				require.Error(t, err)
				assert.Nil(t, c)
				assert.NotContains(t, err.Error(), appKey)
				return
			}
			require.NoError(t, err)
			assert.NotNil(t, c)
		})
	}
}

func TestBaseURLGetsTrailingSlash(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	var calls atomic.Int32
	mux.HandleFunc("POST /api/v2/usg/acs/auth/appauth", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusOK, map[string]any{"accessToken": "tok-1", "validPeriod": 3600})
	})
	mux.HandleFunc("GET /api/v1/usg/abs/users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := meeting.NewClient(appCreds, meeting.WithBaseURL(srv.URL+"/api"))
	require.NoError(t, err)

	_, err = c.SearchDirectory(t.Context(), meeting.SearchDirectoryRequest{SearchKey: "x"})
	require.NoError(t, err)
	assert.Equal(t, int32(1), calls.Load())
}

func TestAppIDAuthentication(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		userID string
	}{
		{name: "enterprise administrator (no userId)", userID: ""},
		{name: "third-party user", userID: "bot-user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			creds := meeting.Credentials{AppID: appID, AppKey: appKey, UserID: tt.userID}
			mux, c := setup(t, creds, meeting.WithClock(clk.Now))
			mux.HandleFunc("POST /api/v2/usg/acs/auth/appauth", func(w http.ResponseWriter, r *http.Request) {
				assert.NotEmpty(t, r.Header.Get("X-Request-Id"))
				assert.Equal(t, "application/json", r.Header.Get("Accept"))
				body := decodeBody(t, r)
				checkAppAuth(t, r, body, tt.userID, clk.Now())
				wantExp := strconv.FormatInt(clk.Now().Add(600*time.Second).Unix(), 10)
				assert.Equal(t, json.Number(wantExp), body["expireTime"])
				if tt.userID == "" {
					// An empty userId is signed as "appId::expireTime:nonce".
					nonce, _ := body["nonce"].(string)
					want := "HMAC-SHA256 signature=" + hmacHex(appKey, appID+"::"+wantExp+":"+nonce) +
						",access=ZmRiOGU0Njk5NTg2NDU4YmJkMTBjODM0ODcyZGNjNjI=" // the doc's sample
					assert.Equal(t, want, r.Header.Get("Authorization"))
				}
				writeJSON(w, http.StatusOK, map[string]any{"accessToken": "tok-1", "validPeriod": 86400,
					"expireTime": clk.Now().Add(24 * time.Hour).Unix()})
			})
			mux.HandleFunc("GET /api/v1/mmc/management/conferences/confDetail", func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, "tok-1", r.Header.Get("X-Access-Token"))
				assert.Equal(t, "application/json", r.Header.Get("Accept"))
				writeJSON(w, http.StatusOK, detailBody("Created", chairPW))
			})

			d, err := c.ConferenceDetail(t.Context(), confID)
			require.NoError(t, err)
			assert.Equal(t, confID, d.ConferenceData.ConferenceID)
			assert.Equal(t, []meeting.PasswordEntry{
				{ConferenceRole: "general", Password: guestPW},
				{ConferenceRole: "chair", Password: chairPW},
			}, d.ConferenceData.PasswordEntry)
		})
	}
}

func TestAccountAuthentication(t *testing.T) {
	t.Parallel()
	creds := meeting.Credentials{Account: "bot@example.com", Password: "PASS-secret-0005"}
	mux, c := setup(t, creds)
	mux.HandleFunc("POST /api/v1/usg/acs/auth/account", func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		assert.True(t, ok, "Basic authorization")
		assert.Equal(t, creds.Account, user)
		assert.Equal(t, creds.Password, pass)
		assert.Equal(t, map[string]any{
			"account":         creds.Account,
			"clientType":      json.Number("72"),
			"createTokenType": json.Number("0"),
		}, decodeBody(t, r))
		writeJSON(w, http.StatusOK, map[string]any{"accessToken": "tok-1", "validPeriod": 86400})
	})
	mux.HandleFunc("GET /api/v1/mmc/management/conferences/confDetail", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "tok-1", r.Header.Get("X-Access-Token"))
		writeJSON(w, http.StatusOK, detailBody("Created", chairPW))
	})

	_, err := c.ConferenceDetail(t.Context(), confID)
	require.NoError(t, err)
}

func TestAccessTokenIsCached(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds)
	auths := handleAuth(t, mux, time.Now, 24*time.Hour)
	var (
		mu         sync.Mutex
		requestIDs = map[string]bool{}
	)
	mux.HandleFunc("GET /api/v1/mmc/management/conferences/confDetail", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requestIDs[r.Header.Get("X-Request-Id")] = true
		mu.Unlock()
		assert.Equal(t, "tok-1", r.Header.Get("X-Access-Token"))
		writeJSON(w, http.StatusOK, detailBody("Created", chairPW))
	})

	for range 5 {
		_, err := c.ConferenceDetail(t.Context(), confID)
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), auths.Load())
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, requestIDs, 5, "a fresh X-Request-Id per request")
}

func TestAccessTokenConcurrentCallersShareOneRenewal(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds)
	release := make(chan struct{})
	var auths atomic.Int32
	mux.HandleFunc("POST /api/v2/usg/acs/auth/appauth", func(w http.ResponseWriter, r *http.Request) {
		auths.Add(1)
		<-release
		writeJSON(w, http.StatusOK, map[string]any{"accessToken": "tok-1", "validPeriod": 86400})
	})
	mux.HandleFunc("GET /api/v1/mmc/management/conferences/confDetail", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "tok-1", r.Header.Get("X-Access-Token"))
		writeJSON(w, http.StatusOK, detailBody("Created", chairPW))
	})

	const callers = 10
	errs := make(chan error, callers)
	for range callers {
		go func() {
			_, err := c.ConferenceDetail(t.Context(), confID)
			errs <- err
		}()
	}
	require.Eventually(t, func() bool { return auths.Load() == 1 }, 5*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond) // let the other callers queue behind the renewal
	close(release)
	for range callers {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, int32(1), auths.Load())
}

func TestAccessTokenRenewedNearExpiry(t *testing.T) {
	t.Parallel()
	clk := newClock()
	mux, c := setup(t, appCreds, meeting.WithClock(clk.Now))
	auths := handleAuth(t, mux, clk.Now, time.Hour)
	var lastToken atomic.Value
	mux.HandleFunc("GET /api/v1/mmc/management/conferences/confDetail", func(w http.ResponseWriter, r *http.Request) {
		lastToken.Store(r.Header.Get("X-Access-Token"))
		writeJSON(w, http.StatusOK, detailBody("Created", chairPW))
	})

	steps := []struct {
		advance   time.Duration
		wantAuths int32
		wantToken string
	}{
		{advance: 0, wantAuths: 1, wantToken: "tok-1"},
		{advance: 49 * time.Minute, wantAuths: 1, wantToken: "tok-1"}, // 11 min left
		{advance: 2 * time.Minute, wantAuths: 2, wantToken: "tok-2"},  // 9 min left: renew
		{advance: 49 * time.Minute, wantAuths: 2, wantToken: "tok-2"},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		_, err := c.ConferenceDetail(t.Context(), confID)
		require.NoError(t, err, "step %d", i)
		assert.Equal(t, s.wantAuths, auths.Load(), "step %d", i)
		assert.Equal(t, s.wantToken, lastToken.Load(), "step %d", i)
	}
}

func TestAccessTokenRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		code        string
		rejectAll   bool
		wantErr     error
		wantDetails int32
	}{
		{name: "401 without code: renew and retry", status: http.StatusUnauthorized, wantDetails: 2},
		{name: "USG.000000004: renew and retry", status: http.StatusUnauthorized, code: "USG.000000004", wantDetails: 2},
		{name: "USG.000000004 with status 400", status: http.StatusBadRequest, code: "USG.000000004", wantDetails: 2},
		{name: "keeps failing: one retry only", status: http.StatusUnauthorized, code: "USG.000000004",
			rejectAll: true, wantErr: meeting.ErrUnauthorized, wantDetails: 2},
		{name: "other errors are not retried", status: http.StatusBadRequest, code: "MMC.111070005",
			rejectAll: true, wantErr: meeting.ErrNotFound, wantDetails: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mux, c := setup(t, appCreds)
			auths := handleAuth(t, mux, time.Now, 24*time.Hour)
			var details atomic.Int32
			mux.HandleFunc("GET /api/v1/mmc/management/conferences/confDetail", func(w http.ResponseWriter, r *http.Request) {
				details.Add(1)
				if tt.rejectAll || r.Header.Get("X-Access-Token") == "tok-1" {
					if tt.code == "" {
						w.WriteHeader(tt.status)
						return
					}
					writeError(w, tt.status, tt.code)
					return
				}
				writeJSON(w, http.StatusOK, detailBody("Created", chairPW))
			})

			_, err := c.ConferenceDetail(t.Context(), confID)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantDetails, details.Load())
			assert.Equal(t, tt.wantDetails, auths.Load())
		})
	}
}

func TestAuthenticationRejected(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds)
	var auths atomic.Int32
	mux.HandleFunc("POST /api/v2/usg/acs/auth/appauth", func(w http.ResponseWriter, r *http.Request) {
		auths.Add(1)
		writeError(w, http.StatusUnauthorized, "USG.000000004")
	})

	_, err := c.ConferenceDetail(t.Context(), confID)
	require.ErrorIs(t, err, meeting.ErrUnauthorized)
	var apiErr *meeting.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "req-USG.000000004", apiErr.RequestID)
	assert.Equal(t, int32(1), auths.Load(), "a failed authentication is not retried")
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds)
	calls := handleAuth(t, mux, time.Now, 24*time.Hour)
	require.NoError(t, c.SignIn(t.Context()))
	require.NoError(t, c.SignIn(t.Context()), "a second sign-in reuses the token")
	assert.Equal(t, int32(1), calls.Load())

	mux2, bad := setup(t, meeting.Credentials{AppID: appID, AppKey: "wrong"})
	mux2.HandleFunc("POST /api/v2/usg/acs/auth/appauth", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusUnauthorized, "USG.000000004")
	})
	err := bad.SignIn(t.Context())
	require.ErrorIs(t, err, meeting.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong", "the key never appears in errors")
}
