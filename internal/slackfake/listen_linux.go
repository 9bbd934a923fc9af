package slackfake

import (
	"context"
	"errors"
	"net"
	"syscall"
)

// internetMSS is the segment size an Ethernet path announces, its MTU less
// the fixed IP and TCP headers (1500 − 20 − 20; RFC 6691, section 2; with
// TCP timestamps a segment then carries 1,448 bytes): what a
// connection to Slack over the internet has, where loopback's are tens of
// KiB (32 KiB on the machines here).
const internetMSS = 1460

// listen listens on loopback with the internet's segment size, set on the
// listening socket and so on every connection it accepts. With loopback's
// segments a receiver that falls behind (a bot reading a burst of
// envelopes) announces its window again only once a whole segment's worth
// is free, and the stream can wait for TCP's 200 ms timer: a pause that
// connections to Slack do not have (README, Performance: "A stall that was
// the fake's").
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
