//go:build !linux

package slackfake

import "net"

// listen listens on loopback (see listen_linux.go for the segment size set
// there).
func listen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
