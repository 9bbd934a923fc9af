package slackapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/store"
)

// Phones rung in place of the app: when the person called asks for it
// (Call my phone instead, answers.go), or, with EscalateAfter, when the app
// has rung that long without an answer. Either way the phone rings once per
// invitee and post (the post's phone row, taken once on any replica),
// through the inviter's CallPhone: its limits and the called-recently
// window apply. While the post's calls are followed, the phone's call is
// followed in place of the app's, and the post says "📱 ringing @bob's
// phone".

// errRerouted ends a round of following: a phone rings instead of an app.
var errRerouted = errors.New("a phone rings instead of the app")

// errNotRecorded is ringPhone's error when the store could not say whether
// the phone was rung already.
var errNotRecorded = errors.New("could not take the post's phone row")

// ringPhone rings the phone of invitee i of post, as asker (whose calls a
// minute it counts), unless it was rung already (errPhoneTaken). A call
// refused (the report's Skipped says why) or failed before anything rang
// gives the row back, for a later try. life is the following's lifetime,
// for a new round of it (phoneWasRung).
func (a *App) ringPhone(ctx, life context.Context, log *slog.Logger, post *postRecord, i int, asker string) (commands.Report, error) {
	won, err := a.takeRow(ctx, post, phoneRow(i), phoneRung)
	switch {
	case err != nil:
		return commands.Report{}, fmt.Errorf("%w: %w", errNotRecorded, err)
	case !won:
		return commands.Report{}, errPhoneTaken
	}
	rep, err := a.inviter.CallPhone(ctx, post.inv, post.rep, i, asker)
	if err != nil && !meetingErrUnknown(err) || err == nil && len(rep.Invited) == 0 {
		a.untakeRow(ctx, post, phoneRow(i), phoneRung)
		return rep, err
	}
	log.Info("rang a phone in place of the app", "slack_user", post.rep.Invited[i].Person.ID, "asked_by", asker, "err", err)
	a.phoneWasRung(ctx, life, log, post, i)
	return rep, err
}

// phoneWasRung shows on post that invitee i's phone was rung, and follows
// that call in place of the app's: in the current round of following when
// the post's calls are followed here, else in a new one (followAgain),
// unless another process follows them (it reads the phone row from the
// store, see catchUp).
func (a *App) phoneWasRung(ctx, life context.Context, log *slog.Logger, post *postRecord, i int) {
	post.mu.Lock()
	defer post.mu.Unlock()
	post.ensureReplies()[i].phoned = true
	switch {
	case post.following:
		a.followPhone(ctx, log, post, i)
	case !post.elsewhere && !post.ended && a.cfg.CallWatch >= 0 && phoneFollowed(post.base()[i]):
		a.ringAgain(ctx, log, post, i)
		a.followAgain(life, log, post, post.idle)
	}
	if !post.elsewhere {
		a.updatePost(ctx, log, post.where, a.mark(post.message()))
	}
}

// followPhone makes invitee i ring again, on their phone, among the calls
// followed, when the post's calls are followed here and theirs had not been
// answered: the current round of following ends, and the next follows the
// phone. post.mu is held.
func (a *App) followPhone(ctx context.Context, log *slog.Logger, post *postRecord, i int) {
	if !post.following || post.ended || !phoneFollowed(post.base()[i]) {
		return
	}
	a.ringAgain(ctx, log, post, i)
	if post.reroute != nil {
		post.reroute(errRerouted)
	}
}

// phoneFollowed reports whether a phone rung instead of an app call in
// state st is followed: unless they joined, or were not called.
func phoneFollowed(st commands.CallState) bool {
	return st != commands.CallJoined && st != commands.CallNone
}

// ringAgain shows invitee i of post as ringing again, in memory and in the
// store. post.mu is held.
func (a *App) ringAgain(ctx context.Context, log *slog.Logger, post *postRecord, i int) {
	states := slices.Clone(post.base())
	states[i] = commands.CallRinging
	a.saveStates(ctx, log, post, states)
	post.states = states
}

// followAgain follows the calls of a post followed to the end once more,
// for a phone rung since (ringAgain), in a new round of at most CallWatch,
// as a task of its own: once the last round has stopped (idle closed; nil:
// none ran), with the post reopened in the store under its lease, so that
// a successor finishes it should this process stop. post.mu is held.
func (a *App) followAgain(life context.Context, log *slog.Logger, post *postRecord, idle <-chan struct{}) {
	a.spawn(workCalls, func() {
		if idle != nil {
			select {
			case <-idle:
			case <-life.Done():
				return
			}
		}
		if a.localPost(post.rep.ConferenceID, post.key()) != post && a.remember(post) {
			return // read from the store, and its meeting ended
		}
		until := time.Now().Add(a.cfg.CallWatch)
		if post.saved.Load() && !a.reopen(log, post, until) {
			return
		}
		log.Info("following a phone rung after the calls were followed to the end", "post", post.key())
		a.follow(life, log, post, until)
	})
}

// escalate rings the phone of each person rung in the app who still rings
// and has not answered (toEscalate), on the invoker's account; follow calls
// it once EscalateAfter has passed since the invitation went out (0:
// never). It does nothing once ctx has ended: the post's calls are not
// followed any more (life is the following's lifetime, see ringPhone).
func (a *App) escalate(life, ctx context.Context, log *slog.Logger, post *postRecord) {
	if ctx.Err() != nil {
		return
	}
	if post.saved.Load() { // answers given on other replicas since the last look
		if sf, ok, err := a.store.LoadFollow(ctx, post.key()); err == nil && ok {
			a.catchUp(ctx, sf.Follow)
		}
	}
	for _, i := range post.toEscalate() {
		rep, err := a.ringPhone(ctx, life, log, post, i, post.inv.Invoker)
		who := post.rep.Invited[i].Person.ID
		switch {
		case err != nil && !errors.Is(err, errPhoneTaken):
			log.Warn("could not ring a phone after the app went unanswered", "slack_user", who, "err", err)
		case err == nil && len(rep.Invited) == 0:
			log.Info("did not ring a phone after the app went unanswered", "slack_user", who, "reason", skipOf(rep).String())
		}
	}
}

// toEscalate are the invitees whose phones escalation rings: rung in the
// app (but the invoker), with a phone, still ringing, and with nothing
// answered.
func (r *postRecord) toEscalate() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return nil
	}
	var out []int
	for i, st := range r.base() {
		iv := r.rep.Invited[i]
		_, phone := commands.OnPhone(iv)
		if st == commands.CallRinging && phone && answerable(r.inv, iv) && (i >= len(r.replies) || r.replies[i] == reply{}) {
			out = append(out, i)
		}
	}
	return out
}

// catchUp shows on a post this process follows what was answered on other
// replicas (as the store has it), and follows the phones they rang.
func (a *App) catchUp(ctx context.Context, f store.Follow) {
	post := a.localPost(f.Meeting, f.Post)
	if post == nil {
		return
	}
	phoned, changed := post.mergeReplies(repliesFromStore(f.Calls, len(post.rep.Invited)))
	if !changed {
		return
	}
	post.mu.Lock()
	defer post.mu.Unlock()
	for _, i := range phoned {
		a.followPhone(ctx, a.log, post, i)
	}
	a.updatePost(ctx, a.log, post.where, a.mark(post.message()))
}

// answerRows are the rows a post keeps in the store, besides its calls'
// states, for each invitee who may answer: their answer, and (rung in the
// app, with a phone) whether their phone was rung; "" until then.
func answerRows(inv commands.Invitation, rep commands.Report) []store.Call {
	var rows []store.Call
	for i, iv := range rep.Invited {
		if !answerable(inv, iv) {
			continue
		}
		rows = append(rows, store.Call{Person: answerRow(i)})
		if _, ok := commands.OnPhone(iv); ok {
			rows = append(rows, store.Call{Person: phoneRow(i)})
		}
	}
	return rows
}
