package meeting_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

func TestAPIErrorIs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		code   string
		want   error // nil: no sentinel
	}{
		{code: "MMC.111070005", want: meeting.ErrNotFound},
		{code: "MMC.111081002", want: meeting.ErrNotFound},
		{code: "MMC.111070004", want: meeting.ErrNotFound},
		{code: "MMC.111072005", want: meeting.ErrNotStarted},
		{code: "MMC.111072004", want: meeting.ErrStarting},
		{code: "MMC.111072006", want: meeting.ErrEnded},
		{code: "MMC.111072003", want: meeting.ErrEnded},
		{code: "MMC.111071072", want: meeting.ErrEnded},
		{code: "MMC.111072065", want: meeting.ErrHostAuth},
		{code: "MMC.111072064", want: meeting.ErrControlLocked},
		{code: "MMC.111070002", want: meeting.ErrForbidden},
		{code: "MMC.111070111", want: meeting.ErrInternal},
		{code: "MMC.111070001", want: meeting.ErrInternal},
		{code: "MMC.111071061", want: meeting.ErrInternal},
		{code: "MMC.111072057", want: meeting.ErrInternal},
		{code: "MMC.111072034", want: meeting.ErrInternal},
		{code: "MMC.111072046", want: meeting.ErrInternal},
		{code: "MMC.111072035", want: meeting.ErrInternal},
		{code: "MMC.111072031", want: meeting.ErrBadInvitee},
		{code: "MMC.111072032", want: meeting.ErrBadInvitee},
		{code: "MMC.111072033", want: meeting.ErrBadInvitee},
		{code: "MMC.111072036", want: meeting.ErrBadInvitee},
		{code: "MMC.111072037", want: meeting.ErrBadInvitee},
		{code: "MMC.111071024", want: meeting.ErrBadInvitee},
		{code: "MMC.111071025", want: meeting.ErrBadInvitee},
		{code: "MMC.111076006", want: meeting.ErrBadInvitee},
		{code: "USG.201040000", want: meeting.ErrBadInvitee},
		{code: "MMC.111072101", want: meeting.ErrFull},
		{code: "MMC.111076015", want: meeting.ErrFull},
		{code: "MMC.111071066", want: meeting.ErrFull},
		{code: "MMC.111076003", want: meeting.ErrFull},
		{code: "MMC.111076004", want: meeting.ErrCapacity},
		{code: "MMC.111072050", want: meeting.ErrMeetingLocked},
		{code: "MMC.111072007", want: meeting.ErrInviteFailed},
		{code: "MMC.111070110", want: meeting.ErrInviteFailed},
		{code: "MMC.111076012", want: meeting.ErrPSTNDisabled},
		{code: "MMC.111082008", want: meeting.ErrPSTNDisabled},
		{code: "MMC.111076007", want: meeting.ErrCallFailed},
		{code: "MMC.111076008", want: meeting.ErrCallFailed},
		{code: "MMC.111076009", want: meeting.ErrCallFailed},
		{code: "MMC.111076014", want: meeting.ErrCallFailed},
		{code: "USG.000000004", want: meeting.ErrUnauthorized},
		{code: "100000429", want: meeting.ErrRateLimited},
		{name: "401 without code", status: 401, want: meeting.ErrUnauthorized},
		{name: "403 without code", status: 403, want: meeting.ErrForbidden},
		{name: "429 without code", status: 429, want: meeting.ErrRateLimited},
		{name: "500 without code", status: 500, want: meeting.ErrUnavailable},
		{name: "503 with unknown code", status: 503, code: "MMC.999", want: meeting.ErrUnavailable},
		{name: "code wins over 500", status: 500, code: "MMC.111070111", want: meeting.ErrInternal},
		{name: "code wins over 401", status: 401, code: "MMC.111072065", want: meeting.ErrHostAuth},
		{name: "400 with unknown code", status: 400, code: "MMC.999"},
		{name: "404 without code", status: 404},
		{name: "USG.201040001 is not mapped", status: 400, code: "USG.201040001"},
	}
	for _, tt := range tests {
		name := tt.name
		if name == "" {
			name = tt.code
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			status := tt.status
			if status == 0 {
				status = http.StatusBadRequest
			}
			err := fmt.Errorf("wrapped: %w", &meeting.APIError{StatusCode: status, Code: tt.code, RequestID: "r"})
			for _, s := range apiSentinels {
				assert.Equal(t, s == tt.want, errors.Is(err, s), "errors.Is(%v)", s)
			}
		})
	}
}

func TestAPIErrorFromResponse(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 3000)
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		header      string // X-Request-Id response header
		want        meeting.APIError
		wantIs      error // nil: no sentinel at all
	}{
		{name: "known code", status: 400, body: `{"error_code":"MMC.111072005","error_msg":"CONF_NOT_STARTED","request_id":"req-1"}`,
			header: "hdr", want: meeting.APIError{StatusCode: 400, Code: "MMC.111072005", Message: "CONF_NOT_STARTED", RequestID: "req-1"},
			wantIs: meeting.ErrNotStarted},
		{name: "unknown code", status: 400, body: `{"error_code":"MMC.123456789","error_msg":"NEW_THING","request_id":"req-2"}`,
			want: meeting.APIError{StatusCode: 400, Code: "MMC.123456789", Message: "NEW_THING", RequestID: "req-2"}},
		{name: "request id from header", status: 400, body: `{"error_code":"MMC.111070005","error_msg":"CONF_DATA_NOT_FOUND"}`,
			header: "hdr-3", want: meeting.APIError{StatusCode: 400, Code: "MMC.111070005", Message: "CONF_DATA_NOT_FOUND", RequestID: "hdr-3"},
			wantIs: meeting.ErrNotFound},
		{name: "numeric code", status: 400, body: `{"error_code":100000429,"error_msg":"flow control"}`,
			want: meeting.APIError{StatusCode: 400, Code: "100000429", Message: "flow control"}, wantIs: meeting.ErrRateLimited},
		{name: "non-JSON 500", status: 500, contentType: "text/html", body: "  <html>502 Bad Gateway</html>\n", header: "hdr-4",
			want: meeting.APIError{StatusCode: 500, Message: "<html>502 Bad Gateway</html>", RequestID: "hdr-4"}, wantIs: meeting.ErrUnavailable},
		{name: "empty 401", status: 401, want: meeting.APIError{StatusCode: 401}, wantIs: meeting.ErrUnauthorized},
		{name: "long text body kept, capped in Error()", status: 502, body: long,
			want: meeting.APIError{StatusCode: 502, Message: long}, wantIs: meeting.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mux, c := setup(t, appCreds)
			mux.HandleFunc(invitePath, func(w http.ResponseWriter, r *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				if tt.header != "" {
					w.Header().Set("X-Request-Id", tt.header)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})

			err := c.InviteParticipants(t.Context(), "ctl", meeting.InviteRequest{
				ConferenceID: confID,
				Attendees:    []meeting.Attendee{{Name: "Alice", Phone: "2001", Type: meeting.TypeNormal}},
			})
			var apiErr *meeting.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.want, *apiErr)
			for _, s := range apiSentinels {
				assert.Equal(t, s == tt.wantIs, errors.Is(err, s), "errors.Is(%v)", s)
			}
			assert.Less(t, len(apiErr.Error()), 300, "Error() caps the message")
		})
	}
}

func TestTransportErrors(t *testing.T) {
	t.Parallel()
	attendees := []meeting.Attendee{{Name: "Alice", Phone: "2001", Type: meeting.TypeNormal}}
	tests := []struct {
		name        string
		httpClient  *http.Client
		ctx         func(t *testing.T) context.Context
		closed      bool // the server is gone
		wantIs      []error
		wantNotIs   []error
		wantAs      func(err error) bool
		wantReached bool // the request reached the server
	}{
		{name: "client timeout", httpClient: &http.Client{Timeout: 50 * time.Millisecond},
			wantIs: []error{meeting.ErrUnavailable, context.DeadlineExceeded}, wantReached: true,
			wantAs: func(err error) bool { var ne net.Error; return errors.As(err, &ne) && ne.Timeout() }},
		{name: "caller deadline", ctx: func(t *testing.T) context.Context {
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			t.Cleanup(cancel)
			return ctx
		}, wantIs: []error{meeting.ErrUnavailable, context.DeadlineExceeded}, wantReached: true},
		{name: "caller cancels during the call", ctx: func(t *testing.T) context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(50*time.Millisecond, cancel)
			t.Cleanup(cancel)
			return ctx
		}, wantIs: []error{context.Canceled}, wantNotIs: []error{meeting.ErrUnavailable}, wantReached: true},
		{name: "caller cancelled before", ctx: func(t *testing.T) context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			return ctx
		}, wantIs: []error{context.Canceled}, wantNotIs: []error{meeting.ErrUnavailable}},
		{name: "connection refused", closed: true, wantIs: []error{meeting.ErrUnavailable},
			wantAs: func(err error) bool { var oe *net.OpError; return errors.As(err, &oe) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var reached atomic.Bool
			mux := http.NewServeMux()
			mux.HandleFunc(invitePath, func(w http.ResponseWriter, r *http.Request) {
				reached.Store(true)
				_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client leaving
				select {                           // hang until the client gives up
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			})
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			opts := []meeting.Option{meeting.WithBaseURL(srv.URL + "/api/")}
			if tt.httpClient != nil {
				opts = append(opts, meeting.WithHTTPClient(tt.httpClient))
			}
			c, err := meeting.NewClient(appCreds, opts...)
			require.NoError(t, err)
			if tt.closed {
				srv.Close()
			}
			ctx := t.Context()
			if tt.ctx != nil {
				ctx = tt.ctx(t)
			}

			err = c.InviteParticipants(ctx, "ctl", meeting.InviteRequest{ConferenceID: confID, Attendees: attendees})
			require.Error(t, err)
			for _, want := range tt.wantIs {
				assert.ErrorIs(t, err, want)
			}
			for _, notWant := range tt.wantNotIs {
				assert.NotErrorIs(t, err, notWant)
			}
			if tt.wantAs != nil {
				assert.True(t, tt.wantAs(err), "the cause is reachable: %v", err)
			}
			assert.Equal(t, tt.wantReached, reached.Load())
			assert.NotContains(t, err.Error(), "conferenceID=", "the query is stripped from transport errors")
		})
	}
}

// TestNoSecretsInErrorsOrLogs drives failing calls that carry every secret the client
// handles and checks that none of them appears in an error string or a log line.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	const (
		accessTok  = "ACCESS-secret-0006"
		controlTok = "CONTROL-secret-0007"
		account    = "bot@example.com"
		accountPW  = "ACCOUNTPW-secret-0008"
	)
	secrets := []string{appKey, chairPW, typedPW, guestPW, accessTok, controlTok, accountPW,
		base64.StdEncoding.EncodeToString([]byte(account + ":" + accountPW))}
	okAuth := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"accessToken": accessTok, "validPeriod": 86400})
	}
	okDetail := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, detailBody("Created", chairPW))
	}
	okToken := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, controlTokenBody(controlTok, time.Now().Add(30*time.Minute), 1800))
	}
	unauthorized := func(w http.ResponseWriter, r *http.Request) { writeError(w, http.StatusUnauthorized, "USG.000000004") }
	tests := []struct {
		name     string
		creds    meeting.Credentials
		handlers map[string]http.HandlerFunc
		call     func(ctx context.Context, c *meeting.Client) error
	}{
		{name: "app id authentication rejected", creds: appCreds,
			handlers: map[string]http.HandlerFunc{"POST /api/v2/usg/acs/auth/appauth": unauthorized},
			call: func(ctx context.Context, c *meeting.Client) error {
				_, err := c.Prepare(ctx, confID, typedPW)
				return err
			}},
		{name: "account authentication rejected", creds: meeting.Credentials{Account: account, Password: accountPW},
			handlers: map[string]http.HandlerFunc{"POST /api/v1/usg/acs/auth/account": unauthorized},
			call: func(ctx context.Context, c *meeting.Client) error {
				_, err := c.FindUserByEmail(ctx, "a@b.c")
				return err
			}},
		{name: "access token rejected twice", creds: appCreds,
			handlers: map[string]http.HandlerFunc{
				"POST /api/v2/usg/acs/auth/appauth":                 okAuth,
				"GET /api/v1/mmc/management/conferences/confDetail": unauthorized,
			},
			call: func(ctx context.Context, c *meeting.Client) error { _, err := c.Prepare(ctx, confID, ""); return err }},
		{name: "host password rejected", creds: appCreds,
			handlers: map[string]http.HandlerFunc{
				"POST /api/v2/usg/acs/auth/appauth":                 okAuth,
				"GET /api/v1/mmc/management/conferences/confDetail": okDetail,
				"GET /api/v1/mmc/control/conferences/token": func(w http.ResponseWriter, r *http.Request) {
					writeError(w, http.StatusBadRequest, "MMC.111072065")
				},
			},
			call: func(ctx context.Context, c *meeting.Client) error {
				_, err := c.Prepare(ctx, confID, typedPW)
				return err
			}},
		{name: "control token rejected twice", creds: appCreds,
			handlers: map[string]http.HandlerFunc{
				"POST /api/v2/usg/acs/auth/appauth":                 okAuth,
				"GET /api/v1/mmc/management/conferences/confDetail": okDetail,
				"GET /api/v1/mmc/control/conferences/token":         okToken,
				invitePath: unauthorized,
			},
			call: func(ctx context.Context, c *meeting.Client) error {
				_, err := c.Invite(ctx, confID, []meeting.Attendee{{Name: "Alice", Phone: "2001", Type: meeting.TypeNormal}})
				return err
			}},
		{name: "control token call times out", creds: appCreds,
			handlers: map[string]http.HandlerFunc{
				"POST /api/v2/usg/acs/auth/appauth":                 okAuth,
				"GET /api/v1/mmc/management/conferences/confDetail": okDetail,
				"GET /api/v1/mmc/control/conferences/token": func(w http.ResponseWriter, r *http.Request) {
					<-r.Context().Done()
				},
			},
			call: func(ctx context.Context, c *meeting.Client) error {
				ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				defer cancel()
				_, err := c.Prepare(ctx, confID, "")
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer // written only on the calling goroutine
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			mux, c := setup(t, tt.creds, meeting.WithLogger(logger))
			for pattern, h := range tt.handlers {
				mux.HandleFunc(pattern, h)
			}

			err := tt.call(t.Context(), c)
			require.Error(t, err)
			require.NotEmpty(t, logs.String(), "debug logs were written")
			for _, s := range secrets {
				assert.NotContains(t, err.Error(), s)
				assert.NotContains(t, fmt.Sprintf("%+v", err), s)
				assert.NotContains(t, logs.String(), s)
			}
		})
	}
}

func TestSecretsHiddenWhenPrinted(t *testing.T) {
	t.Parallel()
	creds := meeting.Credentials{AppID: appID, AppKey: appKey, Account: "bot", Password: "ACCOUNTPW-secret-0008"}
	detail := meeting.ConferenceDetail{ConferenceData: meeting.ConferenceInfo{
		PasswordEntry: []meeting.PasswordEntry{{ConferenceRole: "chair", Password: chairPW}},
	}}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "creds", creds)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "creds", creds)

	for _, text := range []string{
		fmt.Sprint(creds), fmt.Sprintf("%+v", creds), fmt.Sprintf("%#v", creds),
		fmt.Sprintf("%+v", detail), fmt.Sprintf("%#v", detail), logs.String(),
	} {
		assert.NotContains(t, text, appKey)
		assert.NotContains(t, text, "ACCOUNTPW-secret-0008")
		assert.NotContains(t, text, chairPW)
	}
	assert.Contains(t, fmt.Sprint(creds), appID)
}

func TestAPIErrorKnown(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"MMC.111070005", "MMC.111072005", "MMC.111072050", "MMC.111076012", "USG.000000004", "USG.201040001", ""} {
		assert.True(t, (&meeting.APIError{StatusCode: 400, Code: code}).Known(), code)
	}
	for _, code := range []string{"MMC.111099999", "USG.999", "CMS.1"} {
		assert.False(t, (&meeting.APIError{StatusCode: 400, Code: code}).Known(), code)
	}
}

func TestUnknownCodesAreLoggedAndReported(t *testing.T) {
	t.Parallel()
	var (
		logs     logBuffer
		reported []string
	)
	mux, c := setup(t, appCreds,
		meeting.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		meeting.WithUnknownCode(func(code string) { reported = append(reported, code) }))
	handleAuth(t, mux, time.Now, 24*time.Hour)
	codes := []string{"MMC.111099999", "MMC.111072005"}
	var n atomic.Int32
	mux.HandleFunc("GET /api/v1/mmc/management/conferences/confDetail", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusBadRequest, codes[n.Add(1)-1])
	})

	_, err := c.ConferenceDetail(t.Context(), confID)
	require.Error(t, err)
	_, err = c.ConferenceDetail(t.Context(), confID)
	require.ErrorIs(t, err, meeting.ErrNotStarted)

	assert.Equal(t, []string{"MMC.111099999"}, reported, "only the code not in the table")
	assert.Contains(t, logs.String(), "code=MMC.111099999")
	assert.Contains(t, logs.String(), "not in the table")
	assert.NotContains(t, logs.String(), "MMC.111072005")
}
