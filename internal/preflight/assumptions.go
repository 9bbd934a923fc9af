package preflight

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// assumptions adds an Info line for each row of docs/ARCHITECTURE.md's
// table of what only a real tenant can confirm: what this tenant answered,
// or why the check cannot tell. No number is shown, only its form.
func assumptions(sec string, f found, r *Report) {
	info := func(name, detail string) {
		r.add(Line{Section: sec + ": what the tenant answered (docs/ARCHITECTURE.md)", Status: Info, Name: name, Detail: detail})
	}
	seen := f.online
	if len(seen) == 0 {
		seen = f.roster
	}
	info("roster numbers are SIP numbers or +phones, masked ones matched by head and tail", numberForms(seen))
	info("ListOnlineConfAttendee lists people being called", "not checked: that needs a call in progress, and bot check calls nobody")
	const wsName = "wsURL is a prefix the documented path is added to"
	switch u, err := url.Parse(withScheme(f.wsURL)); {
	case f.wsURL == "" || err != nil:
		info(wsName, "no usable wsURL came with the control token")
	case u.Path == "" || u.Path == "/":
		info(wsName, "yes: the wsURL has no path, so the documented one is added")
	default:
		info(wsName, "no: the wsURL has a path, which is used as given")
	}
	if f.subscribed {
		info("Subscribe's data may be a JSON string", "accepted: the full list came after such a Subscribe")
	} else {
		info("Subscribe's data may be a JSON string", "not confirmed: no full list came")
	}
	info("participant increments are numbered one after another", "not checked: that needs people to join or leave during the check")
	info("a call that stops ringing leaves the roster", "not checked: that needs a call")
	info("the keep-alive call extends the control token and its subscription", "not checked: the token falls due after about 28 minutes")
}

// numberForms counts the forms of the participants' numbers, never showing one.
func numberForms(ps []meeting.Participant) string {
	if len(ps) == 0 {
		return "nobody online to look at"
	}
	var plus, digits, masked, other int
	for _, p := range ps {
		n := p.Number
		switch {
		case strings.Contains(n, "*"):
			masked++
		case strings.HasPrefix(n, "+") && allDigits(n[1:]):
			plus++
		case allDigits(n):
			digits++
		default:
			other++
		}
	}
	parts := []string{}
	for _, c := range []struct {
		n    int
		what string
	}{{plus, "+digits (as the bot calls them)"}, {digits, "digits without +"}, {masked, "masked"}, {other, "another form or none"}} {
		if c.n > 0 {
			parts = append(parts, strconv.Itoa(c.n)+" "+c.what)
		}
	}
	return "numbers seen: " + strings.Join(parts, ", ")
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
