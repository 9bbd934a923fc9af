package commands

import (
	"strings"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// skippedInvitee reports an invitee left out: a chat user by ID, a number
// or address typed directly by the address (and its masked form as Name).
func skippedInvitee(iv Invitee, reason SkipReason) Skipped {
	s := Skipped{UserID: iv.Person.ID, Name: iv.Person.Name, Reason: reason}
	if iv.Person.ID == "" {
		s.Address = iv.Address
	}
	return s
}

// findOnline finds the invitee among the online participants by any of
// their numbers. Huawei may mask numbers ("+99111****815"): a masked number
// counts only when the visible digits and the name both agree, since
// colleagues' numbers often differ in a few digits only.
func findOnline(iv Invitee, online []meeting.Participant) (meeting.Participant, bool) {
	m := newMatcher(iv)
	for _, p := range online {
		if m.matches(p) {
			return p, true
		}
	}
	return meeting.Participant{}, false
}

// matcher recognises one invitee among participants; it is made once and
// used on many participants.
type matcher struct {
	numbers []string // canonical forms of the invitee's numbers
	name    string
}

func newMatcher(iv Invitee) matcher {
	m := matcher{name: iv.Person.Name}
	for _, n := range append([]string{iv.Address}, iv.Also...) {
		if c := canonicalNumber(n); c != "" {
			m.numbers = append(m.numbers, c)
		}
	}
	return m
}

func (m matcher) matches(p meeting.Participant) bool {
	return m.matchesNumber(canonicalNumber(p.Number), p.Name)
}

// matchesNumber is matches for a participant whose number is already in
// canonical form (theirs), so that a caller trying many matchers on one
// participant canonicalises it once.
func (m matcher) matchesNumber(theirs, name string) bool {
	if len(m.numbers) == 0 || theirs == "" {
		return false
	}
	masked := strings.Contains(theirs, "*")
	for _, ours := range m.numbers {
		if theirs == ours || masked && maskedMatch(theirs, ours) && sameName(name, m.name) {
			return true
		}
	}
	return false
}

// canonicalNumber drops what varies in how a number is written: the
// separators NormalizePhone drops, and a "sip:" scheme. Unlike
// NormalizePhone it keeps what it does not know (masks, SIP numbers longer
// than E.164 allows), since it only compares. It returns "" for an email
// address, which no roster entry carries.
func canonicalNumber(s string) string {
	s = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "sip:")
	if strings.Contains(s, "@") && !strings.ContainsAny(s, "0123456789") {
		return ""
	}
	return strings.Map(func(r rune) rune {
		if isSeparator(r) {
			return -1
		}
		return r
	}, s)
}

// maskedMatch reports whether the masked number could be ours: what shows
// before the stars starts ours and what shows after them ends it, with at
// least one digit hidden. Huawei's own example, +99111****815, hides
// eight digits of an 18-character number behind four stars.
func maskedMatch(masked, ours string) bool {
	first, last := strings.IndexByte(masked, '*'), strings.LastIndexByte(masked, '*')
	if first < 0 {
		return masked == ours
	}
	head, tail := masked[:first], masked[last+1:]
	if strings.Trim(masked[first:last+1], "*") != "" || len(head) < 3 || len(tail) < 3 {
		return false // stars in several places, or too little showing to tell
	}
	return len(ours) > len(head)+len(tail) && strings.HasPrefix(ours, head) && strings.HasSuffix(ours, tail)
}

func sameName(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && strings.EqualFold(a, b)
}
