package preflight_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/preflight"
)

// refusedAddr returns an address on 127.0.0.1 where nothing listens.
func refusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestNetworkProblem makes real failing requests and checks each is told as
// a network problem naming the host.
func TestNetworkProblem(t *testing.T) {
	t.Parallel()
	refused := refusedAddr(t)
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake the test fails on purpose
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	hang, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	require.NoError(t, err)
	t.Cleanup(func() { _ = hang.Close() })

	proxied := &http.Transport{Proxy: func(*http.Request) (*url.URL, error) { return url.Parse("http://" + refused) }}
	tests := []struct {
		name      string
		client    *http.Client
		url       string
		want      string
		wantInMsg string
	}{
		{"refused", http.DefaultClient, "http://" + refused + "/api/auth.test?token=xoxb-secret", "refused", refused},
		{"dns", http.DefaultClient, "http://no-such-host.invalid/api", "cannot resolve no-such-host.invalid", "DNS"},
		{"untrusted certificate", http.DefaultClient, tlsSrv.URL, "not trusted", strings.TrimPrefix(tlsSrv.URL, "https://")},
		{"proxy down", &http.Client{Transport: proxied}, "http://example.invalid/", "cannot reach the proxy " + refused, "example.invalid"},
		{"timeout", &http.Client{Timeout: 100 * time.Millisecond}, "http://" + hang.Addr().String() + "/", "no answer from " + hang.Addr().String(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, tt.url, nil)
			require.NoError(t, err)
			resp, err := tt.client.Do(req)
			if resp != nil {
				_ = resp.Body.Close()
			}
			require.Error(t, err)
			msg, ok := preflight.NetworkProblem(err)
			require.True(t, ok, "%v", err)
			assert.Contains(t, msg, tt.want)
			assert.Contains(t, msg, tt.wantInMsg)
			assert.NotContains(t, msg, "xoxb-secret")
		})
	}
}

func TestNotANetworkProblem(t *testing.T) {
	t.Parallel()
	for _, err := range []error{nil, context.Canceled, tls.AlertError(0), assert.AnError} {
		_, ok := preflight.NetworkProblem(err)
		assert.False(t, ok, "%v", err)
	}
}
