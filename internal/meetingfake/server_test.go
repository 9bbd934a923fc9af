package meetingfake_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

func TestStartRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  meetingfake.Config
	}{
		{name: "conference without ID", cfg: meetingfake.Config{Conferences: []meetingfake.Conference{{Subject: "x"}}}},
		{name: "duplicate conference", cfg: meetingfake.Config{Conferences: []meetingfake.Conference{{ID: "1"}, {ID: "1"}}}},
		{name: "unknown state", cfg: meetingfake.Config{Conferences: []meetingfake.Conference{{ID: "1", State: "Running"}}}},
		{name: "negative TTL", cfg: meetingfake.Config{AccessTokenTTL: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			s, err := meetingfake.Start(tt.cfg)

			assert.Error(t, err)
			assert.Nil(t, s)
		})
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	s := startServer(t, meetingfake.Config{})

	assert.True(t, strings.HasPrefix(s.URL(), "http://127.0.0.1:"), s.URL())
	assert.True(t, strings.HasSuffix(s.URL(), "/"), s.URL())
}

func TestFailNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		endpoint       string
		failure        meetingfake.Failure
		wantStatus     int
		wantCode       string
		wantBody       string // raw body, when not a JSON error
		wantRetryAfter string
	}{
		{name: "status and code", endpoint: meetingfake.EndpointInvite,
			failure:    meetingfake.Failure{Status: 400, Code: "MMC.111076008", Msg: "INVITE_FAILED_REASON"},
			wantStatus: 400, wantCode: "MMC.111076008"},
		{name: "rate limited with Retry-After", endpoint: meetingfake.EndpointAppAuth,
			failure:    meetingfake.Failure{Status: 429, RetryAfter: 7},
			wantStatus: 429, wantCode: "", wantRetryAfter: "7"},
		{name: "default status is 500", endpoint: meetingfake.EndpointConfDetail,
			failure: meetingfake.Failure{Code: "MMC.111070001"}, wantStatus: 500, wantCode: "MMC.111070001"},
		{name: "raw non-JSON body", endpoint: meetingfake.EndpointControlToken,
			failure:    meetingfake.Failure{Status: 502, Body: "<html>502 Bad Gateway</html>"},
			wantStatus: 502, wantBody: "<html>502 Bad Gateway</html>"},
		{name: "served before validation", endpoint: meetingfake.EndpointDirectory,
			failure: meetingfake.Failure{Status: 503, Code: "X"}, wantStatus: 503, wantCode: "X"},
	}
	paths := map[string]struct{ method, path string }{
		meetingfake.EndpointInvite:       {http.MethodPost, "v1/mmc/control/conferences/participants?conferenceID=" + confID},
		meetingfake.EndpointAppAuth:      {http.MethodPost, "v2/usg/acs/auth/appauth"},
		meetingfake.EndpointConfDetail:   {http.MethodGet, "v1/mmc/management/conferences/confDetail?conferenceID=" + confID},
		meetingfake.EndpointControlToken: {http.MethodGet, "v1/mmc/control/conferences/token?conferenceID=" + confID},
		meetingfake.EndpointDirectory:    {http.MethodGet, "v1/usg/abs/users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, baseConfig(newClock()))
			s.FailNext(tt.endpoint, tt.failure)
			p := paths[tt.endpoint]

			// No credentials at all: the failure wins over validation.
			first := do(t, p.method, s.URL()+p.path, nil, "")
			second := do(t, p.method, s.URL()+p.path, nil, "")

			assert.NotEmpty(t, first.Header.Get("X-Request-Id"))
			assert.Equal(t, tt.wantRetryAfter, first.Header.Get("Retry-After"))
			if tt.wantBody != "" {
				assert.Equal(t, tt.wantStatus, first.Status)
				assert.Equal(t, tt.wantBody, string(first.Body))
			} else {
				assertError(t, first, tt.wantStatus, tt.wantCode)
			}
			assert.NotEqual(t, tt.wantStatus, second.Status, "only the next request fails: %s", second.Body)
			assert.Equal(t, 2, s.Calls(tt.endpoint))
		})
	}
}

func TestFailNextQueuesInOrder(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	tok := controlToken(t, s, confID, chairPW)
	s.FailNext(meetingfake.EndpointInvite, meetingfake.Failure{Status: 500, Code: "MMC.111070110"})
	s.FailNext(meetingfake.EndpointInvite, meetingfake.Failure{Status: 400, Code: "MMC.111072007"})
	body := `{"attendees":[{"name":"alice","phone":"+99111244216210249","type":"normal"}]}`

	assertError(t, invite(t, s, confID, tok, body), 500, "MMC.111070110")
	assertError(t, invite(t, s, confID, tok, body), 400, "MMC.111072007")
	assert.Equal(t, http.StatusOK, invite(t, s, confID, tok, body).Status)

	assert.Len(t, s.Invitations(confID), 1, "failed calls are not recorded")
}

func TestFailNextDelayHonoursContext(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	s.FailNext(meetingfake.EndpointControlToken, meetingfake.Failure{Status: 500, Delay: time.Minute})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		s.URL()+"v1/mmc/control/conferences/token?conferenceID="+confID, nil)
	require.NoError(t, err)
	start := time.Now()

	resp, err := httpClient.Do(req)

	if resp != nil {
		resp.Body.Close()
	}
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
	next := controlTokenCall(t, s, confID, map[string]string{"X-Password": chairPW, "X-Login-Type": "1"})
	assert.Equal(t, http.StatusOK, next.Status, "the failure was consumed: %s", next.Body)
}

func TestFailNextDelayThenAnswer(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	s.FailNext(meetingfake.EndpointDirectory, meetingfake.Failure{Status: 504, Body: "gateway timeout", Delay: 50 * time.Millisecond})
	start := time.Now()

	r := do(t, http.MethodGet, s.URL()+"v1/usg/abs/users", nil, "")

	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
	assert.Equal(t, 504, r.Status)
	assert.Equal(t, "gateway timeout", string(r.Body))
}

func TestLatency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		latency time.Duration
	}{
		{name: "none", latency: 0},
		{name: "80ms", latency: 80 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := baseConfig(newClock())
			cfg.Latency = tt.latency
			s := startServer(t, cfg)
			start := time.Now()

			r := controlTokenCall(t, s, confID, map[string]string{"X-Password": chairPW, "X-Login-Type": "1"})

			assert.Equal(t, http.StatusOK, r.Status)
			assert.GreaterOrEqual(t, time.Since(start), tt.latency)
		})
	}
}

func TestEveryResponseHasRequestID(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	s.FailNext(meetingfake.EndpointRealTimeInfo, meetingfake.Failure{Status: 502, Body: "<html>bad gateway</html>"})
	tests := []struct {
		name       string
		method     string
		path       string
		header     map[string]string
		wantStatus int
		wantCode   string
		wantID     string
	}{
		{name: "unknown path", method: http.MethodGet, path: "v1/nope", wantStatus: 404, wantCode: "APIGW.0101"},
		{name: "wrong method", method: http.MethodGet, path: "v2/usg/acs/auth/appauth", wantStatus: 404, wantCode: "APIGW.0101"},
		{name: "401", method: http.MethodGet, path: "v1/usg/abs/users", wantStatus: 401, wantCode: "USG.000000004"},
		{name: "400", method: http.MethodGet, path: "v1/mmc/control/conferences/token", wantStatus: 400, wantCode: "MMC.111071061"},
		{name: "200", method: http.MethodGet, path: "v1/mmc/control/conferences/token?conferenceID=" + confID,
			header: map[string]string{"X-Password": chairPW, "X-Login-Type": "1"}, wantStatus: 200},
		{name: "raw failure", method: http.MethodGet, path: "v1/mmc/control/conferences/realTimeInfo", wantStatus: 502},
		{name: "caller's id echoed", method: http.MethodGet, path: "v1/usg/abs/users",
			header: map[string]string{"X-Request-Id": "6f1c1b2a-0d55-4f7e-9a7b-2c8d1e3f4a5b"}, wantStatus: 401,
			wantCode: "USG.000000004", wantID: "6f1c1b2a-0d55-4f7e-9a7b-2c8d1e3f4a5b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			r := do(t, tt.method, s.URL()+tt.path, tt.header, "")

			id := r.Header.Get("X-Request-Id")
			assert.NotEmpty(t, id)
			if tt.wantID != "" {
				assert.Equal(t, tt.wantID, id)
			}
			if tt.wantCode != "" {
				assertError(t, r, tt.wantStatus, tt.wantCode)
			} else {
				assert.Equal(t, tt.wantStatus, r.Status)
			}
		})
	}
}

func TestRequestIDsAreUnique(t *testing.T) {
	t.Parallel()
	s := startServer(t, meetingfake.Config{})
	seen := map[string]bool{}

	for range 20 {
		id := do(t, http.MethodGet, s.URL()+"v1/usg/abs/users", nil, "").Header.Get("X-Request-Id")
		assert.False(t, seen[id], "duplicate %s", id)
		seen[id] = true
	}
}

func TestCloseStopsDelayedRequests(t *testing.T) {
	t.Parallel()
	s, err := meetingfake.Start(baseConfig(newClock()))
	require.NoError(t, err)
	s.FailNext(meetingfake.EndpointInvite, meetingfake.Failure{Status: 500, Delay: time.Minute})
	errc := make(chan error, 1)
	go func() {
		_, err := send(context.Background(), http.MethodPost,
			s.URL()+"v1/mmc/control/conferences/participants?conferenceID="+confID, nil, "")
		errc <- err
	}()
	require.Eventually(t, func() bool { return s.Calls(meetingfake.EndpointInvite) == 1 }, 5*time.Second, 5*time.Millisecond)
	start := time.Now()

	s.Close()
	s.Close() // idempotent

	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Error(t, <-errc, "the delayed request was cut off")
	_, err = send(t.Context(), http.MethodGet, s.URL()+"v1/usg/abs/users", nil, "")
	assert.Error(t, err, "nothing listens after Close")
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	ctl := controlToken(t, s, confID, chairPW)
	access := appAuth(t, s, clk.Now(), "bot-user")
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// Only assert here: this is not the test goroutine.
			ctx := t.Context()
			r, err := send(ctx, http.MethodPost, s.URL()+"v1/mmc/control/conferences/participants?conferenceID="+confID,
				map[string]string{"X-Conference-Authorization": ctl},
				fmt.Sprintf(`{"attendees":[{"name":"p%d","phone":"+86138%08d","type":"mobile"}]}`, i, i))
			if assert.NoError(t, err) {
				assert.Equal(t, http.StatusOK, r.Status, "invite %d: %s", i, r.Body)
			}
			r, err = send(ctx, http.MethodGet, s.URL()+"v1/mmc/management/conferences/confDetail?conferenceID="+confID,
				map[string]string{"X-Access-Token": access}, "")
			if assert.NoError(t, err) {
				assert.Equal(t, http.StatusOK, r.Status, "confDetail %d: %s", i, r.Body)
			}
			s.SetState(otherConf, "Created")
			s.AddDirectoryUser(meetingfake.DirectoryUser{Name: fmt.Sprint("u", i)})
			_ = s.Invitations(confID)
			_ = s.Calls(meetingfake.EndpointInvite)
		})
	}
	wg.Wait()

	assert.Len(t, s.Invitations(confID), n)
	assert.Equal(t, n, s.Calls(meetingfake.EndpointInvite))
}

func BenchmarkInvite(b *testing.B) {
	s := startServer(b, baseConfig(newClock()))
	tok := controlToken(b, s, confID, chairPW)
	body := `{"attendees":[{"name":"alice","phone":"+99111244216210249","type":"normal"}]}`
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.Cleanup(client.CloseIdleConnections)
	url := s.URL() + "v1/mmc/control/conferences/participants?conferenceID=" + confID
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, err := http.NewRequestWithContext(b.Context(), http.MethodPost, url, strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			req.Header.Set("X-Conference-Authorization", tok)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
