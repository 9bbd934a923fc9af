package commands

import (
	"fmt"
	"testing"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// BenchmarkLookAtALargeMeeting measures one look FollowCalls takes at a
// followed meeting each second: picking out ten ringing invitees among a
// thousand online participants (what Presence.Find's filter does), then
// moving their calls on.
//
//	go test ./internal/commands -run '^$' -bench LookAtALargeMeeting -benchmem
func BenchmarkLookAtALargeMeeting(b *testing.B) {
	roster := make([]meeting.Participant, 1000)
	for i := range roster {
		roster[i] = meeting.Participant{ID: fmt.Sprint(i), Name: fmt.Sprint("Person ", i), Number: fmt.Sprintf("+86138%08d", i), State: meeting.InMeeting}
	}
	rep := Report{ConferenceID: "914083136"}
	for i := range 10 {
		rep.Invited = append(rep.Invited, Invitee{
			Person: Person{ID: fmt.Sprint("U", i), Name: fmt.Sprint("Invitee ", i)}, Via: ViaApp,
			Address: fmt.Sprintf("+9911124420%07d", i), Also: []string{fmt.Sprintf("+44207946%04d", i)},
		})
		roster[500+i] = meeting.Participant{ID: fmt.Sprint("r", i), Name: fmt.Sprint("Invitee ", i), Number: rep.Invited[i].Address, State: meeting.BeingCalled}
	}
	// Each call changes at most once; the check below catches any update.
	updates := 0
	f := follower{rep: rep, states: make([]CallState, 10), seen: make([]bool, 10), gone: make([]bool, 10),
		matchers: make([]matcher, 10), show: func(CallUpdate) { updates++ }}
	f.index()
	var found []meeting.Participant
	b.ReportAllocs()
	for b.Loop() {
		found = found[:0]
		for _, p := range roster {
			if f.wanted(p) {
				found = append(found, p)
			}
		}
		f.look(found, nil)
	}
	if len(found) != 10 || f.states[0] != CallRinging || updates != 0 {
		b.Fatalf("found %d ringing invitees, state %v; want 10, ringing", len(found), f.states[0])
	}
}
