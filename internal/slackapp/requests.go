package slackapp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/store"
)

// Requests acknowledged and not yet answered are kept in the store, held by
// the process running them; when a process dies, another takes its requests
// over once the hold lapses: it runs again those that had called nobody
// yet, and tells the invoker of the others that theirs was cut short.
const (
	// requestHold is how long a request stays with its process without a
	// renewal (every third of it): a request of a process that died is
	// taken over within requestHold + resumeEvery.
	requestHold = 10 * time.Second
	requestTTL  = 2 * time.Hour // then Prune forgets it, answered or not
	orphanBatch = 20
)

// savedRequest is a request as the store keeps it: all a successor needs to
// run it again or to tell its invoker.
type savedRequest struct {
	Inv         commands.Invitation `json:"inv"`
	Plan        *commands.Plan      `json:"plan,omitempty"`
	Named       bool                `json:"named,omitempty"`
	Confirm     bool                `json:"confirm,omitempty"`
	ChannelID   string              `json:"channel_id,omitempty"`
	UserID      string              `json:"user_id,omitempty"`
	ResponseURL string              `json:"response_url,omitempty"`
	Kind        string              `json:"kind,omitempty"`
}

// begin gives the request its ID (the holder of its reservations) and
// records it in the store as this process's, before it is acknowledged
// (in a batch with the others arriving meanwhile: see recordLoop). A
// request from an envelope is named after it, so that the record also says
// whether any process sharing the store has had the envelope before: begin
// reports false for such a redelivery, which is then only acknowledged. A
// store that fails is logged: the request runs all the same.
func (a *App) begin(r *request) (first bool) {
	if r.envelope != "" {
		r.inv.ID = "env-" + r.envelope
	} else {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		r.inv.ID = "req-" + hex.EncodeToString(b)
	}
	payload, err := json.Marshal(savedRequest{Inv: r.inv, Plan: r.plan, Named: r.named, Confirm: r.confirm,
		ChannelID: r.t.channelID, UserID: r.t.userID, ResponseURL: r.t.responseURL, Kind: r.t.kind})
	first = true
	if err == nil {
		ctx, cancel := storeCtx()
		defer cancel()
		first, err = a.record(ctx, store.Request{ID: r.inv.ID, Payload: payload})
	}
	if err != nil {
		r.log.Warn("could not record the request for a successor", "err", err)
		return true
	}
	return first
}

// recordJob is a request waiting to be recorded, and where to say whether
// it was new.
type recordJob struct {
	r    store.Request
	done chan recorded
}

type recorded struct {
	added bool
	err   error
}

// maxRecordBatch bounds one batch (five parameters a row; PostgreSQL
// allows 65,535).
const maxRecordBatch = 500

// recordLinger is how long a batch taken in a burst waits for more: about
// ten requests' reading and parsing.
const recordLinger = time.Millisecond

// record records r with the next batch, and returns once the batch is in
// the store, reporting whether r was new to it.
func (a *App) record(ctx context.Context, r store.Request) (bool, error) {
	job := recordJob{r: r, done: make(chan recorded, 1)}
	select {
	case a.recordQ <- job:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	select {
	case res := <-job.done:
		return res.added, res.err
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// recordLoop records requests in batches until stop is closed: whatever
// queued while the last batch was being written goes in the next, in one
// statement. A burst of commands then costs a few writes before their
// acks, not one write each behind all the others (group commit).
func (a *App) recordLoop(stop <-chan struct{}) {
	// More envelopes awaiting their acks than the batch holds: a burst, whose
	// requests are on their way.
	coming := func(n int) bool { return a.arrived.Len() > n }
	groupCommit(stop, a.recordQ, maxRecordBatch, recordLinger, coming, func(batch []recordJob) {
		rs := make([]store.Request, len(batch))
		for i, j := range batch {
			rs[i] = j.r
		}
		ctx, cancel := storeCtx()
		added, err := a.store.BeginRequests(ctx, rs, a.cfg.Owner, requestHold, requestTTL)
		cancel()
		for _, j := range batch {
			j.done <- recorded{added: added[j.r.ID], err: err}
			delete(added, j.r.ID) // twice in a batch: the second is a redelivery
		}
	})
}

// groupCommit takes jobs from q until stop is closed, and hands them to
// write in batches of at most maxBatch: one job, then all those already
// waiting. A batch is written as soon as the writer is free, unless coming
// (when not nil) says more jobs are on their way for a batch of n: then it
// waits up to linger for them, so that a burst is written in a few large
// statements rather than one statement a job (a statement costs about as
// much as twenty of its rows).
func groupCommit[J any](stop <-chan struct{}, q <-chan J, maxBatch int, linger time.Duration, coming func(n int) bool, write func([]J)) {
	for {
		var batch []J
		select {
		case <-stop:
			return
		case job := <-q:
			batch = append(batch, job)
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case job := <-q:
				batch = append(batch, job)
			default:
				break drain
			}
		}
		if coming != nil && coming(len(batch)) {
			t := time.NewTimer(linger)
		wait:
			for len(batch) < maxBatch {
				select {
				case job := <-q:
					batch = append(batch, job)
				case <-t.C:
					break wait
				}
			}
			t.Stop()
		}
		write(batch)
	}
}

// end records that the request was answered.
func (a *App) end(r request) {
	ctx, cancel := storeCtx()
	defer cancel()
	if _, err := a.store.EndRequest(ctx, r.inv.ID, a.cfg.Owner); err != nil {
		r.log.Warn("could not record the request answered", "err", err)
	}
}

// renewRequests keeps this process's requests its own.
func (a *App) renewRequests(life context.Context) {
	ctx, cancel := context.WithTimeout(life, storeTimeout)
	defer cancel()
	if _, err := a.store.RenewRequests(ctx, a.cfg.Owner, requestHold); err != nil && life.Err() == nil {
		a.log.Warn("could not renew this process's requests", "err", err)
	}
}

// adopt takes over the requests of processes that died: one that holds
// reservations may have called people, and one that starts a meeting may
// have started it, so its invoker is told it was cut short (never run
// again: nobody is called twice, no meeting started twice); one that holds
// none had called nobody, and runs again here.
func (a *App) adopt(lt lifetimes) {
	ctx, cancel := context.WithTimeout(lt.life, storeTimeout)
	defer cancel()
	orphans, err := a.store.ClaimOrphans(ctx, a.cfg.Owner, orphanBatch, requestHold)
	if err != nil {
		if lt.life.Err() == nil {
			a.log.Warn("could not look for requests left by a stopped process", "err", err)
		}
		return
	}
	for _, o := range orphans {
		var sr savedRequest
		if err := json.Unmarshal(o.Payload, &sr); err != nil {
			a.log.Error("unreadable request left by a stopped process; dropped", "request", o.ID, "err", err)
			_, _ = a.store.EndRequest(ctx, o.ID, a.cfg.Owner)
			continue
		}
		r := request{inv: sr.Inv, plan: sr.Plan, named: sr.Named, confirm: sr.Confirm,
			t:   target{channelID: sr.ChannelID, userID: sr.UserID, responseURL: sr.ResponseURL, kind: sr.Kind, start: time.Now(), toldQueued: true},
			log: a.log.With("request", o.ID, "slack_user", sr.Inv.Invoker, "adopted", true)}
		held, err := a.store.HeldBy(ctx, o.ID)
		if err != nil {
			a.log.Warn("could not tell whether a stopped process's request called anyone", "request", o.ID, "err", err)
			held = 1 // not knowing, call nobody
		}
		if held > 0 || r.inv.Start { // a meeting may have been started: never start a second
			a.spawn(workRequest, func() { a.cutShort(lt, r) })
			continue
		}
		r.log.Info("running again a request its process left before calling anyone")
		a.spawn(workRequest, func() { a.intake(lt, r, func() { a.end(r) }) })
	}
}

// cutShort tells the invoker of a request whose process died after it may
// have called people that it was cut short.
func (a *App) cutShort(lt lifetimes, r request) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(lt.life), postTimeout)
	defer cancel()
	r.log.Warn("a stopped process's request may have called people; telling its invoker")
	a.cfg.Monitor.Refused(r.t.kind, "cut_short")
	l := a.langOf(ctx, r.t.userID)
	if err := a.postPrivate(ctx, r.t, a.mark(note(l, cutShortText(l, r.inv)))); err != nil {
		r.log.Error("could not tell the invoker their request was cut short", "err", err)
	}
	a.end(r)
}
