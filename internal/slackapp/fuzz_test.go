package slackapp

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// FuzzViewSubmission feeds hostile view_submission payloads through the
// same decoding and validation the handler uses: nothing panics, and what
// passes validation is a usable invitation.
func FuzzViewSubmission(f *testing.F) {
	f.Add([]byte(`{"type":"view_submission","view":{"private_metadata":"{\"c\":\"C1\"}","state":{"values":{
		"meeting_block":{"meeting_id":{"type":"external_select","selected_option":{"value":"914083136"}}},
		"invitees_block":{"invitees":{"type":"multi_users_select","selected_users":["U1"]}}}}}}`))
	f.Add([]byte(`{"view":{"private_metadata":"not json","state":{"values":{"role_block":{"as_host":{"selected_options":[{"value":"host"}]}}}}}}`))
	f.Add([]byte(`{"view":{"state":{"values":{"meeting_block":{"meeting_id":{"selected_option":{"value":"now"}}}}}}}`))
	f.Add([]byte(`{"view":{"state":{"values":{"meeting_block":{"meeting_id":{"selected_option":{"value":"914083136:0123"}}}}}}}`))
	f.Add([]byte(`{"view":{"state":{"values":null}}}`))
	f.Add([]byte(`[]`))
	a := New(nil, nil, nil, nil, Config{MaxPeople: 3})
	f.Fuzz(func(t *testing.T, payload []byte) {
		var cb slack.InteractionCallback
		if json.Unmarshal(payload, &cb) != nil {
			return
		}
		var meta modalMeta
		_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta)
		sub, errs := a.readSubmission(en, cb.View, meta)
		if errs != nil {
			return
		}
		if sub.choice.start != (sub.choice.id == "") || sub.choice.start && sub.choice.digest != "" {
			t.Fatalf("accepted a choice both to start and of a meeting, or of neither: %+v", sub.choice)
		}
		if !sub.choice.start && !commands.ValidConferenceID(sub.choice.id) {
			t.Fatalf("accepted meeting ID %q", sub.choice.id)
		}
		if d := sub.choice.digest; d != "" && (len(d) != 64 || strings.Trim(d, "0123456789abcdef") != "") {
			t.Fatalf("accepted digest %q", d)
		}
		if len(sub.userIDs) == 0 && len(meta.GroupIDs) == 0 && len(meta.ChannelIDs) == 0 && !sub.choice.start {
			t.Fatal("accepted a form with nobody in it")
		}
		if len(sub.userIDs) > 3 {
			t.Fatalf("accepted %d people, more than the maximum", len(sub.userIDs))
		}
	})
}

// FuzzButtonValue feeds hostile Try again values to the decoder the
// handler uses: what it accepts is a usable invitation, and what the bot
// itself writes is accepted back unchanged.
func FuzzButtonValue(f *testing.F) {
	f.Add(`{"c":"914083136","u":["U1"],"h":true}`)
	f.Add(`{"c":"914083136","g":["S1"]}`)
	f.Add(`{"c":1}`)
	f.Add(`{"c":"914083136","u":["<@U1>"]}`)
	f.Fuzz(func(t *testing.T, value string) {
		v, ok := decodeRetry(value)
		if !ok {
			return
		}
		if !commands.ValidConferenceID(v.ConferenceID) {
			t.Fatalf("accepted meeting ID %q", v.ConferenceID)
		}
		if len(v.UserIDs) == 0 && len(v.GroupIDs) == 0 {
			t.Fatal("accepted a value with nobody in it")
		}
		for _, id := range append(append([]string{}, v.UserIDs...), v.GroupIDs...) {
			if !userIDRe.MatchString(id) && !groupIDRe.MatchString(id) {
				t.Fatalf("accepted ID %q", id)
			}
		}
	})
}

func TestRetryButtonRoundTrip(t *testing.T) {
	t.Parallel()
	inv := commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "W0BOB"}, GroupIDs: []string{"SENG"}, Role: meeting.RoleHost}
	b, ok := retryButtonFor(en, inv)
	require.True(t, ok)
	raw, err := json.Marshal(b)
	require.NoError(t, err)
	var block struct {
		Elements []struct{ Value string } `json:"elements"`
	}
	require.NoError(t, json.Unmarshal(raw, &block))
	require.Len(t, block.Elements, 1)

	got, ok := decodeRetry(block.Elements[0].Value)
	require.True(t, ok, "what the bot writes, it reads back")
	assert.Equal(t, retryValue{ConferenceID: "914083136", UserIDs: []string{"UALICE", "W0BOB"}, GroupIDs: []string{"SENG"}, Host: true}, got)

	for _, bad := range []string{`{"c":"914083136","u":["<@U1>"]}`, `{"c":"914083136"}`, `{"c":"12","u":["U1"]}`, `not json`} {
		_, ok := decodeRetry(bad)
		assert.False(t, ok, "accepted %s", bad)
	}
}
