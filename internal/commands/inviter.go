package commands

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/meet-invite/meet-invite/internal/expiring"
	"github.com/meet-invite/meet-invite/internal/flight"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// Inviter runs invitations: it resolves people to meeting numbers, phones or
// emails while it prepares the conference, then asks the meeting service to
// call everyone in one request. It is safe for concurrent use.
type Inviter struct {
	people   People
	meetings Meetings
	presence Presence   // nil: nobody is checked for being in the meeting already
	auth     Authorizer // nil: everyone may invite
	log      *slog.Logger
	cfg      Config

	cache        *expiring.Map[string, resolution] // chat user ID → resolution
	reservations Reservations                      // who was called (or is being) into which meeting
	limits       *callLimits                       // people called per invoker per minute; nil: no limit
	flight       flight.Group[string, resolution]  // lookups of one person under way, shared
	started      *expiring.Map[string, string]     // meetings started with Start → who started them
	unsure       *expiring.Map[string, bool]       // unsureKey: meetings Start may have started, by subject

	running       *expiring.Map[string, runningAnswer] // Running's answers by user, channel and typed text
	runningLookup flight.Group[string, runningAnswer]
}

// resolution is the outcome of resolving one user: an invitee or a skip.
type resolution struct {
	invitee *Invitee
	skip    *Skipped
}

// startedMemory is how long a meeting started with Start is remembered as
// its invoker's: as long as a meeting may last (meeting.MaxMeetingLength).
const startedMemory = meeting.MaxMeetingLength * time.Minute

// NewInviter returns an Inviter that looks people up with people, invites
// them through meetings, leaves out whoever presence says is in the meeting
// already, and lets invite only whom auth allows. presence and auth may be
// nil.
func NewInviter(people People, meetings Meetings, presence Presence, auth Authorizer, logger *slog.Logger, cfg Config) *Inviter {
	cfg = cfg.withDefaults()
	return &Inviter{
		people: people, meetings: meetings, presence: presence, auth: auth, log: logger, cfg: cfg,
		cache:        expiring.New[string, resolution](cfg.CacheTTL, maxRemembered, cfg.Now),
		reservations: cfg.Reservations,
		limits:       newCallLimits(cfg.CallsPerMinute, cfg.MaxPeople, cfg.Now),
		started:      expiring.New[string, string](startedMemory, maxRemembered, cfg.Now),
		unsure:       expiring.New[string, bool](startedMemory, maxRemembered, cfg.Now),
		running:      expiring.New[string, runningAnswer](runningMemory, runningRemembered, cfg.Now),
	}
}

// Prune drops the expired entries of the inviter's tables; call it on a
// timer.
func (in *Inviter) Prune() {
	in.cache.Prune()
	in.started.Prune()
	in.unsure.Prune()
	in.running.Prune()
	if in.limits != nil {
		in.limits.buckets.Prune()
	}
}

// Sizes reports how many entries each of the inviter's in-memory tables
// holds, by name, for metrics.
func (in *Inviter) Sizes() map[string]int {
	return map[string]int{"people": in.cache.Len(), "call_limits": in.limits.Len(), "started_meetings": in.started.Len(), "unsure_meetings": in.unsure.Len(),
		"running_answers": in.running.Len()}
}

// Authorize applies the access rules to a user asking from a channel, as
// every invitation does; nil when everyone may invite.
func (in *Inviter) Authorize(ctx context.Context, userID, channelID string) error {
	if in.auth == nil {
		return nil
	}
	return in.auth.Authorize(ctx, userID, channelID)
}

// Invite runs one invitation to its end and reports on every person named.
// The meeting is prepared (details, host control) and the invoker
// authorized while people are resolved. The error is the invitation's as a
// whole (refused, too many people, the meeting service's answer); the
// report still says who was left out and why.
func (in *Inviter) Invite(ctx context.Context, inv Invitation) (Report, error) {
	return in.run(ctx, inv, nil)
}

// InvitePlanned runs an invitation whose groups and channels were already
// expanded by Plan (and perhaps confirmed by the user): exactly the planned
// people are invited, and nothing is expanded again.
func (in *Inviter) InvitePlanned(ctx context.Context, inv Invitation, plan Plan) (Report, error) {
	return in.run(ctx, inv, &plan)
}

// run is the invitation: gather (prepare, authorize, resolve, ask who is
// there, all at once) → select (who is called) → reserve → send.
func (in *Inviter) run(ctx context.Context, inv Invitation, planned *Plan) (Report, error) {
	rep := Report{ConferenceID: inv.ConferenceID, Holder: inv.ID}
	if rep.Holder == "" {
		rep.Holder = newHolder()
	}
	if err := in.checkSize(inv); err != nil {
		return rep, err
	}
	g, err := in.gather(ctx, inv, planned)
	invitees, skipped := in.choose(ctx, inv.ConferenceID, g) // who could not be reached is said even when it failed
	rep.Conference, rep.Skipped = g.conference, append(g.plan.Skipped, skipped...)
	if err != nil {
		return rep, err
	}
	invitees, recent, err := in.reserve(ctx, inv.ConferenceID, rep.Holder, invitees)
	if err != nil {
		return rep, err
	}
	rep.Skipped = append(rep.Skipped, recent...)
	called, links := splitLinks(invitees)
	if err := in.limits.take(inv.Invoker, len(called)); err != nil {
		in.release(inv.ConferenceID, rep.Holder, invitees)
		return rep, err
	}
	if len(called) > 0 {
		rep.SentAt = in.cfg.Now()
		if inv.OnReady != nil {
			inv.OnReady(g.conference)
		}
		var mayRing bool
		if rep.RequestID, mayRing, err = in.send(ctx, inv, called); err != nil {
			if !mayRing {
				in.release(inv.ConferenceID, rep.Holder, called) // nobody rings: a retry may call them
			}
			in.release(inv.ConferenceID, rep.Holder, links) // nobody sent them anything: a retry may
			return rep, err
		}
	}
	rep.Invited = append(called, links...) // the called first, then those sent the link
	return rep, nil
}

// splitLinks separates those to be called from those to be sent the join
// link (ViaLink), keeping each in order, the called first.
func splitLinks(invitees []Invitee) (called, links []Invitee) {
	for _, iv := range invitees {
		if iv.Via == ViaLink {
			links = append(links, iv)
		} else {
			called = append(called, iv)
		}
	}
	return called, links
}

// gathered is what an invitation learns before it chooses whom to call.
type gathered struct {
	conference meeting.Conference
	plan       Plan
	results    []resolution          // in the order of plan.UserIDs, then the typed numbers and emails
	online     []meeting.Participant // nil when unknown
}

// gather prepares the meeting, authorizes the invoker, expands and resolves
// the people, and asks who is in the meeting, all at the same time. Its
// error is the first that stops the invitation, authorization first.
func (in *Inviter) gather(ctx context.Context, inv Invitation, planned *Plan) (gathered, error) {
	var (
		g                gathered
		wg               sync.WaitGroup
		prepErr, authErr error
	)
	pctx, stopPresence := context.WithCancel(ctx)
	defer stopPresence()
	online := in.online(pctx, inv.ConferenceID)
	authorized := make(chan struct{})
	if in.auth != nil {
		wg.Go(func() { defer close(authorized); authErr = in.auth.Authorize(ctx, inv.Invoker, inv.Channel) })
	} else {
		close(authorized)
	}
	wg.Go(func() {
		if inv.HostPassword != "" {
			// A host password someone typed is tried only for whoever may
			// invite: wrong ones lock the meeting's control for everyone.
			if <-authorized; authErr != nil {
				return
			}
		}
		g.conference, prepErr = in.meetings.Prepare(ctx, inv.ConferenceID, inv.HostPassword)
	})
	if planned != nil {
		g.plan = *planned
	} else {
		g.plan = in.expand(ctx, inv)
	}
	n := g.plan.Count()
	if n <= in.cfg.MaxPeople {
		g.results = append(in.resolveAll(ctx, g.plan.UserIDs), in.direct(inv)...)
	}
	wg.Wait()
	switch {
	case authErr != nil:
		return gathered{}, authErr
	case n > in.cfg.MaxPeople:
		return g, &TooManyError{Count: n, Max: in.cfg.MaxPeople, AtLeast: g.plan.partial, Host: len(inv.Hosts) > 0}
	case prepErr != nil:
		return g, prepErr
	}
	if err := in.refuseHostLink(inv); err != nil {
		return g, err
	}
	if in.presence != nil {
		in.presence.Follow(inv.ConferenceID)
	}
	g.online = online()
	return g, nil
}

// choose turns the lookups into the people to call: each address once,
// without the groups' bots and leavers, and without whoever is in the
// meeting already.
func (in *Inviter) choose(ctx context.Context, conferenceID string, g gathered) (invitees []Invitee, skipped []Skipped) {
	seen := map[string]bool{} // addresses already in this invitation
	for _, r := range g.results {
		if r.skip != nil {
			if g.plan.brought[r.skip.UserID] && (r.skip.Reason == SkipBot || r.skip.Reason == SkipDeactivated) {
				continue // a group's or channel's bots and leavers are left out quietly
			}
			skipped = append(skipped, *r.skip)
			continue
		}
		iv := *r.invitee
		if seen[iv.Address] {
			skipped = append(skipped, skippedInvitee(iv, SkipDuplicate))
			continue
		}
		seen[iv.Address] = true
		invitees = append(invitees, iv)
	}
	invitees, there := in.leaveOutOnline(ctx, conferenceID, invitees, g.online)
	return invitees, append(skipped, there...)
}

// send asks the meeting service to call the invitees, and reports whether
// they may be ringing: not when it answered with an error, nor when ctx
// ended before the request went out; with no answer (a timeout) they may,
// and their reservations are to stand. Work not sent yet stops with ctx;
// once sending, the request is let finish within SendTimeout whatever
// becomes of ctx (a shutdown), so that whoever rings is reported.
func (in *Inviter) send(ctx context.Context, inv Invitation, invitees []Invitee) (requestID string, mayRing bool, err error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	attendees := make([]meeting.Attendee, len(invitees))
	for i, iv := range invitees {
		role := inv.Role
		if iv.Person.ID != "" && slices.Contains(inv.Hosts, iv.Person.ID) {
			role = meeting.RoleHost
		}
		attendees[i] = attendee(iv, role)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), in.cfg.SendTimeout)
	defer cancel()
	requestID, err = in.meetings.Invite(sctx, inv.ConferenceID, attendees)
	var apiErr *meeting.APIError
	return requestID, err == nil || !errors.As(err, &apiErr), err
}

// hostLinks is what a meeting client that knows the meetings' host links
// offers; *meeting.Client does, once the meeting is prepared.
type hostLinks interface {
	IsHostSecret(conferenceID, digest string) bool
}

// refuseHostLink refuses an invitation naming its meeting by the host's
// link, which carries host rights and must not be passed around.
func (in *Inviter) refuseHostLink(inv Invitation) error {
	h, ok := in.meetings.(hostLinks)
	if !ok || inv.LinkDigest == "" {
		return nil
	}
	return HostLinkSecret(Request{LinkDigest: inv.LinkDigest}, func(d string) bool { return h.IsHostSecret(inv.ConferenceID, d) })
}
