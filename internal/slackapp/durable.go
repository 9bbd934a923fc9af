package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/store"
)

// What the app keeps in the store so that a post's calls are followed to
// the end, and its missed-call messages sent once, whatever happens to the
// process following it.
const (
	// leaseTTL is how long a post's follower holds it without renewing
	// (it renews every third of it): after a replica dies, another picks
	// its posts up within leaseTTL + resumeEvery.
	leaseTTL    = 15 * time.Second
	resumeEvery = 5 * time.Second // how often each replica looks for posts nobody follows
	// resumeAtLeast is how long a resumed post is followed at least, even
	// when its own time ran out while nobody followed it, so that the
	// meeting is seen live again and the calls still ringing are settled.
	resumeAtLeast = 15 * time.Second
	missedHold    = 30 * time.Second // a claimed missed-call message not marked sent by then is claimed again
	missedPoll    = 5 * time.Second  // how often each replica looks for missed-call messages left unsent
	missedBatch   = 50
)

var errLeaseLost = errors.New("another process took the post over")

// savedPost is a followed post as the store keeps it: all the app needs to
// redraw it and to follow its calls again.
type savedPost struct {
	Channel string              `json:"channel"`
	TS      string              `json:"ts"`
	Inv     commands.Invitation `json:"inv"`
	Rep     commands.Report     `json:"rep"`
	Until   time.Time           `json:"until"`             // when following its calls ends
	CallID  string              `json:"call_id,omitempty"` // the meeting's call in Slack, shown in the post
}

// savedMissed is a missed-call message as the outbox keeps it, with the
// answers it offers (none in those queued before answers existed).
type savedMissed struct {
	Invoker      string             `json:"invoker"`
	ConferenceID string             `json:"conference_id"`
	Conference   meeting.Conference `json:"conference"`
	Post         string             `json:"post,omitempty"`
	Index        int                `json:"index,omitempty"`
	Phone        bool               `json:"phone,omitempty"` // Call my phone instead is offered
}

// key is the post's identity in the store.
func (r *postRecord) key() string { return r.where.channel + "/" + r.where.ts }

func leaseKey(post string) string { return "post:" + post }

// stateName is how a call state is kept in the store.
func stateName(s commands.CallState) string { return strconv.Itoa(int(s)) }

func stateOf(name string) (commands.CallState, bool) {
	n, err := strconv.Atoi(name)
	return commands.CallState(n), err == nil
}

// initialStates are the states of a post's calls as first posted.
func initialStates(rep commands.Report) []commands.CallState {
	states := make([]commands.CallState, len(rep.Invited))
	for i, iv := range rep.Invited {
		if iv.Via == commands.ViaLink {
			states[i] = commands.CallNone
		}
	}
	return states
}

// base is the post's states as last known, the initial ones before any.
func (r *postRecord) base() []commands.CallState {
	if r.states != nil {
		return r.states
	}
	return initialStates(r.rep)
}

// ringing is the report of the calls still to follow (a phone rung instead
// of the app as the phone's call), and where each is in the post's report;
// reroute ends their following, for a phone rung meanwhile.
func (r *postRecord) ringing(reroute context.CancelCauseFunc) (commands.Report, []int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reroute = reroute
	rep := r.rep
	rep.Invited = nil
	var index []int
	for i, st := range r.base() {
		if st != commands.CallRinging {
			continue
		}
		iv := r.rep.Invited[i]
		if phone, ok := commands.OnPhone(iv); ok && i < len(r.replies) && r.replies[i].phoned {
			iv = phone
		}
		rep.Invited = append(rep.Invited, iv)
		index = append(index, i)
	}
	return rep, index
}

// merge is the post's states with those of the calls followed (index: see
// ringing) replaced by followed. r.mu is held.
func (r *postRecord) merge(index []int, followed []commands.CallState) []commands.CallState {
	states := append([]commands.CallState(nil), r.base()...)
	for j, i := range index {
		if j < len(followed) {
			states[i] = followed[j]
		}
	}
	return states
}

// storeCtx is a context for one store call made outside a request's time.
func storeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), storeTimeout)
}

// saveFollow takes the post's lease and keeps it in the store with its
// calls, for a successor to finish.
func (a *App) saveFollow(ctx context.Context, post *postRecord, until time.Time) (err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	key := post.key()
	a.setFollowing(key, true) // before it is in the store: this process's resume loop leaves it be
	defer func() {
		if err != nil {
			a.setFollowing(key, false)
		}
	}()
	if ok, err := a.store.AcquireLease(ctx, leaseKey(key), a.cfg.Owner, leaseTTL); err != nil || !ok {
		return cmpErr(err, errLeaseLost)
	}
	payload, err := post.payload(until)
	if err != nil {
		return err
	}
	states := initialStates(post.rep)
	calls := make([]store.Call, len(states))
	for i, st := range states {
		calls[i] = store.Call{Person: strconv.Itoa(i), State: stateName(st)}
	}
	calls = append(calls, answerRows(post.inv, post.rep)...)
	if err := a.store.SaveFollow(ctx, store.Follow{Post: key, Meeting: post.rep.ConferenceID, Payload: payload, Calls: calls}, postMemory); err != nil {
		return err
	}
	post.saved.Store(true)
	return nil
}

// payload is the post as the store keeps it, to be followed until until.
func (r *postRecord) payload(until time.Time) ([]byte, error) {
	return json.Marshal(savedPost{Channel: r.where.channel, TS: r.where.ts, Inv: r.inv, Rep: r.rep, Until: until, CallID: r.callID})
}

// reopen takes the lease of a post whose calls were followed to the end,
// and reopens it in the store, to be followed until until; false (and the
// lease given back) when another process follows it, its meeting ended,
// or the store fails.
func (a *App) reopen(log *slog.Logger, post *postRecord, until time.Time) bool {
	ctx, cancel := storeCtx()
	defer cancel()
	key := post.key()
	a.setFollowing(key, true) // before it is unfinished: this process's resume loop leaves it be
	payload, err := post.payload(until)
	var got, reopened bool
	if err == nil {
		got, err = a.store.AcquireLease(ctx, leaseKey(key), a.cfg.Owner, leaseTTL)
	}
	if err == nil && got {
		reopened, err = a.store.ReopenFollow(ctx, key, payload)
	}
	if reopened {
		return true
	}
	log.Info("not following the post's calls again", "post", key, "lease", got, "err", err)
	if got {
		if err := a.store.ReleaseLease(ctx, leaseKey(key), a.cfg.Owner); err != nil {
			log.Warn("could not give back a post's lease", "err", err)
		}
	}
	a.setFollowing(key, false)
	return false
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// setFollowing records whether this process follows post.
func (a *App) setFollowing(post string, on bool) {
	a.followingMu.Lock()
	defer a.followingMu.Unlock()
	if on {
		a.following[post] = true
	} else {
		delete(a.following, post)
	}
}

func (a *App) isFollowing(post string) bool {
	a.followingMu.Lock()
	defer a.followingMu.Unlock()
	return a.following[post]
}

// keepLease renews the lease of post until ctx ends, and calls lost when
// another process has taken it over. One goroutine renews all of a
// process's posts' leases, in one statement (renewLeases), not one each.
func (a *App) keepLease(ctx context.Context, lost context.CancelCauseFunc, post string) {
	h := &leaseHold{ctx: ctx, lost: lost}
	a.leasesMu.Lock()
	a.leases[post] = h
	idle := !a.renewing
	a.renewing = true
	a.leasesMu.Unlock()
	context.AfterFunc(ctx, func() { a.dropLease(post, h) })
	if idle {
		go a.renewLeases()
	}
}

// leaseHold is one following of a post, whose lease renewLeases renews.
type leaseHold struct {
	ctx  context.Context         // the following: once it is done, renewed no more
	lost context.CancelCauseFunc // told when another process took the post over
}

// dropLease stops renewing post's lease for h, unless a later following
// of the post holds it now.
func (a *App) dropLease(post string, h *leaseHold) {
	a.leasesMu.Lock()
	defer a.leasesMu.Unlock()
	if a.leases[post] == h {
		delete(a.leases, post)
	}
}

// renewLeases renews the leases keepLease holds every third of leaseTTL,
// until it holds none.
func (a *App) renewLeases() {
	t := time.NewTicker(leaseTTL / 3)
	defer t.Stop()
	for range t.C {
		if !a.renewHeld() {
			return
		}
	}
}

// renewHeld renews every lease keepLease holds, in one call to the store
// bounded by the time until the next, and reports false when it holds none
// (renewLeases stops). A renewal that fails is logged and tried again at
// the next tick; a lease another process has taken is dropped, and its
// post told (lost).
func (a *App) renewHeld() bool {
	a.leasesMu.Lock()
	if len(a.leases) == 0 {
		a.renewing = false
		a.leasesMu.Unlock()
		return false
	}
	held := maps.Clone(a.leases)
	a.leasesMu.Unlock()
	keys := make([]string, 0, len(held))
	for post, h := range held {
		if h.ctx.Err() == nil { // its following goes on
			keys = append(keys, leaseKey(post))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), leaseTTL/3)
	kept, err := a.store.RenewLeases(ctx, keys, a.cfg.Owner, leaseTTL)
	cancel()
	if err != nil {
		a.log.Warn("could not renew the leases of the posts followed here", "posts", len(keys), "err", err)
		return true
	}
	for post, h := range held {
		if kept[leaseKey(post)] || h.ctx.Err() != nil {
			continue
		}
		a.log.Warn("another process took over a post's calls", "post", post)
		a.dropLease(post, h)
		h.lost(errLeaseLost)
	}
	return true
}

// holdLease calls renew every third of leaseTTL until ctx ends, or until
// renew says the lease is another's (false): then it reports true. A
// renewal that fails is logged, naming whose lease it is, and tried again
// at the next tick.
func (a *App) holdLease(ctx context.Context, log *slog.Logger, whose string, renew func(ctx context.Context) (bool, error)) (lost bool) {
	t := time.NewTicker(leaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
		sctx, cancel := context.WithTimeout(ctx, storeTimeout)
		kept, err := renew(sctx)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("could not renew "+whose+" lease", "err", err)
		case err == nil && !kept:
			return true
		}
	}
}

// saveStates records the calls of post that moved from its last states.
func (a *App) saveStates(ctx context.Context, log *slog.Logger, post *postRecord, states []commands.CallState) {
	if !post.saved.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	for i, from := range post.base() {
		if states[i] == from {
			continue
		}
		if _, err := a.store.SetCallState(ctx, post.key(), strconv.Itoa(i), stateName(from), stateName(states[i])); err != nil {
			log.Warn("could not record how a call went", "err", err)
		}
	}
}

// leave stops following a post whose calls' outcome will not be known
// here: when this process stops, the post is left for its successor (the
// lease given back, so that it need not wait); when another took it over,
// to that one; else (the link dropped, the meeting ended, never live)
// there is nothing more to say, and the post is finished.
func (a *App) leave(life, ctx context.Context, log *slog.Logger, post *postRecord) {
	if !post.saved.Load() {
		return
	}
	key := post.key()
	defer a.setFollowing(key, false)
	sctx, cancel := storeCtx()
	defer cancel()
	switch {
	case errors.Is(context.Cause(ctx), errLeaseLost):
		return
	case life.Err() != nil:
		log.Info("stopping; leaving the post's calls to the next process", "post", key)
	default:
		if _, err := a.store.FinishFollow(sctx, key); err != nil {
			log.Warn("could not mark a post finished", "err", err)
		}
	}
	if err := a.store.ReleaseLease(sctx, leaseKey(key), a.cfg.Owner); err != nil {
		log.Warn("could not give back a post's lease", "err", err)
	}
}

// finishFollow ends the following of a post whose calls all ended: each
// Slack user who missed their call is put in the outbox (once per call,
// whoever gets here), the post is marked finished, and the outbox is sent.
func (a *App) finishFollow(log *slog.Logger, post *postRecord, states []commands.CallState) {
	ctx, cancel := context.WithTimeout(context.Background(), postTimeout)
	defer cancel()
	for i, st := range states {
		id := post.rep.Invited[i].Person.ID
		if !(st.Unanswered() || st == commands.CallNoPSTN) || id == "" || id == post.inv.Invoker {
			continue
		}
		sm := savedMissed{Invoker: post.inv.Invoker, ConferenceID: post.rep.ConferenceID, Conference: post.rep.Conference}
		if choices, ok := choicesFor(post, i); ok {
			sm.Post, sm.Index, sm.Phone = choices.value.Post, choices.value.Index, choices.phone
		}
		payload, _ := json.Marshal(sm)
		m := store.Missed{ID: post.key() + "/" + strconv.Itoa(i), UserID: id, Payload: payload}
		if _, err := a.store.EnqueueMissed(ctx, m, postMemory); err != nil {
			log.Warn("could not queue a missed-call message; sending it now", "slack_user", id, "err", err)
			a.sendMissed(ctx, log, m)
		}
	}
	if post.saved.Load() {
		key := post.key()
		if _, err := a.store.FinishFollow(ctx, key); err != nil {
			log.Warn("could not mark a post finished", "err", err)
		}
		if err := a.store.ReleaseLease(ctx, leaseKey(key), a.cfg.Owner); err != nil {
			log.Warn("could not give back a post's lease", "err", err)
		}
		a.setFollowing(key, false)
	}
	a.drainMissed(ctx)
}

// drainMissed sends the missed-call messages nobody is sending: those just
// queued, and those whose sender died before marking them sent.
func (a *App) drainMissed(ctx context.Context) {
	for {
		ms, err := a.store.ClaimMissed(ctx, a.cfg.Owner, missedBatch, missedHold)
		if err != nil {
			if ctx.Err() == nil {
				a.log.Warn("could not read the missed-call messages to send", "err", err)
			}
			return
		}
		for _, m := range ms {
			if a.sendMissed(ctx, a.log, m) {
				if _, err := a.store.MarkMissedSent(ctx, m.ID, a.cfg.Owner); err != nil {
					a.log.Warn("could not mark a missed-call message sent", "err", err)
				}
			}
		}
		if len(ms) < missedBatch {
			return
		}
	}
}

// sendMissed sends one missed-call message, and reports whether it went.
// One that did not go is claimed again, and retried, after missedHold.
func (a *App) sendMissed(ctx context.Context, log *slog.Logger, m store.Missed) bool {
	var sm savedMissed
	if err := json.Unmarshal(m.Payload, &sm); err != nil {
		log.Error("unreadable missed-call message; dropped", "err", err)
		return true
	}
	var choices answerChoices
	if sm.Post != "" {
		choices = answerChoices{value: answerValue{ConferenceID: sm.ConferenceID, Post: sm.Post, Index: sm.Index, User: m.UserID}, phone: sm.Phone}
	}
	msg := a.mark(missedMessage(a.langOf(ctx, m.UserID), sm.Invoker, commands.Report{ConferenceID: sm.ConferenceID, Conference: sm.Conference}, choices))
	if _, _, err := a.sm.PostMessageContext(ctx, m.UserID, msg.options()...); err != nil {
		log.Warn("could not tell someone they missed a call", "slack_user", m.UserID, "err", err)
		return false
	}
	return true
}

// tend runs, until life ends, what every replica does for all of them:
// keep its own requests held, take over the requests, posts and Slack
// calls of processes that stopped (after a restart, or a replica that
// died), and send missed-call messages left unsent.
func (a *App) tend(lt lifetimes) {
	life := lt.life
	a.resume(life)
	a.adoptCards(life)
	resume := time.NewTicker(resumeEvery)
	defer resume.Stop()
	missed := time.NewTicker(missedPoll)
	defer missed.Stop()
	renew := time.NewTicker(requestHold / 3)
	defer renew.Stop()
	for {
		select {
		case <-life.Done():
			return
		case <-renew.C:
			a.renewRequests(life)
		case <-resume.C:
			a.resume(life)
			a.adopt(lt)
			a.adoptCards(life)
		case <-missed.C:
			ctx, cancel := context.WithTimeout(life, postTimeout)
			a.drainMissed(ctx)
			cancel()
		}
	}
}

// resume follows again every unfinished post whose lease this process
// gets: nobody else follows it.
func (a *App) resume(life context.Context) {
	if a.cfg.CallWatch < 0 {
		return
	}
	ctx, cancel := context.WithTimeout(life, storeTimeout)
	defer cancel()
	fs, err := a.store.UnfinishedFollows(ctx)
	if err != nil {
		if life.Err() == nil {
			a.log.Warn("could not look for posts to resume", "err", err)
		}
		return
	}
	for _, f := range fs {
		if a.isFollowing(f.Post) {
			a.catchUp(ctx, f)
			continue
		}
		got, err := a.store.AcquireLease(ctx, leaseKey(f.Post), a.cfg.Owner, leaseTTL)
		if err != nil || !got {
			continue
		}
		post, until, err := a.storedPost(ctx, f)
		if err != nil {
			a.log.Error("unreadable followed post; dropped", "post", f.Post, "err", err)
			_, _ = a.store.FinishFollow(ctx, f.Post)
			continue
		}
		a.setFollowing(f.Post, true)
		a.log.Info("resuming a post's calls", "post", f.Post, "conference_id", post.rep.ConferenceID)
		a.resumeFollow(life, post, until)
	}
}

// storedPost rebuilds a followed post from the store, in its language.
func (a *App) storedPost(ctx context.Context, f store.Follow) (*postRecord, time.Time, error) {
	post, until, err := postFromStore(f)
	if err == nil {
		post.lang = a.postLang(ctx, post.where.channel, post.inv.Invoker)
	}
	return post, until, err
}

// postFromStore rebuilds a followed post from the store.
func postFromStore(f store.Follow) (*postRecord, time.Time, error) {
	var sp savedPost
	if err := json.Unmarshal(f.Payload, &sp); err != nil {
		return nil, time.Time{}, err
	}
	post := &postRecord{where: posted{channel: sp.Channel, ts: sp.TS}, inv: sp.Inv, rep: sp.Rep, callID: sp.CallID}
	post.saved.Store(true)
	post.replies = repliesFromStore(f.Calls, len(sp.Rep.Invited))
	calls := slices.DeleteFunc(slices.Clone(f.Calls), func(c store.Call) bool { return strings.Contains(c.Person, "/") })
	if len(calls) == len(sp.Rep.Invited) {
		states := make([]commands.CallState, len(calls))
		for _, c := range calls {
			i, err := strconv.Atoi(c.Person)
			st, ok := stateOf(c.State)
			if err != nil || !ok || i < 0 || i >= len(states) {
				return nil, time.Time{}, errors.New("unreadable call state")
			}
			states[i] = st
		}
		if !statesEqual(states, initialStates(sp.Rep)) {
			post.states = states
		}
	}
	return post, sp.Until, nil
}

func statesEqual(a, b []commands.CallState) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// resumeFollow follows a post taken over from the store: the meeting is
// prepared and followed again, then its calls still ringing are followed
// (for at least resumeAtLeast); a meeting that is not running any more
// gets its posts marked ended.
func (a *App) resumeFollow(life context.Context, post *postRecord, until time.Time) {
	if at := time.Now().Add(min(a.cfg.CallWatch, resumeAtLeast)); until.Before(at) {
		until = at
	}
	log := a.log.With("post", post.key(), "conference_id", post.rep.ConferenceID)
	started := a.spawn(workCalls, func() {
		ctx, cancel := context.WithTimeout(life, a.cfg.InviteTimeout)
		err := a.inviter.Rewatch(ctx, post.rep.ConferenceID, post.inv.HostPassword)
		cancel()
		switch {
		case notRunning(err):
			log.Info("the meeting of a resumed post is not running; marking its posts", "err", err)
			a.endPosts(life, post.rep.ConferenceID, []*postRecord{post})
			a.endCard(post.rep.ConferenceID)
			a.setFollowing(post.key(), false)
			return
		case err != nil:
			log.Warn("could not follow the meeting of a resumed post again; following anyway", "err", err)
		}
		if ended := a.remember(post); ended {
			a.endPosts(life, post.rep.ConferenceID, []*postRecord{post})
			a.setFollowing(post.key(), false)
			return
		}
		a.follow(life, log, post, until) // its call, if any, is fed by its holder (adoptCards)
	})
	if !started {
		a.setFollowing(post.key(), false)
	}
}

// notRunning reports whether err, from Inviter.Rewatch, says the meeting
// is not running any more.
func notRunning(err error) bool {
	return errors.Is(err, meeting.ErrEnded) || errors.Is(err, meeting.ErrNotStarted) || errors.Is(err, meeting.ErrNotFound)
}

// remember adds a resumed post to the meeting's posts, to be marked when
// the meeting ends; ended is true when it ended already.
func (a *App) remember(post *postRecord) (ended bool) {
	a.postsMu.Lock()
	defer a.postsMu.Unlock()
	if a.endedSince(post.rep) {
		return true
	}
	rs, _ := a.posts.Get(post.rep.ConferenceID)
	a.posts.Set(post.rep.ConferenceID, append(rs[:len(rs):len(rs)], post))
	return false
}

// endPosts marks the posts of a meeting that ended: each post, wherever it
// was made, is edited by exactly one process (the store's EndMeeting says
// which); this process's own posts stop following their calls either way.
func (a *App) endPosts(life context.Context, conferenceID string, local []*postRecord) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(life), postTimeout)
	defer cancel()
	won, err := a.store.EndMeeting(ctx, conferenceID)
	if err != nil {
		a.log.Warn("could not mark the meeting's posts ended in the store; marking this process's", "conference_id", conferenceID, "err", err)
	}
	mine := map[string]store.Follow{}
	for _, f := range won {
		mine[f.Post] = f
	}
	for _, r := range local {
		f, ok := mine[r.key()]
		if ok { // what was answered on other replicas stays on the post
			r.mergeReplies(repliesFromStore(f.Calls, len(r.rep.Invited)))
		}
		a.markPostEnded(ctx, r, ok || !r.saved.Load() || err != nil)
		delete(mine, r.key())
	}
	for _, f := range mine { // posts of other processes, or of none
		if r, _, err := a.storedPost(ctx, f); err == nil {
			a.markPostEnded(ctx, r, true)
		}
	}
	for _, f := range won {
		if _, err := a.store.FinishFollow(ctx, f.Post); err != nil {
			a.log.Warn("could not mark a post finished", "err", err)
		}
	}
}
