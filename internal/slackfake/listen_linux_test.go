package slackfake_test

import (
	"net"
	"net/url"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A connection to the fake carries the internet's segments, not loopback's
// 64 KiB ones (listen_linux.go): the largest segment this end may send is
// what the fake announced.
func TestConnectionsCarryInternetSizedSegments(t *testing.T) {
	t.Parallel()
	s := start(t, seed())
	u, err := url.Parse(s.APIURL())
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	raw, err := conn.(*net.TCPConn).SyscallConn()
	require.NoError(t, err)
	var mss int
	var serr error
	require.NoError(t, raw.Control(func(fd uintptr) {
		mss, serr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_MAXSEG)
	}))
	require.NoError(t, serr)
	assert.LessOrEqual(t, mss, 1448)
	assert.Positive(t, mss)
}
