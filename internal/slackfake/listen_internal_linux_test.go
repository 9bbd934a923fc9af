package slackfake

import (
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A connection to the fake carries the internet's segments, not loopback's
// of tens of KiB, in both directions: each end's largest segment is what
// the other announced, less TCP's options.
func TestConnectionsCarryInternetSizedSegments(t *testing.T) {
	t.Parallel()
	ln, err := listen()
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer client.Close()
	server, ok := <-accepted
	require.True(t, ok, "accept")
	defer server.Close()
	for name, c := range map[string]net.Conn{"client": client, "server": server} {
		mss := maxSegment(t, c)
		assert.Positive(t, mss, name)
		assert.LessOrEqual(t, mss, internetMSS, name)
	}
}

func maxSegment(t *testing.T, c net.Conn) int {
	t.Helper()
	raw, err := c.(*net.TCPConn).SyscallConn()
	require.NoError(t, err)
	var mss int
	var serr error
	require.NoError(t, raw.Control(func(fd uintptr) {
		mss, serr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_MAXSEG)
	}))
	require.NoError(t, serr)
	return mss
}
