package slackapp

import (
	"context"
	"log/slog"
	"slices"
	"sync"
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

	// mu is held from deciding on an update of the post until Slack has
	// it, so that two updates of one post (a call ending, the meeting
	// ending) reach Slack in the order they were decided.
	mu     sync.Mutex
	states []commands.CallState // as last shown; nil before any call ended
	ended  bool                 // the post says its meeting ended: it changes no more
	stop   func()               // stops following its calls; nil when not followed
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
func (a *App) addPost(where posted, t target, inv commands.Invitation, rep commands.Report) (r *postRecord, ended bool) {
	r = &postRecord{where: where, t: t, inv: inv, rep: rep}
	a.postsMu.Lock()
	defer a.postsMu.Unlock()
	if _, ended := a.ended.Get(rep.ConferenceID); ended {
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
// the end (the link dropped, the meeting ended, the app stopped).
func (a *App) followCalls(life context.Context, log *slog.Logger, post *postRecord) {
	if a.cfg.CallWatch < 0 {
		return
	}
	ctx, cancel := context.WithTimeout(life, a.cfg.CallWatch)
	post.mu.Lock()
	post.stop = cancel // the meeting's end stops it
	post.mu.Unlock()
	started := a.spawn(workCalls, func() {
		defer cancel()
		ticker := time.NewTicker(a.cfg.CallPoll)
		defer ticker.Stop()
		for u := range a.inviter.FollowCalls(ctx, post.rep, ticker.C) {
			if u.Final && !u.Known {
				return // the link dropped or the meeting ended: say no more
			}
			post.update(func() bool {
				if !slices.Equal(post.states, u.States) {
					post.states = u.States
					a.updatePost(ctx, log, post.where, a.mark(callsMessage(post.inv, post.rep, u.States)))
				}
				return false
			})
			if u.Final {
				a.cfg.Monitor.CallsEnded(u.States)
				a.tellMissed(ctx, log, post.inv, post.rep, u.States)
				a.tellNoPSTN(ctx, log, post, u.States)
			}
		}
	})
	if !started {
		cancel()
	}
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
			a.postsMu.Lock()
			a.ended.Set(id, struct{}{}) // for a post being made right now
			posts, _ := a.posts.Take(id)
			a.postsMu.Unlock()
			a.log.Info("meeting ended; marking its posts", "conference_id", id, "posts", len(posts))
			for _, r := range posts {
				a.markPostEnded(life, r)
			}
		}
	}
}

// markPostEnded makes a post say that its meeting ended: its Join and Call
// again buttons go, and the following of its calls stops; no later update
// of the post undoes it.
func (a *App) markPostEnded(ctx context.Context, r *postRecord) {
	r.update(func() bool {
		if r.stop != nil {
			r.stop()
		}
		a.updatePost(ctx, a.log, r.where, a.mark(endedMessage(r.inv, r.rep, r.states)))
		return true
	})
}

// tellNoPSTN tells the invoker privately which phone calls failed because
// the organisation can't make phone calls, and what would fix it.
func (a *App) tellNoPSTN(ctx context.Context, log *slog.Logger, post *postRecord, states []commands.CallState) {
	var names []string
	for i, st := range states {
		if st == commands.CallNoPSTN {
			names = append(names, inviteeName(post.rep.Invited[i]))
		}
	}
	if len(names) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
	defer cancel()
	t := post.t
	t.responseURL = "" // long used, perhaps expired: an ephemeral message, else a direct one
	if err := a.postPrivate(ctx, t, a.mark(message{text: pstnNote(nameList(names))})); err != nil {
		log.Warn("could not tell the invoker that phone calls aren't enabled", "err", err)
	}
}

// tellMissed sends each Slack user whose call went unanswered a direct
// message saying who called and how to join, since Huawei sends them
// nothing else. Nobody is told twice: it runs once, after the calls ended.
func (a *App) tellMissed(ctx context.Context, log *slog.Logger, inv commands.Invitation, rep commands.Report, states []commands.CallState) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
	defer cancel()
	m := a.mark(missedMessage(inv.Invoker, rep))
	for i, st := range states {
		id := rep.Invited[i].Person.ID
		if !(st.Unanswered() || st == commands.CallNoPSTN) || id == "" || id == inv.Invoker {
			continue
		}
		if _, _, err := a.sm.PostMessageContext(ctx, id, m.options()...); err != nil {
			log.Warn("could not tell someone they missed a call", "slack_user", id, "err", err)
		}
	}
}
