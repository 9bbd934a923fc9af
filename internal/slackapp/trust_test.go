package slackapp

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

func TestSignedValuesOpenOnlyUnchangedForTheirPurposeAndKey(t *testing.T) {
	t.Parallel()
	s := newSigner([]byte("a key of at least thirty-two characters"))
	signed := s.sign(signRetry, `{"c":"914083136","u":["U1"]}`)

	v, ok := s.open(signRetry, signed)
	require.True(t, ok)
	assert.Equal(t, `{"c":"914083136","u":["U1"]}`, v)

	for name, bad := range map[string]string{
		"altered value":     strings.Replace(signed, "U1", "U2", 1),
		"host added":        strings.Replace(signed, `"u"`, `"h":true,"u"`, 1),
		"unsigned":          `{"c":"914083136","u":["U1"]}`,
		"signature only":    signed[strings.LastIndexByte(signed, '.'):],
		"truncated":         signed[:len(signed)-2],
		"empty":             "",
		"garbage signature": `{"c":"914083136"}.!!!`,
	} {
		_, ok := s.open(signRetry, bad)
		assert.False(t, ok, name)
	}
	_, ok = s.open(signModal, signed)
	assert.False(t, ok, "signed for a button, not a form")
	_, ok = newSigner(nil).open(signRetry, signed)
	assert.False(t, ok, "another key (a random one, after a restart)")
}

func TestSealSignsOnlyTheButtonsTheBotReadsBack(t *testing.T) {
	t.Parallel()
	a := New(nil, nil, nil, nil, Config{ButtonSecret: []byte("a key of at least thirty-two characters")})
	retry, ok := retryButtonFor(en, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"U1"}})
	require.True(t, ok)
	join := slack.NewButtonBlockElement(actionJoin, "", slack.NewTextBlockObject(slack.PlainTextType, "Join", false, false))
	join.URL = "https://meeting.example/j/1"
	long := make([]string, 140)
	for i := range long {
		long[i] = "U0123456789"
	}
	again, ok := callAgainButton(en, "914083136", long, meeting.RoleParticipant) // under 2,000 characters unsigned, over it signed
	require.True(t, ok)
	m := message{blocks: []slack.Block{retry, slack.NewActionBlock("calls", join, again)}}

	sealed := a.seal(m)

	require.Len(t, sealed.blocks, 2)
	v, ok := a.signer.open(signRetry, sealed.blocks[0].(*slack.ActionBlock).Elements.ElementSet[0].(*slack.ButtonBlockElement).Value)
	require.True(t, ok)
	assert.Equal(t, `{"c":"914083136","u":["U1"]}`, v)
	assert.Equal(t, []slack.BlockElement{join}, sealed.blocks[1].(*slack.ActionBlock).Elements.ElementSet,
		"the link is left alone; a button too long once signed is dropped")
	assert.Equal(t, `{"c":"914083136","u":["U1"]}`, retry.(*slack.ActionBlock).Elements.ElementSet[0].(*slack.ButtonBlockElement).Value,
		"the message given is not changed")
}
