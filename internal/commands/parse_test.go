package commands_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want commands.Request
	}{
		{
			name: "meeting then people",
			text: "914083136 <@U012ABC|alice> <@U034DEF|bob>",
			want: commands.Request{ConferenceID: "914083136", UserIDs: []string{"U012ABC", "U034DEF"}},
		},
		{
			name: "people then meeting, labels optional, enterprise W ids",
			text: "<@W012ABC> <@U034DEF|bob> 914083136",
			want: commands.Request{ConferenceID: "914083136", UserIDs: []string{"W012ABC", "U034DEF"}},
		},
		{
			name: "duplicates collapsed, order kept",
			text: "914083136 <@U2|bob> <@U1|alice> <@U2> <@U1|al>",
			want: commands.Request{ConferenceID: "914083136", UserIDs: []string{"U2", "U1"}},
		},
		{
			name: "user groups",
			text: "914083136 <!subteam^S0123|@eng> <@U1> <!subteam^S0123>",
			want: commands.Request{ConferenceID: "914083136", UserIDs: []string{"U1"}, GroupIDs: []string{"S0123"}},
		},
		{
			name: "meeting id with dashes as the apps show it",
			text: "914-083-136 <@U1>",
			want: commands.Request{ConferenceID: "914083136", UserIDs: []string{"U1"}},
		},
		{
			name: "extra whitespace and newlines",
			text: "  914083136\n\t<@U1|alice>   ",
			want: commands.Request{ConferenceID: "914083136", UserIDs: []string{"U1"}},
		},
		{
			name: "label with a space",
			text: "914083136 <@U1|alice smith>",
			want: commands.Request{ConferenceID: "914083136", UserIDs: []string{"U1"}},
		},
		{
			name: "channels, phones and emails",
			text: "914083136 <#C0123|general> +8613800000001 <tel:+44-20-7946-0000|+44-20-7946-0000> <mailto:Bob@Example.com|Bob@Example.com> dave@example.org <#C0123>",
			want: commands.Request{
				ConferenceID: "914083136", ChannelIDs: []string{"C0123"},
				Phones: []string{"+8613800000001", "+442079460000"}, Emails: []string{"bob@example.com", "dave@example.org"},
			},
		},
		{
			name: "same meeting id twice is fine",
			text: "914083136 <@U1> 914-083-136",
			want: commands.Request{ConferenceID: "914083136", UserIDs: []string{"U1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := commands.Parse(tt.text)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		text      string
		wantCode  commands.ParseCode
		wantToken string
	}{
		{name: "empty", text: "   ", wantCode: commands.CodeNoText},
		{name: "no meeting id", text: "<@U1> <@U2>", wantCode: commands.CodeNoConferenceID},
		{name: "nobody", text: "914083136", wantCode: commands.CodeNoPeople},
		{name: "id too short", text: "12345 <@U1>", wantCode: commands.CodeBadConferenceID, wantToken: "12345"},
		{name: "id too long", text: "123456789012345678901 <@U1>", wantCode: commands.CodeBadConferenceID, wantToken: "123456789012345678901"},
		{name: "two meetings", text: "914083136 986030665 <@U1>", wantCode: commands.CodeTwoConferences, wantToken: "986030665"},
		{name: "unescaped name", text: "914083136 @alice", wantCode: commands.CodeUnescapedName, wantToken: "@alice"},
		{name: "phone without country code", text: "914083136 +0138", wantCode: commands.CodeBadPhone, wantToken: "+0138"},
		{name: "phone with letters", text: "914083136 +44abc", wantCode: commands.CodeBadPhone, wantToken: "+44abc"},
		{name: "word", text: "914083136 <@U1> please", wantCode: commands.CodeUnknownToken, wantToken: "please"},
		{name: "letters in id", text: "91408313a <@U1>", wantCode: commands.CodeUnknownToken, wantToken: "91408313a"},
		{name: "link", text: "914083136 <https://example.com>", wantCode: commands.CodeUnknownToken, wantToken: "<https://example.com>"},
		{name: "special mention", text: "914083136 <!channel>", wantCode: commands.CodeUnknownToken, wantToken: "<!channel>"},
		{name: "dashes only", text: "--- <@U1>", wantCode: commands.CodeUnknownToken, wantToken: "---"},
		{name: "lowercase id is not a user", text: "914083136 <@u1>", wantCode: commands.CodeUnknownToken, wantToken: "<@u1>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := commands.Parse(tt.text)
			var pe *commands.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.wantCode, pe.Code)
			assert.Equal(t, tt.wantToken, pe.Token)
		})
	}
}

func TestParseHelp(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"help", "HELP", " help ", "--help", "?"} {
		req, err := commands.Parse(text)
		require.NoError(t, err, "text %q", text)
		assert.Equal(t, commands.Request{Action: commands.ActionHelp}, req, "text %q", text)
	}
}

func TestNormalizeConferenceID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"914083136", "914083136", true},
		{" 914 083 136 ", "914083136", true},
		{"914-083-136", "914083136", true},
		{"914.083.136", "914083136", true},
		{"91408313x", "91408313x", false},
		{"", "", false},
		{"12345", "12345", false},
	}
	for _, tt := range tests {
		got, ok := commands.NormalizeConferenceID(tt.in)
		assert.Equal(t, tt.want, got, "input %q", tt.in)
		assert.Equal(t, tt.wantOK, ok, "input %q", tt.in)
	}
}

// FuzzParse checks that Parse never panics and that what it accepts is
// well formed: a valid meeting ID, someone to invite, no duplicates.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"914083136 <@U012ABC|alice> <@U034DEF>",
		"<!subteam^S0123|@eng> 914-083-136",
		"help", "", "@alice", "<#C1|x>", "<@U1|a|b>", "<<@U1>>", "914083136 <@U1", "9\u00a014083136",
		"914 083 136 <@U1>", "9 1 4 0 8 3 1 3 6 <@U1>",
		"<https://c.meeting.huaweicloud.com/#/j/914083136/9505dc3349228b1ce0db8165590cc977bcff89785130fe0d|join> <@U1>",
		"https://meeting.huaweicloud.com/#/j/914083136 <@U1>",
		"cloudlink://welinksoftclient/h5page?page=joinConfByLink&amp;conf_id=914083136&amp;enter_code=1 <@U1>",
		"now", "now <@U1> <#C1|general>", "now 914083136 <@U1>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		req, err := commands.Parse(text)
		if err != nil {
			return
		}
		if req.Action == commands.ActionStart {
			if req.ConferenceID != "" || req.LinkDigest != "" || req.Host {
				t.Fatalf("a start naming a meeting or hosts, %+v, from %q", req, text)
			}
			assertNoDuplicates(t, req, text)
			return
		}
		if req.Action != commands.ActionInvite {
			if req.ConferenceID != "" || !req.Empty() || req.Host {
				t.Fatalf("help or whoami with more in it, %+v, from %q", req, text)
			}
			return
		}
		if !commands.ValidConferenceID(req.ConferenceID) {
			t.Fatalf("accepted invalid conference ID %q from %q", req.ConferenceID, text)
		}
		if d := req.LinkDigest; d != "" && (len(d) != 64 || strings.Trim(d, "0123456789abcdef") != "") {
			t.Fatalf("link digest %q is not a SHA-256 from %q", d, text)
		}
		if req.Empty() {
			t.Fatalf("accepted a request with nobody in it from %q", text)
		}
		assertNoDuplicates(t, req, text)
	})
}

func assertNoDuplicates(t *testing.T, req commands.Request, text string) {
	t.Helper()
	seen := map[string]bool{}
	all := append(append(append([]string{}, req.UserIDs...), req.GroupIDs...), req.ChannelIDs...)
	all = append(append(all, req.Phones...), req.Emails...)
	for _, id := range all {
		if seen[id] {
			t.Fatalf("duplicate %q from %q", id, text)
		}
		seen[id] = true
	}
}

func TestParseStart(t *testing.T) {
	t.Parallel()
	start := commands.ActionStart
	tests := []struct {
		name, text string
		want       commands.Request
		wantCode   commands.ParseCode
	}{
		{name: "nobody", text: "now", want: commands.Request{Action: start}},
		{name: "any case, spaces around", text: "  NOW  ", want: commands.Request{Action: start}},
		{name: "people, groups and channels", text: "now <@U1|alice> <!subteam^S1|@eng>\t<#C1|general> <@U1>",
			want: commands.Request{Action: start, UserIDs: []string{"U1"}, GroupIDs: []string{"S1"}, ChannelIDs: []string{"C1"}}},
		{name: "a meeting ID is refused", text: "now 914083136 <@U1>", wantCode: commands.CodeStartWithMeeting},
		{name: "a meeting link is refused", text: "now <https://meeting.huaweicloud.com/#/j/914083136> <@U1>", wantCode: commands.CodeStartWithMeeting},
		{name: "a word is not understood", text: "now please <@U1>", wantCode: commands.CodeUnknownToken},
		{name: "now later in the text is a word", text: "914083136 <@U1> now", wantCode: commands.CodeUnknownToken},
		{name: "nowhere is not now", text: "nowhere <@U1>", wantCode: commands.CodeUnknownToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := commands.Parse(tt.text)
			if tt.wantCode != 0 {
				var pe *commands.ParseError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tt.wantCode, pe.Code)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseWhoAmI(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"whoami", " WhoAmI "} {
		req, err := commands.Parse(text)
		require.NoError(t, err, text)
		assert.Equal(t, commands.Request{Action: commands.ActionWhoAmI}, req, text)
	}
	req, err := commands.Parse("whoami 914083136")
	assert.NotEqual(t, commands.ActionWhoAmI, req.Action)
	assert.Error(t, err, "a word that is not a mention")
}
