package slackapp

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// postRecord is an invitation's channel post, remembered so that it can
// follow the calls and say when the meeting ends.
type postRecord struct {
	where posted
	t     target // who asked, for what only they should hear
	inv   commands.Invitation
	rep   commands.Report
	// callID is the meeting's call in Slack, shown in the post ("": none).
	callID string
	lang   *lang // what it is written in (postLang); nil: English

	// mu is held from deciding on an update of the post until Slack has
	// it, so that two updates of one post (a call ending, the meeting
	// ending) reach Slack in the order they were decided.
	mu      sync.Mutex
	states  []commands.CallState // as last shown; nil before any call ended
	replies []reply              // what each invitee answered, whether their phone was rung; nil before any (answers.go)
	ended   bool                 // the post says its meeting ended: it changes no more
	stop    func()               // stops following its calls; nil when not followed
	saved   atomic.Bool          // kept in the store (under this process's lease while followed)

	following bool                    // its calls are followed here now
	idle      chan struct{}           // closed once the following of its calls has stopped; nil: never followed
	reroute   context.CancelCauseFunc // ends the calls' current round of following (a phone rings instead of an app)
	taken     map[string]bool         // rows taken (takeRow), when not kept in the store
	elsewhere bool                    // read from the store while another process follows it: that one redraws it
}

// isEnded reports whether the post says its meeting ended.
func (r *postRecord) isEnded() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ended
}

// update runs change with the post held, unless the post already says its
// meeting ended; change returns whether it now does.
func (r *postRecord) update(change func() (ended bool)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ended {
		r.ended = change()
	}
}

// addPost remembers a meeting's post (its last postsPerMeeting at most) and
// returns its record, through which it is updated. ended is true when the
// meeting ended while the post was being made: it is not remembered then.
func (a *App) addPost(where posted, t target, inv commands.Invitation, rep commands.Report, callID string) (r *postRecord, ended bool) {
	r = &postRecord{where: where, t: t, inv: inv, rep: rep, callID: callID, lang: a.postLang(context.Background(), where.channel, inv.Invoker)}
	a.postsMu.Lock()
	defer a.postsMu.Unlock()
	if a.endedSince(rep) {
		return r, true
	}
	rs, _ := a.posts.Get(rep.ConferenceID)
	rs = append(slices.Clone(rs), r)
	if len(rs) > postsPerMeeting {
		rs = rs[len(rs)-postsPerMeeting:]
	}
	a.posts.Set(rep.ConferenceID, rs)
	return r, false
}

// followCalls updates the channel post as the invitation's calls are
// answered or missed, in the background, until every call has ended or
// CallWatch has passed; whoever is still ringing then is shown as not
// having answered. Nothing is claimed when the calls cannot be seen to
// the end (the link dropped, the meeting ended, the app stopped). The post
// and its calls are kept in the store first, under a lease, so that if
// this process stops or dies another (or its successor) finishes it.
func (a *App) followCalls(life context.Context, log *slog.Logger, post *postRecord) {
	if a.cfg.CallWatch < 0 {
		return
	}
	until := time.Now().Add(a.cfg.CallWatch)
	if err := a.saveFollow(life, post, until); err != nil {
		log.Warn("could not keep the post for a successor; following it in memory only", "err", err)
	}
	a.follow(life, log, post, until)
	if a.cfg.RingingDMs {
		a.spawn(workCalls, func() { a.sendRingingDMs(log, post) })
	}
}

// follow follows the calls of post still ringing until until (see
// followCalls), holding its lease if it is saved.
func (a *App) follow(life context.Context, log *slog.Logger, post *postRecord, until time.Time) {
	ctx, cancel := context.WithDeadline(life, until)
	lctx, lost := context.WithCancelCause(ctx)
	idle := make(chan struct{})
	post.mu.Lock()
	ended := post.ended
	post.stop = cancel // the meeting's end stops it
	post.following = !ended
	if !ended {
		post.idle = idle
	}
	if !ended && post.replies != nil { // resumed: its answers may not show yet
		a.updatePost(lctx, log, post.where, a.mark(post.message()))
	}
	post.mu.Unlock()
	if ended { // it ended between the post and now: nothing to follow
		cancel()
		lost(nil)
		return
	}
	stopped := func() {
		cancel()
		post.mu.Lock()
		post.following = false
		post.mu.Unlock()
		close(idle)
	}
	started := a.spawn(workCalls, func() {
		var escalation sync.WaitGroup
		stopEscalation := func() bool { return false }
		defer func() {
			cancel()
			if stopEscalation() { // it never rang anyone
				escalation.Done()
			}
			escalation.Wait()
			stopped()
		}()
		if post.saved.Load() {
			a.keepLease(lctx, lost, post.key())
		}
		if a.cfg.EscalateAfter > 0 { // a timer, not a goroutine, until it is time
			escalation.Add(1)
			stopEscalation = time.AfterFunc(time.Until(post.rep.SentAt.Add(a.cfg.EscalateAfter)), func() {
				defer escalation.Done()
				a.escalate(life, lctx, log, post)
			}).Stop
		}
		ticker := time.NewTicker(a.cfg.CallPoll)
		defer ticker.Stop()
		for a.followRound(life, lctx, log, post, ticker.C) {
		}
	})
	if !started {
		stopped()
	}
}

// followRound follows the post's calls still ringing until they end (then
// the post is finished) or following stops (see leave), and reports false;
// when a phone rung in place of an app call changes the calls to follow
// (phoneWasRung) it reports true, to be run again.
func (a *App) followRound(life, lctx context.Context, log *slog.Logger, post *postRecord, ticks <-chan time.Time) (again bool) {
	rctx, reroute := context.WithCancelCause(lctx)
	defer reroute(nil)
	rep, index := post.ringing(reroute)
	rerouted := false
	a.inviter.FollowCalls(rctx, rep, ticks, func(u commands.CallUpdate) {
		if rerouted = rerouted || a.showUpdate(rctx, log, post, index, u); rerouted {
			return // FollowCalls goes on until its final update
		}
		if u.Final && !u.Known {
			a.leave(life, lctx, log, post) // the link dropped, the meeting ended, or this process stops
		}
	})
	if rerouted && lctx.Err() != nil {
		a.leave(life, lctx, log, post)
	}
	return rerouted && lctx.Err() == nil
}

// showUpdate shows on the post an update of the calls of a round
// (index: see ringing), and with the final one finishes the post (a
// final update of unknown outcome shows nothing). Once the round was
// rerouted (a phone rang instead of an app since) it shows nothing and
// reports true: the update may have been made before, and would undo
// what followPhone did.
func (a *App) showUpdate(rctx context.Context, log *slog.Logger, post *postRecord, index []int, u commands.CallUpdate) (rerouted bool) {
	if u.Final && !u.Known {
		return errors.Is(context.Cause(rctx), errRerouted)
	}
	var states []commands.CallState
	post.update(func() bool {
		if rerouted = errors.Is(context.Cause(rctx), errRerouted); rerouted {
			return false // followPhone rerouted it holding post.mu: nothing of this round is shown after
		}
		states = post.merge(index, u.States)
		post.following = !u.Final // no phone is followed any more
		if !slices.Equal(post.states, states) {
			a.saveStates(rctx, log, post, states)
			post.states = states
			a.updatePost(rctx, log, post.where, a.mark(post.message()))
		}
		return false
	})
	if rerouted || !u.Final {
		return rerouted
	}
	if post.isEnded() {
		states = nil // the meeting ended meanwhile: no missed-call messages for it
	}
	a.cfg.Monitor.CallsEnded(states)
	a.finishFollow(log, post, states)
	a.tellNoPSTN(rctx, log, post, states)
	return false
}

// markEnded marks the invitation posts of each meeting that ends. It runs
// until life ends.
func (a *App) markEnded(life context.Context) {
	for {
		select {
		case <-life.Done():
			return
		case id, ok := <-a.meetingsEnded:
			if !ok {
				return
			}
			a.meetingEnded(life, id)
		}
	}
}

// meetingEnded marks the invitation posts of a meeting that ended, and
// ends its Slack call.
func (a *App) meetingEnded(life context.Context, id string) {
	a.postsMu.Lock()
	a.ended.Set(id, time.Now()) // for a post being made right now
	posts, _ := a.posts.Take(id)
	a.postsMu.Unlock()
	a.log.Info("meeting ended; marking its posts", "conference_id", id, "posts", len(posts))
	a.endPosts(life, id, posts)
	a.endCard(id)
}

// markPostEnded makes a post say that its meeting ended: its Join and Call
// again buttons go, and the following of its calls stops; no later update
// of the post undoes it. With edit false the post is only stopped (another
// process edits it).
func (a *App) markPostEnded(ctx context.Context, r *postRecord, edit bool) {
	r.update(func() bool {
		if r.stop != nil {
			r.stop()
		}
		if edit {
			r.ended = true // as update will record: the post as it now stands
			a.updatePost(ctx, a.log, r.where, a.mark(r.message()))
		}
		return true
	})
}

// tellNoPSTN tells the invoker privately which phone calls failed because
// the organisation can't make phone calls, and what would fix it.
func (a *App) tellNoPSTN(ctx context.Context, log *slog.Logger, post *postRecord, states []commands.CallState) {
	var names []string
	l := a.langOf(ctx, post.t.userID)
	for i, st := range states {
		if st == commands.CallNoPSTN {
			names = append(names, inviteeName(l, post.rep.Invited[i]))
		}
	}
	if len(names) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
	defer cancel()
	t := post.t
	t.responseURL = "" // long used, perhaps expired: an ephemeral message, else a direct one
	if err := a.postPrivate(ctx, t, a.mark(note(l, pstnNote(l, nameList(l, names))))); err != nil {
		log.Warn("could not tell the invoker that phone calls aren't enabled", "err", err)
	}
}

// endedSince reports whether the report's meeting was seen to end after its
// invitation went out: a room's meeting that ends and starts again within
// the minute the end is remembered is not taken for ended.
func (a *App) endedSince(rep commands.Report) bool {
	at, ok := a.ended.Get(rep.ConferenceID)
	return ok && (rep.SentAt.IsZero() || !at.Before(rep.SentAt))
}
