package slackapp

import (
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// FuzzViewSubmission feeds hostile view_submission payloads through the
// same decoding and validation the handler uses: nothing panics, and what
// passes validation is a usable invitation.
func FuzzViewSubmission(f *testing.F) {
	f.Add([]byte(`{"type":"view_submission","view":{"private_metadata":"{\"c\":\"C1\"}","state":{"values":{
		"meeting_block":{"meeting_id":{"type":"plain_text_input","value":"914083136"}},
		"invitees_block":{"invitees":{"type":"multi_users_select","selected_users":["U1"]}}}}}}`))
	f.Add([]byte(`{"view":{"private_metadata":"not json","state":{"values":{"role_block":{"as_host":{"selected_options":[{"value":"host"}]}}}}}}`))
	f.Add([]byte(`{"view":{"state":{"values":null}}}`))
	f.Add([]byte(`[]`))
	a := New(nil, nil, nil, Config{MaxPeople: 3})
	f.Fuzz(func(t *testing.T, payload []byte) {
		var cb slack.InteractionCallback
		if json.Unmarshal(payload, &cb) != nil {
			return
		}
		var meta modalMeta
		_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta)
		sub, errs := a.readSubmission(cb.View, meta)
		if errs != nil {
			return
		}
		if !commands.ValidConferenceID(sub.conferenceID) {
			t.Fatalf("accepted meeting ID %q", sub.conferenceID)
		}
		if len(sub.userIDs) == 0 && len(meta.GroupIDs) == 0 {
			t.Fatal("accepted a form with nobody in it")
		}
		if len(sub.userIDs) > 3 {
			t.Fatalf("accepted %d people, more than the maximum", len(sub.userIDs))
		}
	})
}

// FuzzButtonValue decodes hostile Try again values as the handler does.
func FuzzButtonValue(f *testing.F) {
	f.Add(`{"c":"914083136","u":["U1"],"h":true}`)
	f.Add(`{"c":1}`)
	f.Fuzz(func(t *testing.T, value string) {
		var v retryValue
		if json.Unmarshal([]byte(value), &v) != nil {
			return
		}
		_ = commands.ValidConferenceID(v.ConferenceID)
	})
}
