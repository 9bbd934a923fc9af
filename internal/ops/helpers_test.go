package ops_test

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/ops"
)

// scrape returns the /metrics text of m, as Prometheus would fetch it.
func scrape(t *testing.T, m *ops.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

var labelPair = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)

// sample finds the sample called name whose labels are exactly labels in the
// exposition text and returns its value; ok is false when there is none.
func sample(t *testing.T, text, name string, labels map[string]string) (value float64, ok bool) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		require.Positive(t, sp, "malformed line %q", line)
		series, val := line[:sp], line[sp+1:]
		got := map[string]string{}
		metric := series
		if i := strings.IndexByte(series, '{'); i >= 0 {
			metric = series[:i]
			for _, m := range labelPair.FindAllStringSubmatch(series[i:], -1) {
				got[m[1]] = m[2]
			}
		}
		if metric != name || len(got) != len(labels) {
			continue
		}
		match := true
		for k, v := range labels {
			if got[k] != v {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		f, err := strconv.ParseFloat(val, 64)
		require.NoError(t, err, "value of %q", line)
		return f, true
	}
	require.NoError(t, sc.Err())
	return 0, false
}

// requireSample is sample for a series that must exist.
func requireSample(t *testing.T, text, name string, labels map[string]string) float64 {
	t.Helper()
	v, ok := sample(t, text, name, labels)
	require.True(t, ok, "no sample %s%v in:\n%s", name, labels, text)
	return v
}
