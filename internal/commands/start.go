package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// ErrCannotStart is the error of Start and Running with a meeting service
// that cannot start or list meetings.
var ErrCannotStart = errors.New("commands: the meeting service cannot start or list meetings")

// starter is what a meeting service that starts meetings offers;
// *meeting.Client does (CreateMeeting, meeting_21_0014).
type starter interface {
	CreateMeeting(ctx context.Context, in meeting.CreateMeetingRequest) (meeting.CreatedMeeting, error)
}

// lister is what a meeting service that lists running meetings offers;
// *meeting.Client does (SearchOnlineMeetings, meeting_21_0025).
type lister interface {
	RunningMeetings(ctx context.Context, searchKey string) ([]meeting.RunningMeeting, error)
}

// StartUnsureError is the error of Start when the meeting service may
// have created the meeting without saying so (meeting.ErrCreateUnanswered):
// Subject is what it would be called. Running lists a running meeting of
// that subject as the invoker's.
type StartUnsureError struct {
	Subject string
	Err     error
}

func (e *StartUnsureError) Error() string {
	return fmt.Sprintf("start meeting %q: %v", e.Subject, e.Err)
}

func (e *StartUnsureError) Unwrap() error { return e.Err }

// Start starts a meeting for inv's invoker, to bring inv's people into it
// afterwards as into any running meeting. The invoker is authorized as for
// an invitation, and the meeting counts as one call against their
// CallsPerMinute; it is created once (creating is not idempotent, so it is
// never retried). Once the request is being sent it is let finish within
// SendTimeout whatever becomes of ctx (a shutdown, the request's own
// timeout), so that a meeting Huawei creates is never reported as not
// started; when no answer says what became of it, the error is a
// *StartUnsureError. The meeting is remembered as theirs for Running.
func (in *Inviter) Start(ctx context.Context, inv Invitation, req meeting.CreateMeetingRequest) (meeting.CreatedMeeting, error) {
	s, ok := in.meetings.(starter)
	if !ok {
		return meeting.CreatedMeeting{}, ErrCannotStart
	}
	if err := in.Authorize(ctx, inv.Invoker, inv.Channel); err != nil {
		return meeting.CreatedMeeting{}, err
	}
	if err := in.limits.take(inv.Invoker, 1); err != nil {
		return meeting.CreatedMeeting{}, err
	}
	if err := ctx.Err(); err != nil {
		return meeting.CreatedMeeting{}, err // nothing sent yet
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), in.cfg.SendTimeout)
	defer cancel()
	m, err := s.CreateMeeting(sctx, req)
	if errors.Is(err, meeting.ErrCreateUnanswered) {
		in.unsure.Set(unsureKey(inv.Invoker, req.Subject), true)
		return meeting.CreatedMeeting{}, &StartUnsureError{Subject: req.Subject, Err: err}
	}
	if err != nil {
		return meeting.CreatedMeeting{}, err
	}
	in.started.Set(m.ID, inv.Invoker)
	return m, nil
}

// unsureKey names a meeting userID may have started (StartUnsureError),
// by its subject.
func unsureKey(userID, subject string) string { return userID + "\x00" + subject }

// Running lists the meetings running now whose subject, scheduler or
// number contain typed (all of them when typed is empty), for a picker:
// own are the invoker's (those they started with Start in this process, or
// may have (StartUnsureError), and those whose scheduler has their Slack
// display or full name, ignoring case), others the rest, each oldest
// first. others is empty unless Config.AllRunning: a meeting's subject and
// scheduler are not shown to everyone by default. The invoker is
// authorized first, as for an invitation: whoever may not invite from
// channelID sees nothing.
//
// A picker asks at every keystroke: the answer for one user, channel and
// typed text is reused for runningMemory, and concurrent asks share one
// search.
func (in *Inviter) Running(ctx context.Context, userID, channelID, typed string) (own, others []meeting.RunningMeeting, err error) {
	key := userID + "\x00" + channelID + "\x00" + typed
	r, err := lookup(ctx, &in.runningLookup, in.running, key, func(ctx context.Context, _ string) (runningAnswer, error) {
		return in.listRunning(ctx, userID, channelID, typed)
	})
	return r.own, r.others, err
}

// runningAnswer is Running's answer, as remembered.
type runningAnswer struct{ own, others []meeting.RunningMeeting }

// Running's answers are remembered this long, this many at most.
const (
	runningMemory     = 5 * time.Second
	runningRemembered = 1000
)

// listRunning is Running, asking the meeting service.
func (in *Inviter) listRunning(ctx context.Context, userID, channelID, typed string) (runningAnswer, error) {
	l, ok := in.meetings.(lister)
	if !ok {
		return runningAnswer{}, ErrCannotStart
	}
	if err := in.Authorize(ctx, userID, channelID); err != nil {
		return runningAnswer{}, err
	}
	var (
		names []string
		wg    sync.WaitGroup
	)
	wg.Go(func() { names = in.namesOf(ctx, userID) }) // cached with the people looked up
	all, err := l.RunningMeetings(ctx, typed)
	wg.Wait()
	if err != nil {
		return runningAnswer{}, err
	}
	var r runningAnswer
	for _, m := range all {
		switch {
		case in.isOwn(m, userID, names):
			r.own = append(r.own, m)
		case in.cfg.AllRunning:
			r.others = append(r.others, m)
		}
	}
	return r, nil
}

// isOwn reports whether m is userID's meeting: started by them with Start
// (or perhaps started, by its subject), or scheduled under one of names.
func (in *Inviter) isOwn(m meeting.RunningMeeting, userID string, names []string) bool {
	if by, ok := in.started.Get(m.ID); ok && by == userID {
		return true
	}
	if _, unsure := in.unsure.Get(unsureKey(userID, m.Subject)); unsure {
		return true
	}
	scheduler := strings.TrimSpace(m.Scheduler)
	return scheduler != "" && slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, scheduler) })
}

// ChannelNames names channels; *slackapp.People does. People that do not
// name none.
type ChannelNames interface {
	// ChannelName returns a public channel's name, or "" for any other
	// conversation (private channels included) or one it cannot see.
	ChannelName(ctx context.Context, channelID string) (string, error)
}

// ChannelName is the name of channelID when it is a public channel, for
// naming a meeting after it; "" for a private channel, a direct message,
// or when it cannot be told.
func (in *Inviter) ChannelName(ctx context.Context, channelID string) string {
	names, ok := in.people.(ChannelNames)
	if !ok || channelID == "" {
		return ""
	}
	name, err := names.ChannelName(ctx, channelID)
	if err != nil {
		in.log.WarnContext(ctx, "could not read the channel's name", "channel", channelID, "err", err)
	}
	return name
}

// NameOf is the name Slack shows userID by (their display name, else full
// name), looked up as an invitation would (sharing its cache); "" when
// unknown.
func (in *Inviter) NameOf(ctx context.Context, userID string) string {
	if names := in.namesOf(ctx, userID); len(names) > 0 {
		return names[0]
	}
	return ""
}

// namesOf are the names Slack shows a user by (display name, full name),
// as an invitation would look them up (sharing its cache); none when
// unknown.
func (in *Inviter) namesOf(ctx context.Context, userID string) []string {
	r := in.resolveAll(ctx, []string{userID})[0]
	var p Person
	switch {
	case r.invitee != nil:
		p = r.invitee.Person
	case r.skip != nil:
		p = Person{Name: r.skip.Name}
	}
	var names []string
	for _, n := range []string{p.Name, p.RealName} {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// WithHost makes the invoker of an invitation that starts a meeting its
// host: when the invitation names anyone to bring in, the invoker is rung
// too, first, as host (Hosts). With nobody named, nobody is rung: the
// meeting is only started.
func WithHost(inv Invitation) Invitation {
	if !inv.Start || inv.Named() == 0 && !inv.Expands() {
		return inv
	}
	if !slices.Contains(inv.UserIDs, inv.Invoker) {
		inv.UserIDs = append([]string{inv.Invoker}, inv.UserIDs...)
	}
	inv.Hosts = []string{inv.Invoker}
	return inv
}
