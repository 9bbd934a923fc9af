package meetingfake_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

func TestDirectorySearch(t *testing.T) {
	t.Parallel()
	clk := newClock()
	cfg := baseConfig(clk)
	cfg.Directory = []meetingfake.DirectoryUser{
		{ID: "u1", Account: "alice01", Name: "Alice Liddell", Email: "alice@example.com", Phone: "+8613800000001", Number: "+99111244216210249"},
		{ID: "u2", Account: "bob02", Name: "Bob Stone", Email: "bob@example.com", Phone: "+8613800000002", Number: "+99111244216210250", HidePhone: true},
		{ID: "u3", Account: "room-7", Name: "Board room", Number: "+99111244216210251", Type: "HARD_TERMINAL"},
	}
	s := startServer(t, cfg)
	s.AddDirectoryUser(meetingfake.DirectoryUser{Account: "alicia", Name: "Alicia Keys", Email: "alicia@example.com"})
	tok := appAuth(t, s, clk.Now(), "")

	tests := []struct {
		name      string
		query     url.Values
		wantIDs   []string
		wantCount int
	}{
		{name: "email exact", query: url.Values{"searchKey": {"alice@example.com"}}, wantIDs: []string{"u1"}, wantCount: 1},
		{name: "name case-insensitive substring", query: url.Values{"searchKey": {"ALIC"}}, wantIDs: []string{"u1", "user-4"}, wantCount: 2},
		{name: "account", query: url.Values{"searchKey": {"bob02"}}, wantIDs: []string{"u2"}, wantCount: 1},
		{name: "SIP number", query: url.Values{"searchKey": {"210251"}}, wantIDs: []string{"u3"}, wantCount: 1},
		{name: "visible phone", query: url.Values{"searchKey": {"+8613800000001"}}, wantIDs: []string{"u1"}, wantCount: 1},
		{name: "hidden phone does not match", query: url.Values{"searchKey": {"+8613800000002"}}, wantIDs: []string{}, wantCount: 0},
		{name: "no match", query: url.Values{"searchKey": {"zed"}}, wantIDs: []string{}, wantCount: 0},
		{name: "empty key lists all", query: url.Values{}, wantIDs: []string{"u1", "u2", "u3", "user-4"}, wantCount: 4},
		{name: "page", query: url.Values{"offset": {"1"}, "limit": {"2"}}, wantIDs: []string{"u2", "u3"}, wantCount: 4},
		{name: "offset past the end gives the last page", query: url.Values{"offset": {"9"}, "limit": {"3"}},
			wantIDs: []string{"user-4"}, wantCount: 4},
		{name: "hard terminals only", query: url.Values{"searchScope": {"HARD_TERMINAL"}}, wantIDs: []string{"u3"}, wantCount: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			r := do(t, http.MethodGet, s.URL()+"v1/usg/abs/users?"+tt.query.Encode(), map[string]string{"X-Access-Token": tok}, "")

			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			got := r.JSON(t)
			assert.EqualValues(t, tt.wantCount, got["count"])
			data, ok := got["data"].([]any)
			require.True(t, ok)
			ids := []string{}
			for _, d := range data {
				u, _ := d.(map[string]any)
				id, _ := u["id"].(string)
				ids = append(ids, id)
			}
			assert.Equal(t, tt.wantIDs, ids)
		})
	}
}

func TestDirectoryHidePhone(t *testing.T) {
	t.Parallel()
	clk := newClock()
	cfg := baseConfig(clk)
	cfg.Directory = []meetingfake.DirectoryUser{
		{ID: "u1", Account: "alice01", Name: "Alice", EnglishName: "Alice", Email: "alice@example.com", Phone: "+8613800000001", Number: "+99111244216210249"},
		{ID: "u2", Account: "bob02", Name: "Bob", Email: "bob@example.com", Phone: "+8613800000002", Number: "+99111244216210250", HidePhone: true},
	}
	s := startServer(t, cfg)
	tok := appAuth(t, s, clk.Now(), "")
	tests := []struct {
		name          string
		email         string
		wantPhone     string
		wantHidePhone bool
	}{
		{name: "visible", email: "alice@example.com", wantPhone: "+8613800000001"},
		{name: "hidden", email: "bob@example.com", wantPhone: "", wantHidePhone: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			r := do(t, http.MethodGet, s.URL()+"v1/usg/abs/users?searchKey="+url.QueryEscape(tt.email)+"&offset=0&limit=10",
				map[string]string{"X-Access-Token": tok}, "")

			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			data, _ := r.JSON(t)["data"].([]any)
			require.Len(t, data, 1)
			u, _ := data[0].(map[string]any)
			assert.Equal(t, tt.wantPhone, u["phone"])
			assert.Equal(t, tt.wantHidePhone, u["hidePhone"])
			assert.Equal(t, tt.email, u["email"])
			assert.NotEmpty(t, u["number"])
			assert.Equal(t, "NORMAL_USER", u["type"])
		})
	}
}

func TestDirectoryBadPaging(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	tok := appAuth(t, s, clk.Now(), "")
	tests := []struct{ name, query string }{
		{name: "offset not a number", query: "offset=x"},
		{name: "negative limit", query: "limit=-1"},
		{name: "unknown scope", query: "searchScope=ROBOTS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			r := do(t, http.MethodGet, s.URL()+"v1/usg/abs/users?"+tt.query, map[string]string{"X-Access-Token": tok}, "")

			assertError(t, r, http.StatusBadRequest, "USG.000000001")
		})
	}
}
