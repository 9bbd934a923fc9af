package commands

// reserve marks each invitee as being called into the conference and leaves
// out anyone called into it within the recent window, so that a double
// submission or a repeated command never rings a person twice.
func (in *Inviter) reserve(conferenceID string, invitees []Invitee) (kept []Invitee, skipped []Skipped) {
	for _, iv := range invitees {
		if !in.recent.Add(recentKey(conferenceID, iv.Address), struct{}{}) {
			skipped = append(skipped, skippedInvitee(iv, SkipRecentlyInvited))
			continue
		}
		kept = append(kept, iv)
	}
	return kept, skipped
}

// calledRecently reports whether this inviter called addr into the
// conference within the recent window.
func (in *Inviter) calledRecently(conferenceID, addr string) bool {
	_, ok := in.recent.Get(recentKey(conferenceID, addr))
	return ok
}

// release lifts the reservations of invitees known not to be ringing.
func (in *Inviter) release(conferenceID string, invitees []Invitee) {
	for _, iv := range invitees {
		in.recent.Delete(recentKey(conferenceID, iv.Address))
	}
}

func recentKey(conferenceID, addr string) string { return conferenceID + "|" + addr }
