package slackfake

import (
	"context"
	"errors"
	"net"
	"syscall"
)

// internetMSS is the largest TCP segment on an Ethernet path with TCP
// timestamps (1500 − 20 IP − 20 TCP − 12 options): what a connection to
// Slack over the internet carries, where loopback's is 65,483.
const internetMSS = 1448

// listen listens on loopback with the internet's segment size, set on the
// listening socket and so on every connection it accepts. With loopback's
// 64 KiB segments a receiver that falls behind (a bot reading a burst of
// envelopes) announces its window again only once 64 KiB are free, and the
// stream can stall for TCP's 200 ms persist timer: a pause real Slack's
// connections do not have, which made the benchmark's ack p99 jump from
// about 70 ms to about 300 ms in one burst in three or four.
func listen() (net.Listener, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, internetMSS)
		})
		return errors.Join(err, serr)
	}}
	return lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
}
