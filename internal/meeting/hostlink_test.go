package meeting_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// keyOf returns the key of a join link https://<site>/#/j/<ID>/<key>.
func keyOf(t *testing.T, link string) string {
	t.Helper()
	i := strings.LastIndexByte(link, '/')
	require.Positive(t, i)
	return link[i+1:]
}

func TestIsHostSecret(t *testing.T) {
	t.Parallel()
	s := startFake(t, nil)
	c := fakeClient(t, s)
	hostKey := meeting.SecretDigest(keyOf(t, s.JoinLink(confID, true)))
	guestKey := meeting.SecretDigest(keyOf(t, s.JoinLink(confID, false)))
	require.NotEqual(t, hostKey, guestKey)

	assert.False(t, c.IsHostSecret(confID, hostKey), "nothing is known before Prepare")
	_, err := c.Prepare(context.Background(), confID, "")
	require.NoError(t, err)

	assert.True(t, c.IsHostSecret(confID, hostKey), "the host link's key")
	assert.True(t, c.IsHostSecret(confID, meeting.SecretDigest(chairPW)), "the host password, as a cloudlink enter_code")
	assert.False(t, c.IsHostSecret(confID, guestKey), "the guest link")
	assert.False(t, c.IsHostSecret(confID, ""), "no link")
	assert.False(t, c.IsHostSecret(roomConfID, hostKey), "another meeting")
}
