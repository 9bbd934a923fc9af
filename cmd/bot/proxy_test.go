package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

// proxy is a forward proxy on 127.0.0.1 that maps every "*.test" host to
// 127.0.0.1 and records which hosts it was asked for (plain requests by
// host, CONNECT tunnels as "CONNECT host").
type proxy struct {
	routes map[string]string // host:port → address; others go to 127.0.0.1 on the same port
	mu     sync.Mutex
	asked  []string
}

func (p *proxy) record(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, s)
}

// since returns what the proxy was asked for after the first n requests.
func (p *proxy) since(n int) (string, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.asked[n:], "\n"), len(p.asked)
}

func (p *proxy) local(hostport string) string {
	if addr, ok := p.routes[hostport]; ok {
		return addr
	}
	_, port, _ := net.SplitHostPort(hostport)
	return "127.0.0.1:" + port
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		p.record("CONNECT " + r.Host)
		upstream, err := net.Dial("tcp", p.local(r.Host))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer upstream.Close()
		client, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer client.Close()
		_, _ = client.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() { _, _ = io.Copy(upstream, buf) }()
		_, _ = io.Copy(client, upstream)
		return
	}
	p.record(r.URL.Host)
	out := r.Clone(r.Context())
	out.RequestURI = ""
	t := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, p.local(addr))
	}}
	defer t.CloseIdleConnections()
	resp, err := t.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// viaTestNames rewrites the fakes' 127.0.0.1 URLs to names only the proxy
// can resolve, so that a request that bypasses the proxy fails.
func viaTestNames(env map[string]string, name, key string) {
	env[key] = strings.Replace(env[key], "127.0.0.1", name, 1)
}

// runMain prepares the program as a child process with only env (and PATH)
// in its environment, run in an empty directory (no .env).
func runMain(t *testing.T, env map[string]string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = []string{"MEET_INVITE_RUN_MAIN=1", "PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Dir = t.TempDir() // no .env
	return cmd
}

// TestProxyIsHonoured: with HTTP_PROXY set, the bot's Slack and Huawei HTTP
// clients, and the control WebSocket's dialer (in bot check), go through the
// proxy. (slack-go's Socket Mode dialer sets Proxy: http.ProxyFromEnvironment
// too, in socketmode/socket_mode_managed_conn.go; the fake hands out a
// 127.0.0.1 URL, which Go never proxies, so it is not covered here.)
func TestProxyIsHonoured(t *testing.T) {
	t.Parallel()
	// The control WebSocket's host is a name only the proxy knows.
	_, mf, env := checkFakes(t, meetingfake.Config{WsURL: "ws://control.test:1"})
	p := &proxy{routes: map[string]string{"control.test:1": strings.TrimSuffix(strings.TrimPrefix(mf.URL(), "http://"), "/")}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	viaTestNames(env, "slack.test", "SLACK_API_URL")
	viaTestNames(env, "meeting.test", "MEETING_API_URL")
	env["HTTP_PROXY"] = "http://" + ln.Addr().String()
	env["LOG_LEVEL"] = "info"
	env["MEETING_TIMEOUT"] = "30s" // a loaded CI machine, the race detector and a proxy in between

	// bot check: every HTTP call and the control WebSocket through the proxy.
	out, err := runMain(t, env, "check", running).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), "All checks passed.")
	seen, n := p.since(0)
	assert.Contains(t, seen, "slack.test:")
	assert.Contains(t, seen, "meeting.test:")
	assert.Contains(t, seen, "CONNECT control.test:1", "the control WebSocket's dialer uses the proxy")

	// The bot itself: auth.test and the Huawei sign-in through the proxy.
	cmd := runMain(t, env)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	signedIn := map[string]bool{}
	var logged strings.Builder
	deadline := time.After(30 * time.Second)
	for len(signedIn) < 2 {
		var line string
		var ok bool
		select {
		case line, ok = <-lines:
		case <-deadline:
		}
		if !ok {
			break // the child ended, or 30 s passed
		}
		logged.WriteString(line + "\n")
		for _, msg := range []string{`"msg":"slack: signed in"`, `"msg":"signed in to Huawei Cloud Meeting"`} {
			if strings.Contains(line, msg) {
				signedIn[msg] = true
			}
		}
	}
	assert.Len(t, signedIn, 2, "the bot signed in to both through the proxy; it logged:\n%s", logged.String())
	after, _ := p.since(n)
	assert.Contains(t, after, "slack.test:")
	assert.Contains(t, after, "meeting.test:")
}
