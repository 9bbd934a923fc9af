package bot

import (
	"context"
	"io"
	"net/http"
	"time"
)

// deadline bounds each request, its body read included, as http.Client's
// Timeout does, but through the request's context. Client.Timeout over a
// RoundTripper that is not net/http's own (the metrics' wrapper is one)
// costs a goroutine and a timer for every request in flight, and the
// transport another goroutine to watch the legacy Request.Cancel: at 1,000
// requests in flight, 2,000 goroutines.
type deadline struct {
	next http.RoundTripper
	d    time.Duration
}

func (t deadline) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.d)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose ends a response's context once its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
