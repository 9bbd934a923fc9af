package bot

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A request is bounded from its start to its body's end, as with
// Client.Timeout; a body read in time is whole, and closing it ends the
// request's context.
func TestDeadlineBoundsARequestAndItsBody(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		_, _ = io.WriteString(w, "hello")
		w.(http.Flusher).Flush()
		if r.URL.Path == "/slow" {
			select { // the rest of the body never comes in time
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		_, _ = io.WriteString(w, "world")
	}))
	defer srv.Close()
	defer close(release)
	client := &http.Client{Transport: deadline{next: http.DefaultTransport, d: time.Second}}

	resp, err := client.Get(srv.URL + "/fast")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "helloworld", string(body))
	require.NoError(t, resp.Body.Close())
	assert.ErrorIs(t, resp.Request.Context().Err(), context.Canceled, "closing the body ends the request's context")

	resp, err = client.Get(srv.URL + "/slow")
	require.NoError(t, err, "the headers came in time")
	_, err = io.ReadAll(resp.Body)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "the body's end did not: %v", err)
	_ = resp.Body.Close()
}
