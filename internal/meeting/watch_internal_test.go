package meeting

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWSEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix, want string
	}{
		{"wss://100.94.23.40:443", "wss://100.94.23.40:443/cms/open/websocket/confctl/increment/conn?confID=900726255&tmpToken=tk"},
		{"https://100.94.23.40", "wss://100.94.23.40/cms/open/websocket/confctl/increment/conn?confID=900726255&tmpToken=tk"},
		{"http://127.0.0.1:8080/", "ws://127.0.0.1:8080/cms/open/websocket/confctl/increment/conn?confID=900726255&tmpToken=tk"},
		{"100.94.23.40:443", "wss://100.94.23.40:443/cms/open/websocket/confctl/increment/conn?confID=900726255&tmpToken=tk"},
		// The documented path goes after whatever path wsURL has (meeting_21_1510).
		{"wss://ws.example/custom/path?x=1", "wss://ws.example/custom/path/cms/open/websocket/confctl/increment/conn?confID=900726255&tmpToken=tk&x=1"},
		{"wss://ws.example/edge/", "wss://ws.example/edge/cms/open/websocket/confctl/increment/conn?confID=900726255&tmpToken=tk"},
		{"wss://ws.example/cms/open/websocket/confctl/increment/conn", "wss://ws.example/cms/open/websocket/confctl/increment/conn?confID=900726255&tmpToken=tk"},
	}
	for _, tt := range tests {
		got, err := wsEndpoint(tt.prefix, "900726255", "tk")
		require.NoError(t, err, tt.prefix)
		assert.Equal(t, tt.want, got, tt.prefix)
	}
	for _, bad := range []string{"", "ftp://x", "wss://"} {
		_, err := wsEndpoint(bad, "900726255", "tk")
		assert.Error(t, err, bad)
	}
}
