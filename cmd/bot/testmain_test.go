package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// TestMain lets a test run this binary as the bot in a process of its own:
// as main() itself (MEET_INVITE_RUN_MAIN, for the proxy test, which needs
// the real environment), or as a replica sharing a database (replicaEnv).
func TestMain(m *testing.M) {
	switch {
	case os.Getenv("MEET_INVITE_RUN_MAIN") == "1":
		main()
		os.Exit(0)
	case os.Getenv(replicaEnv) == "1":
		if err := run(context.Background(), nil, os.Getenv, strings.NewReader(""), io.Discard, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "replica:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
