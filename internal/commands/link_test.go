package commands_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// docChairJoinURI is chairJoinUri of meeting_21_0018's response example: the
// host link of meeting 914083136.
const docChairJoinURI = "https://c.meeting.huaweicloud.com/#/j/914083136/6a30b8b5a325105da031442627828e496f91021ece36405f"

type linkExample struct {
	expected, text, source string
}

// linkExamples reads testdata/meeting-links.txt.
func linkExamples(t *testing.T) []linkExample {
	t.Helper()
	f, err := os.Open("testdata/meeting-links.txt")
	require.NoError(t, err)
	defer f.Close()
	var out []linkExample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.SplitN(line, " | ", 3)
		require.Len(t, parts, 3, "line %q", line)
		out = append(out, linkExample{expected: parts[0], text: parts[1], source: parts[2]})
	}
	require.NoError(t, sc.Err())
	require.GreaterOrEqual(t, len(out), 15)
	return out
}

// isDocHost returns, for a request, whether a digest is the key of
// docChairJoinURI for the request's meeting, as meeting.Client.IsHostSecret
// would answer. (Another doc example reuses that key with meeting
// 914673889, where it is nobody's host key.)
func isDocHost(t *testing.T) func(commands.Request) func(string) bool {
	t.Helper()
	link, ok := commands.ParseMeetingLink(docChairJoinURI)
	require.True(t, ok)
	host := commands.SecretDigest(link.Secret)
	return func(req commands.Request) func(string) bool {
		return func(d string) bool { return req.ConferenceID == link.ID && d == host }
	}
}

func TestMeetingLinkExamples(t *testing.T) {
	t.Parallel()
	isHost := isDocHost(t)
	for _, ex := range linkExamples(t) {
		t.Run(ex.text, func(t *testing.T) {
			t.Parallel()
			for _, text := range []string{ex.text + " <@U1>", "<@U1> " + ex.text} {
				req, err := commands.Parse(text)
				var pe *commands.ParseError
				switch ex.expected {
				case "unknown":
					require.ErrorAs(t, err, &pe, ex.source)
					assert.Equal(t, commands.CodeUnknownToken, pe.Code, ex.source)
					continue
				case "bad-id":
					require.ErrorAs(t, err, &pe, ex.source)
					assert.Equal(t, commands.CodeBadConferenceID, pe.Code, ex.source)
					assert.NotContains(t, pe.Token, "enter_code", "the link, with its password, is not echoed")
					continue
				}
				require.NoError(t, err, ex.source)
				want := ex.expected
				if want == "host" {
					want = "914083136"
				}
				assert.Equal(t, want, req.ConferenceID, ex.source)
				assert.Equal(t, []string{"U1"}, req.UserIDs)
				hostErr := commands.HostLinkSecret(req, isHost(req))
				if ex.expected == "host" {
					require.ErrorAs(t, hostErr, &pe, "a host link is refused")
					assert.Equal(t, commands.CodeHostLink, pe.Code)
				} else {
					assert.NoError(t, hostErr, ex.source)
				}
			}
		})
	}
}

// TestCheckInterpretationAcceptsEveryForm: plain words may name the meeting
// in every form the command accepts, and keep the link's digest so that a
// host link is refused there too.
func TestCheckInterpretationAcceptsEveryForm(t *testing.T) {
	t.Parallel()
	isHost := isDocHost(t)
	for _, ex := range linkExamples(t) {
		if ex.expected == "unknown" || ex.expected == "bad-id" {
			continue
		}
		id := ex.expected
		if id == "host" {
			id = "914083136"
		}
		text := "hey bot, pull <@U1> into " + ex.text + " please"
		out, err := commands.CheckInterpretation(commands.Request{ConferenceID: id, UserIDs: []string{"U1"}}, text)
		require.NoError(t, err, ex.source)
		assert.Equal(t, id, out.ConferenceID)
		assert.Equal(t, ex.expected == "host", commands.HostLinkSecret(out, isHost(out)) != nil, ex.source)
	}
}

func TestParseGroupedDigits(t *testing.T) {
	t.Parallel()
	req, err := commands.Parse("914 083 136 <@U1>")
	require.NoError(t, err)
	assert.Equal(t, "914083136", req.ConferenceID)

	_, err = commands.Parse("914083136 986030665 <@U1>")
	var pe *commands.ParseError
	require.ErrorAs(t, err, &pe, "two whole IDs side by side stay two")
	assert.Equal(t, commands.CodeTwoConferences, pe.Code)

	_, err = commands.Parse("914 083 <@U1> 136")
	require.ErrorAs(t, err, &pe, "groups split by a mention are not joined")
	assert.Equal(t, commands.CodeBadConferenceID, pe.Code)
}

func TestParseLinkAndNumberAgree(t *testing.T) {
	t.Parallel()
	guest := "https://c.meeting.huaweicloud.com/#/j/914083136/9505dc3349228b1ce0db8165590cc977bcff89785130fe0d"
	req, err := commands.Parse("914 083 136 " + guest + " <@U1>")
	require.NoError(t, err, "the number and the link of one meeting")
	assert.Equal(t, commands.SecretDigest("9505dc3349228b1ce0db8165590cc977bcff89785130fe0d"), req.LinkDigest)
	assert.NotContains(t, req.LinkDigest, "9505dc", "only the digest is kept")

	_, err = commands.Parse("986030665 " + guest + " <@U1>")
	var pe *commands.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, commands.CodeTwoConferences, pe.Code)

	_, err = commands.Parse(guest + " " + docChairJoinURI + " <@U1>")
	require.ErrorAs(t, err, &pe, "two different links of one meeting: which one counts is unclear")
	assert.Equal(t, commands.CodeTwoConferences, pe.Code)
}
