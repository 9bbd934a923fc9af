package meeting_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

func TestFindUserByEmail(t *testing.T) {
	t.Parallel()
	alice := map[string]any{
		"id": "id-a", "account": "alice", "name": "Alice", "englishName": "Alice", "email": "alice@example.com",
		"phone": "+8613800000000", "number": "+99111244216210249", "type": "NORMAL_USER", "hidePhone": true,
	}
	with := func(m map[string]any, k string, v any) map[string]any {
		out := map[string]any{}
		for key, val := range m {
			out[key] = val
		}
		out[k] = v
		return out
	}
	wantAlice := meeting.DirectoryUser{
		ID: "id-a", Account: "alice", Name: "Alice", Email: "alice@example.com",
		Phone: "+8613800000000", Number: "+99111244216210249", Type: "NORMAL_USER", HidePhone: true,
	}
	tests := []struct {
		name    string
		email   string
		results []map[string]any
		want    meeting.DirectoryUser
		wantErr error
	}{
		{name: "one exact match among fuzzy ones", email: "alice@example.com",
			results: []map[string]any{with(alice, "email", "alice.b@example.com"), alice}, want: wantAlice},
		{name: "case-insensitive", email: "Alice@Example.COM", results: []map[string]any{alice}, want: wantAlice},
		{name: "empty type accepted", email: "alice@example.com", results: []map[string]any{with(alice, "type", "")},
			want: func() meeting.DirectoryUser { u := wantAlice; u.Type = ""; return u }()},
		{name: "terminals ignored", email: "alice@example.com",
			results: []map[string]any{with(alice, "type", "HARD_TERMINAL")}, wantErr: meeting.ErrNoDirectoryMatch},
		{name: "fuzzy matches only", email: "alice@example.com",
			results: []map[string]any{with(alice, "email", "malice@example.com")}, wantErr: meeting.ErrNoDirectoryMatch},
		{name: "several exact matches", email: "alice@example.com",
			results: []map[string]any{alice, with(alice, "id", "id-a2")}, wantErr: meeting.ErrNoDirectoryMatch},
		{name: "no results", email: "alice@example.com", results: nil, wantErr: meeting.ErrNoDirectoryMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mux, c := setup(t, appCreds)
			handleAuth(t, mux, time.Now, 24*time.Hour)
			mux.HandleFunc("GET /api/v1/usg/abs/users", func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, "tok-1", r.Header.Get("X-Access-Token"))
				q := r.URL.Query()
				assert.Equal(t, tt.email, q.Get("searchKey"))
				assert.Equal(t, "0", q.Get("offset"))
				assert.Equal(t, "10", q.Get("limit"))
				assert.Len(t, q, 3)
				data := tt.results
				if data == nil {
					data = []map[string]any{}
				}
				writeJSON(w, http.StatusOK, map[string]any{"offset": 0, "limit": 10, "count": len(data), "data": data})
			})

			got, err := c.FindUserByEmail(t.Context(), tt.email)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.NotContains(t, err.Error(), "example", "no e-mail address in errors")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFindUserByEmailEmpty(t *testing.T) {
	t.Parallel()
	_, c := setup(t, appCreds) // any request fails the test

	_, err := c.FindUserByEmail(t.Context(), "  ")
	require.ErrorIs(t, err, meeting.ErrNoDirectoryMatch)
}

func TestSearchDirectory(t *testing.T) {
	t.Parallel()
	mux, c := setup(t, appCreds)
	handleAuth(t, mux, time.Now, 24*time.Hour)
	mux.HandleFunc("GET /api/v1/usg/abs/users", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "offset=20&searchKey=bob+smith", r.URL.RawQuery, "limit 0 is left out")
		writeJSON(w, http.StatusOK, map[string]any{"offset": 20, "limit": 10, "count": 21,
			"data": []any{map[string]any{"id": "id-b", "name": "Bob Smith"}}})
	})

	page, err := c.SearchDirectory(t.Context(), meeting.SearchDirectoryRequest{SearchKey: "bob smith", Offset: 20})
	require.NoError(t, err)
	assert.Equal(t, &meeting.DirectoryPage{Offset: 20, Limit: 10, Count: 21,
		Data: []meeting.DirectoryUser{{ID: "id-b", Name: "Bob Smith"}}}, page)
}
