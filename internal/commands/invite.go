package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// Person is what the inviter needs to know about a chat user.
type Person struct {
	ID      string
	Name    string // display name, else real name, else username
	Email   string // empty when unknown or hidden
	Phone   string // as typed in the profile, not normalised
	Deleted bool
	Bot     bool
	Guest   bool // restricted or ultra-restricted account
}

// Errors a People implementation returns so the inviter can tell the user
// why someone was left out.
var (
	ErrNoSuchPerson  = errors.New("commands: no such person")
	ErrNoSuchGroup   = errors.New("commands: no such user group")
	ErrNoSuchChannel = errors.New("commands: no such channel")
)

// People looks up chat users and user groups. The Slack transport implements
// it over the Web API; it must be safe for concurrent use.
type People interface {
	Person(ctx context.Context, userID string) (Person, error)
	GroupMembers(ctx context.Context, groupID string) ([]string, error)
	ChannelMembers(ctx context.Context, channelID string) ([]string, error)
}

// Meetings is what the inviter needs from the meeting service.
// *meeting.Client implements it.
type Meetings interface {
	Prepare(ctx context.Context, conferenceID, hostPassword string) (meeting.Conference, error)
	Invite(ctx context.Context, conferenceID string, attendees []meeting.Attendee) (requestID string, err error)
	FindUserByEmail(ctx context.Context, email string) (meeting.DirectoryUser, error)
}

// Presence tells who is online in a meeting: in it, or being called into
// it. *meeting.Presence implements it.
type Presence interface {
	// Participants lists everyone online in the conference now.
	Participants(ctx context.Context, conferenceID string) ([]meeting.Participant, error)
	// Follow asks for the conference to be kept up to date from now on,
	// so that the next Participants costs nothing; it returns at once.
	// It is called once the conference is prepared.
	Follow(conferenceID string)
	// Find returns, without a request, the participants of a followed
	// conference for which match is true; live is false while the
	// conference is not (yet) followed live.
	Find(conferenceID string, match func(meeting.Participant) bool) (found []meeting.Participant, live bool)
}

// Invitation is one request to bring people into a conference, whatever
// the entry point (slash command, modal, shortcut).
type Invitation struct {
	ConferenceID string
	Invoker      string // chat user ID of the person asking
	UserIDs      []string
	GroupIDs     []string
	ChannelIDs   []string
	Phones       []string     // typed directly, normalised; called only with Config.AllowDirect
	Emails       []string     // typed directly; invited only with Config.AllowDirect
	HostPassword string       // optional: used when the bot cannot read the meeting's host password
	Role         meeting.Role // role of every invitee; participant by default

	// Authorize, when set, decides whether the invoker may invite. It runs
	// alongside the lookups, so it costs no extra round trip, but nobody is
	// called unless it returns nil; its error becomes Report.Err.
	Authorize func(ctx context.Context) error
}

// Via says how an invitee will be reached.
type Via int

const (
	ViaApp   Via = iota + 1 // their Huawei Cloud Meeting number (SIP): the app rings
	ViaPhone                // their mobile phone (PSTN)
	// ViaLink: only their email address is known. Huawei cannot call an
	// email (phone is mandatory, meeting_21_0030) and sends no notice to
	// people invited during a meeting, so they are not in the invite
	// request: they are listed in Report.Invited with this Via, and are to
	// be sent the meeting's join link (Address is their email).
	ViaLink
	// ViaEmail is ViaLink's former name, kept while callers move over.
	ViaEmail = ViaLink
)

func (v Via) String() string {
	switch v {
	case ViaApp:
		return "app"
	case ViaPhone:
		return "phone"
	case ViaLink:
		return "link"
	}
	return "unknown"
}

// Invitee is a person the inviter asked the meeting service to call, or
// (ViaLink) who is to be sent the join link.
// Address is the number or email used; it is personal data and is shown
// masked, if at all.
type Invitee struct {
	Person  Person
	Via     Via
	Address string
	// Also holds the person's other numbers (their phone when Address is
	// their meeting number, and so on), to recognise them in the meeting
	// whichever way they joined. It is never called.
	Also []string
}

// SkipReason says why someone was not invited.
type SkipReason int

const (
	SkipDeactivated      SkipReason = iota + 1 // the account is deactivated
	SkipBot                                    // bots cannot join meetings
	SkipNoContact                              // no meeting number, phone or email
	SkipBadPhone                               // only a phone number, without a country code
	SkipNotFound                               // no such user
	SkipLookupFailed                           // the lookup failed; try again
	SkipUnknownGroup                           // no such user group
	SkipEmptyGroup                             // the group has nobody in it
	SkipDuplicate                              // same number as someone else in this request
	SkipRecentlyInvited                        // already called into this meeting moments ago
	SkipUnknownChannel                         // no such channel, or the bot cannot see it
	SkipDirectNotAllowed                       // phone numbers and emails typed directly are not allowed here
	SkipInMeeting                              // already in the meeting
	SkipBeingCalled                            // being called into the meeting right now (by someone else)
)

var skipNames = map[SkipReason]string{
	SkipDeactivated: "deactivated", SkipBot: "bot", SkipNoContact: "no_contact", SkipBadPhone: "bad_phone",
	SkipNotFound: "not_found", SkipLookupFailed: "lookup_failed", SkipUnknownGroup: "unknown_group",
	SkipEmptyGroup: "empty_group", SkipDuplicate: "duplicate", SkipRecentlyInvited: "recently_invited",
	SkipUnknownChannel: "unknown_channel", SkipDirectNotAllowed: "direct_not_allowed",
	SkipInMeeting: "in_meeting", SkipBeingCalled: "being_called",
}

// String names the reason for logs and metrics.
func (r SkipReason) String() string {
	if n, ok := skipNames[r]; ok {
		return n
	}
	return "unknown"
}

// Skipped is someone (or a group) left out of an invitation, with the reason.
type Skipped struct {
	UserID    string
	GroupID   string
	ChannelID string
	Address   string // a phone number or email typed directly
	Name      string
	Reason    SkipReason
}

// Report is the outcome of one Invitation. When Err is set, Invited is
// empty: the meeting service did not accept the invitation (after a timeout
// it may not be known whether it did; Err then matches meeting.ErrUnavailable
// and the invitation is not repeated).
type Report struct {
	ConferenceID string
	Conference   meeting.Conference // zero when the meeting could not be read
	Invited      []Invitee          // accepted by the meeting service and being called; then the ViaLink ones, not called
	Skipped      []Skipped
	Err          error  // the invitation as a whole failed; nobody was called
	RequestID    string // the meeting service's ID of the accepted invite request
}

// ErrTooManyPeople is the Report.Err of an invitation naming more people
// than the configured maximum; nothing is looked up or sent.
var ErrTooManyPeople = errors.New("commands: too many people")

// TooManyError carries the numbers behind ErrTooManyPeople.
type TooManyError struct{ Count, Max int }

func (e *TooManyError) Error() string {
	return fmt.Sprintf("%d people is more than the maximum of %d", e.Count, e.Max)
}
func (e *TooManyError) Is(target error) bool { return target == ErrTooManyPeople }

// Config tunes the inviter. Zero values take the defaults.
type Config struct {
	MaxPeople   int           // most people in one invitation after expanding groups; default 50
	Concurrency int           // lookups in flight at once per invitation; default 16
	CacheTTL    time.Duration // how long a resolved person is reused; default 5 minutes
	// RecentWindow is how long after being called into a meeting a person is
	// not called into it again (double submissions, repeated commands);
	// default 2 minutes.
	RecentWindow time.Duration
	// AllowDirect permits phone numbers and emails typed in a command.
	// Dialling a number can cost money, so it is off by default.
	AllowDirect bool
	// Presence, when set, is asked who is already in the meeting, alongside
	// the lookups; they are not called again. Nil skips the check.
	Presence Presence
	// PresenceWait bounds how long an invitation waits for Presence beyond
	// its other steps; after it, everyone is called. Default 2 seconds.
	PresenceWait time.Duration
	Now          func() time.Time
}

// Inviter runs invitations: it resolves people to meeting numbers, phones or
// emails while it prepares the conference, then asks the meeting service to
// call everyone in one request. It is safe for concurrent use.
type Inviter struct {
	people   People
	meetings Meetings
	log      *slog.Logger
	cfg      Config

	mu     sync.Mutex
	cache  map[string]cached    // chat user ID → resolution
	recent map[string]time.Time // conference ID + "|" + address → when it was called (or is being)
}

type cached struct {
	res     resolution
	expires time.Time
}

// resolution is the outcome of resolving one user: an invitee or a skip.
type resolution struct {
	invitee *Invitee
	skip    *Skipped
}

// NewInviter returns an Inviter that looks people up with people and invites
// them through meetings.
func NewInviter(people People, meetings Meetings, logger *slog.Logger, cfg Config) *Inviter {
	if cfg.MaxPeople <= 0 {
		cfg.MaxPeople = 50
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 16
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = 5 * time.Minute
	}
	if cfg.RecentWindow <= 0 {
		cfg.RecentWindow = 2 * time.Minute
	}
	if cfg.PresenceWait <= 0 {
		cfg.PresenceWait = 2 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Inviter{
		people: people, meetings: meetings, log: logger, cfg: cfg,
		cache: map[string]cached{}, recent: map[string]time.Time{},
	}
}

// Invite runs one invitation to its end and reports on every person named.
// The meeting is prepared (details, host control) while people are resolved.
func (in *Inviter) Invite(ctx context.Context, inv Invitation) Report {
	return in.run(ctx, inv, nil)
}

// InvitePlanned runs an invitation whose groups and channels were already
// expanded by Plan (and perhaps confirmed by the user): exactly the planned
// people are invited, and nothing is expanded again.
func (in *Inviter) InvitePlanned(ctx context.Context, inv Invitation, plan Plan) Report {
	return in.run(ctx, inv, &plan)
}

func (in *Inviter) run(ctx context.Context, inv Invitation, planned *Plan) Report {
	rep := Report{ConferenceID: inv.ConferenceID}
	if n := len(inv.UserIDs) + len(inv.Phones) + len(inv.Emails); n > in.cfg.MaxPeople {
		rep.Err = &TooManyError{Count: n, Max: in.cfg.MaxPeople}
		return rep
	}

	var (
		wg         sync.WaitGroup
		conference meeting.Conference
		prepErr    error
		authErr    error
	)
	pctx, stopPresence := context.WithCancel(ctx)
	defer stopPresence()
	online := in.online(pctx, inv.ConferenceID)
	wg.Go(func() {
		conference, prepErr = in.meetings.Prepare(ctx, inv.ConferenceID, inv.HostPassword)
	})
	if inv.Authorize != nil {
		wg.Go(func() { authErr = inv.Authorize(ctx) })
	}

	var plan Plan
	if planned != nil {
		plan = *planned
	} else {
		plan = in.Plan(ctx, inv)
	}
	rep.Skipped = plan.Skipped
	if n := plan.Count(); n > in.cfg.MaxPeople {
		wg.Wait()
		if authErr != nil {
			return Report{ConferenceID: inv.ConferenceID, Err: authErr}
		}
		rep.Err = &TooManyError{Count: n, Max: in.cfg.MaxPeople}
		return rep
	}
	results := in.resolveAll(ctx, plan.UserIDs)
	results = append(results, in.direct(inv)...)
	wg.Wait()
	rep.Conference = conference

	var (
		invitees  []Invitee
		attendees []meeting.Attendee
		links     []Invitee           // email only: sent the link, never to Huawei
		seen      = map[string]bool{} // addresses already in this invitation
	)
	for _, r := range results {
		if r.skip != nil {
			if plan.brought[r.skip.UserID] && (r.skip.Reason == SkipBot || r.skip.Reason == SkipDeactivated) {
				continue // a group's or channel's bots and leavers are left out quietly
			}
			rep.Skipped = append(rep.Skipped, *r.skip)
			continue
		}
		iv := *r.invitee
		if seen[iv.Address] {
			rep.Skipped = append(rep.Skipped, skippedInvitee(iv, SkipDuplicate))
			continue
		}
		seen[iv.Address] = true
		if iv.Via == ViaLink {
			links = append(links, iv)
			continue
		}
		invitees = append(invitees, iv)
		attendees = append(attendees, attendee(iv, inv.Role))
	}

	if authErr != nil {
		return Report{ConferenceID: inv.ConferenceID, Err: authErr}
	}
	if prepErr != nil {
		rep.Err = prepErr
		return rep
	}
	if in.cfg.Presence != nil {
		in.cfg.Presence.Follow(inv.ConferenceID)
	}
	invitees, attendees, there := in.leaveOutOnline(inv.ConferenceID, invitees, attendees, online())
	rep.Skipped = append(rep.Skipped, there...)
	invitees, attendees, recent := in.reserve(inv.ConferenceID, invitees, attendees)
	rep.Skipped = append(rep.Skipped, recent...)
	links, _, recent = in.reserve(inv.ConferenceID, links, make([]meeting.Attendee, len(links)))
	rep.Skipped = append(rep.Skipped, recent...)
	if len(attendees) == 0 {
		rep.Invited = links
		return rep
	}
	requestID, err := in.meetings.Invite(ctx, inv.ConferenceID, attendees)
	if err != nil {
		var apiErr *meeting.APIError
		if errors.As(err, &apiErr) {
			// The service answered: nobody is held back from a retry. With no
			// answer (a timeout) people may be ringing, so the reservation
			// stands for the recent window.
			in.release(inv.ConferenceID, invitees)
			in.release(inv.ConferenceID, links)
		}
		rep.Err = err
		return rep
	}
	rep.Invited = append(invitees, links...)
	rep.RequestID = requestID
	return rep
}

// Plan is who an invitation would reach: the users named directly, then
// the members of each user group and channel, each once.
type Plan struct {
	UserIDs []string
	Direct  int       // phone numbers and emails typed directly
	Skipped []Skipped // groups and channels that could not be expanded

	brought map[string]bool // users who came in through a group or channel
}

// Count is how many people the plan reaches.
func (p Plan) Count() int { return len(p.UserIDs) + p.Direct }

// Plan expands the invitation's user groups and channels into people,
// without looking anyone up. The invoker is not brought in by a group or
// channel (they are presumably in the meeting); named directly, they are.
func (in *Inviter) Plan(ctx context.Context, inv Invitation) Plan {
	type expansion struct {
		groupID, channelID string
		members            []string
		err                error
	}
	exps := make([]expansion, 0, len(inv.GroupIDs)+len(inv.ChannelIDs))
	for _, g := range inv.GroupIDs {
		exps = append(exps, expansion{groupID: g})
	}
	for _, c := range inv.ChannelIDs {
		exps = append(exps, expansion{channelID: c})
	}
	var wg sync.WaitGroup
	for i := range exps {
		e := &exps[i]
		wg.Go(func() {
			if e.groupID != "" {
				e.members, e.err = in.people.GroupMembers(ctx, e.groupID)
			} else {
				e.members, e.err = in.people.ChannelMembers(ctx, e.channelID)
			}
		})
	}
	wg.Wait()

	plan := Plan{Direct: len(inv.Phones) + len(inv.Emails), brought: map[string]bool{}}
	seen := map[string]bool{}
	for _, id := range inv.UserIDs {
		if !seen[id] {
			seen[id] = true
			plan.UserIDs = append(plan.UserIDs, id)
		}
	}
	for _, e := range exps {
		skip := Skipped{GroupID: e.groupID, ChannelID: e.channelID}
		switch {
		case errors.Is(e.err, ErrNoSuchGroup):
			skip.Reason = SkipUnknownGroup
		case errors.Is(e.err, ErrNoSuchChannel):
			skip.Reason = SkipUnknownChannel
		case e.err != nil:
			in.log.WarnContext(ctx, "expanding a group or channel failed", "group", e.groupID, "channel", e.channelID, "err", e.err)
			skip.Reason = SkipLookupFailed
		case len(e.members) == 0:
			skip.Reason = SkipEmptyGroup
		}
		if skip.Reason != 0 {
			plan.Skipped = append(plan.Skipped, skip)
		}
		for _, id := range e.members {
			if !seen[id] && id != inv.Invoker {
				seen[id] = true
				plan.brought[id] = true
				plan.UserIDs = append(plan.UserIDs, id)
			}
		}
	}
	return plan
}

// direct turns phone numbers and emails typed in the command into
// invitees, or skips them when configuration does not allow it.
func (in *Inviter) direct(inv Invitation) []resolution {
	var out []resolution
	add := func(addr string, via Via, name string) {
		if !in.cfg.AllowDirect {
			out = append(out, resolution{skip: &Skipped{Address: addr, Name: name, Reason: SkipDirectNotAllowed}})
			return
		}
		out = append(out, resolution{invitee: &Invitee{Person: Person{Name: name}, Via: via, Address: addr}})
	}
	for _, p := range inv.Phones {
		add(p, ViaPhone, MaskPhone(p))
	}
	for _, e := range inv.Emails {
		add(e, ViaLink, MaskEmail(e))
	}
	return out
}

// online starts asking who is in the conference and returns a function that
// waits for the answer: at most cfg.PresenceWait, so that a slow answer
// never holds an invitation up for long. Without an answer it returns nil,
// and everyone is called. Cancelling ctx ends the question.
func (in *Inviter) online(ctx context.Context, conferenceID string) func() []meeting.Participant {
	if in.cfg.Presence == nil {
		return func() []meeting.Participant { return nil }
	}
	type answer struct {
		ps  []meeting.Participant
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		ps, err := in.cfg.Presence.Participants(ctx, conferenceID)
		ch <- answer{ps, err}
	}()
	return func() []meeting.Participant {
		t := time.NewTimer(in.cfg.PresenceWait)
		defer t.Stop()
		select {
		case a := <-ch:
			if a.err != nil {
				in.log.WarnContext(ctx, "could not check who is in the meeting; calling everyone", "conference_id", conferenceID, "err", a.err)
				return nil
			}
			return a.ps
		case <-t.C:
			in.log.WarnContext(ctx, "checking who is in the meeting took too long; calling everyone", "conference_id", conferenceID)
			return nil
		}
	}
}

// leaveOutOnline leaves out invitees who are online in the meeting already.
// Someone still ringing because this bot called them is reported as such.
func (in *Inviter) leaveOutOnline(conferenceID string, invitees []Invitee, attendees []meeting.Attendee, online []meeting.Participant) ([]Invitee, []meeting.Attendee, []Skipped) {
	if len(online) == 0 {
		return invitees, attendees, nil
	}
	var (
		keptInv []Invitee
		keptAtt []meeting.Attendee
		skipped []Skipped
	)
	for i, iv := range invitees {
		p, ok := findOnline(iv, online)
		if !ok {
			keptInv = append(keptInv, iv)
			keptAtt = append(keptAtt, attendees[i])
			continue
		}
		reason := SkipInMeeting
		switch {
		case p.State == meeting.InMeeting:
		case in.calledRecently(conferenceID, iv.Address):
			reason = SkipRecentlyInvited // still ringing, or perhaps (Online) joined, from this bot's call
		case p.State == meeting.BeingCalled:
			reason = SkipBeingCalled
		}
		skipped = append(skipped, skippedInvitee(iv, reason))
	}
	return keptInv, keptAtt, skipped
}

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

// reserve marks each invitee as being called into the conference and leaves
// out anyone called into it within the recent window, so that a double
// submission or a repeated command never rings a person twice.
func (in *Inviter) reserve(conferenceID string, invitees []Invitee, attendees []meeting.Attendee) ([]Invitee, []meeting.Attendee, []Skipped) {
	in.mu.Lock()
	defer in.mu.Unlock()
	now := in.cfg.Now()
	if len(in.recent) > 10000 {
		for k, t := range in.recent {
			if now.Sub(t) >= in.cfg.RecentWindow {
				delete(in.recent, k)
			}
		}
	}
	var (
		keptInv []Invitee
		keptAtt []meeting.Attendee
		skipped []Skipped
	)
	for i, iv := range invitees {
		key := conferenceID + "|" + iv.Address
		if t, ok := in.recent[key]; ok && now.Sub(t) < in.cfg.RecentWindow {
			skipped = append(skipped, skippedInvitee(iv, SkipRecentlyInvited))
			continue
		}
		in.recent[key] = now
		keptInv = append(keptInv, iv)
		keptAtt = append(keptAtt, attendees[i])
	}
	return keptInv, keptAtt, skipped
}

// calledRecently reports whether this inviter called addr into the
// conference within the recent window.
func (in *Inviter) calledRecently(conferenceID, addr string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	t, ok := in.recent[conferenceID+"|"+addr]
	return ok && in.cfg.Now().Sub(t) < in.cfg.RecentWindow
}

func (in *Inviter) release(conferenceID string, invitees []Invitee) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, iv := range invitees {
		delete(in.recent, conferenceID+"|"+iv.Address)
	}
}

// Reach tells how an invitation would reach one chat user: the invitee it
// would call, or why they would be left out. It looks them up as an
// invitation does (and shares its cache), and calls nobody.
func (in *Inviter) Reach(ctx context.Context, userID string) (Invitee, *Skipped) {
	r := in.resolveAll(ctx, []string{userID})[0]
	if r.skip != nil {
		return Invitee{}, r.skip
	}
	return *r.invitee, nil
}

// resolveAll resolves every user, at most cfg.Concurrency at a time, and
// returns the results in the order of ids.
func (in *Inviter) resolveAll(ctx context.Context, ids []string) []resolution {
	out := make([]resolution, len(ids))
	sem := make(chan struct{}, in.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, id := range ids {
		if r, ok := in.cached(id); ok {
			out[i] = r
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			r, cacheable := in.resolve(ctx, id)
			if cacheable {
				in.remember(id, r)
			}
			out[i] = r
		})
	}
	wg.Wait()
	return out
}

// resolve finds how to reach one user: their meeting number from the
// directory (found by email), else their profile phone, else their email.
// cacheable is false for outcomes that a retry might change.
func (in *Inviter) resolve(ctx context.Context, id string) (r resolution, cacheable bool) {
	skip := func(p Person, reason SkipReason) resolution {
		return resolution{skip: &Skipped{UserID: id, Name: p.Name, Reason: reason}}
	}
	p, err := in.people.Person(ctx, id)
	switch {
	case errors.Is(err, ErrNoSuchPerson):
		return skip(Person{}, SkipNotFound), true
	case err != nil:
		in.log.WarnContext(ctx, "user lookup failed", "slack_user", id, "err", err)
		return skip(Person{}, SkipLookupFailed), false
	case p.Deleted:
		return skip(p, SkipDeactivated), true
	case p.Bot:
		return skip(p, SkipBot), true
	}

	cacheable = true
	profilePhone, _ := NormalizePhone(p.Phone)
	if p.Email != "" {
		u, err := in.meetings.FindUserByEmail(ctx, p.Email)
		var dirPhone string
		if err == nil && !u.HidePhone {
			dirPhone, _ = NormalizePhone(u.Phone)
		}
		switch {
		case err == nil && u.Number != "":
			return resolution{invitee: &Invitee{Person: p, Via: ViaApp, Address: u.Number, Also: otherNumbers(u.Number, dirPhone, profilePhone)}}, true
		case dirPhone != "":
			return resolution{invitee: &Invitee{Person: p, Via: ViaPhone, Address: dirPhone, Also: otherNumbers(dirPhone, profilePhone)}}, true
		case err != nil && !errors.Is(err, meeting.ErrNoDirectoryMatch):
			// The directory is a nicety: fall back to the profile, but do
			// not remember the fallback, so the next request tries again.
			in.log.WarnContext(ctx, "directory lookup failed", "slack_user", id, "err", err)
			cacheable = false
		}
	}
	if p.Phone != "" {
		if n, ok := NormalizePhone(p.Phone); ok {
			return resolution{invitee: &Invitee{Person: p, Via: ViaPhone, Address: n}}, cacheable
		}
		if p.Email == "" {
			return skip(p, SkipBadPhone), true
		}
	}
	if p.Email != "" {
		return resolution{invitee: &Invitee{Person: p, Via: ViaLink, Address: p.Email}}, cacheable
	}
	return skip(p, SkipNoContact), true
}

func (in *Inviter) cached(id string) (resolution, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	c, ok := in.cache[id]
	if !ok || !in.cfg.Now().Before(c.expires) {
		return resolution{}, false
	}
	return c.res, true
}

func (in *Inviter) remember(id string, r resolution) {
	in.mu.Lock()
	defer in.mu.Unlock()
	now := in.cfg.Now()
	if len(in.cache) > 10000 { // bound memory: drop what has expired
		for k, c := range in.cache {
			if !now.Before(c.expires) {
				delete(in.cache, k)
			}
		}
	}
	in.cache[id] = cached{res: r, expires: now.Add(in.cfg.CacheTTL)}
}

// otherNumbers returns the numbers after the first that differ from it and
// from each other, leaving out empty ones.
func otherNumbers(addr string, numbers ...string) []string {
	seen := map[string]bool{canonicalNumber(addr): true}
	var out []string
	for _, n := range numbers {
		if c := canonicalNumber(n); c != "" && !seen[c] {
			seen[c] = true
			out = append(out, n)
		}
	}
	return out
}

// attendee builds the meeting service's attendee for an invitee called
// by number (ViaApp or ViaPhone; ViaLink ones are never sent).
func attendee(iv Invitee, role meeting.Role) meeting.Attendee {
	a := meeting.Attendee{Name: truncate(iv.Person.Name, 96), Role: role}
	switch iv.Via {
	case ViaApp:
		a.Phone, a.Type = iv.Address, meeting.TypeNormal
	case ViaPhone:
		a.Phone, a.Type = iv.Address, meeting.TypeMobile
	}
	if iv.Person.ID == "" {
		// Typed directly: Person.Name is masked for Slack; the meeting
		// roster shows the number or address itself.
		a.Name = truncate(iv.Address, 96)
	}
	if a.Name == "" {
		a.Name = iv.Person.ID
	}
	return a
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}
