package commands

import "github.com/meet-invite/meet-invite/internal/meeting"

// Present reports which of invitees are in the conference now (answered,
// not merely being called), from the followed meeting's live list: no
// request. It keeps the conference followed, so that whoever asks, say to
// show who is in a call, also sees the meeting end. live is false while
// the list is not live: present then says nothing.
func (in *Inviter) Present(conferenceID string, invitees []Invitee) (present []bool, live bool) {
	if in.presence == nil {
		return nil, false
	}
	in.presence.Follow(conferenceID)
	matchers := make([]matcher, len(invitees))
	for i, iv := range invitees {
		matchers[i] = newMatcher(iv)
	}
	found, live := in.presence.Find(conferenceID, func(pt meeting.Participant) bool { return pt.State == meeting.InMeeting })
	if !live {
		return nil, false
	}
	present = make([]bool, len(invitees))
	for i, m := range matchers {
		for _, pt := range found {
			present[i] = present[i] || m.matches(pt)
		}
	}
	return present, true
}
