package slackapp

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// request is one ask to invite, decoded from whichever Slack payload brought
// it (slash command, form, shortcut, button, plain words): who asked, where,
// what they asked, and where to answer. Every entry point hands one to
// submit, so that every request gets the same steps and the same rules.
type request struct {
	t    target              // where the outcome goes; who asked, from what
	inv  commands.Invitation // what they asked; Invoker and Channel are set
	plan *commands.Plan      // the people confirmed on a card, when Invite was pressed
	// named is set when whoever asked named every person one by one (a
	// command or the form without groups or channels): they are called
	// however many. Anything else (groups, channels, a button's list) is
	// counted first, and confirmed above ConfirmAbove.
	named bool
	// confirm asks the invoker before anyone is called, whatever the
	// count: plain words, which a model read, are always confirmed.
	confirm bool
	// envelope is the Slack envelope that brought it, when it was
	// acknowledged by submit: the request is named after it (begin).
	envelope string
	log      *slog.Logger
	call     *earlyCall // the meeting's Slack call, registered while the invitation is sent
	// coming, when set, says that the request reached the slots or will not
	// (see tasks.Limit.Expect): its ack counted it ahead of later ones.
	coming func()
}

// arrived tells the slots that r is no longer on its way to them.
func (r request) arrived() {
	if r.coming != nil {
		r.coming()
	}
}

// lifetimes are the contexts, derived from Run's, that work started by a
// handler runs under.
type lifetimes struct {
	work context.Context // requests: they outlive Run's ctx by the shutdown grace
	life context.Context // following calls and meetings: they end with Run's ctx
}

// submit runs a request in the background, first calling acked (which
// acknowledges the envelope), and reports true; while the app is stopping
// it runs nothing, calls nothing, and reports false.
func (a *App) submit(lt lifetimes, r request, acked func()) bool {
	return a.spawn(workRequest, func() {
		first := a.begin(&r) // kept for a successor, before the ack (batched with the others)
		acked()
		if !first { // a redelivery another process has (or had) in hand: its request, not ours
			r.log.Info("ignoring an envelope another process has handled")
			r.arrived()
			return
		}
		a.arrived.yield() // the acks still to send go first
		a.intake(lt, r, func() { a.end(r) })
	})
}

// intake is the one pipeline every request goes through: plan (authorize,
// expand groups and channels, count) → confirm if over the threshold →
// take a slot → invite → report → follow the calls. answered runs once the
// request is answered, on whichever goroutine answered it: a request
// waiting for a slot holds none (see tasks.Limit).
func (a *App) intake(lt lifetimes, r request, answered func()) {
	ctx, cancel := context.WithTimeout(lt.work, a.cfg.InviteTimeout)
	done := func() {
		r.arrived() // if it never got to the slots
		cancel()
		answered()
	}
	if r.plan == nil && (r.confirm || !r.named) {
		plan, err := a.inviter.Plan(ctx, r.inv)
		if err != nil {
			a.report(ctx, lt, r, commands.Report{ConferenceID: r.inv.ConferenceID}, err, done)
			return
		}
		if r.confirm || plan.Count() > a.cfg.ConfirmAbove {
			a.askToConfirm(ctx, r, plan)
			done()
			return
		}
		r.plan = &plan
	}
	a.slots.Take(ctx, func(release func(), err error) {
		r.arrived() // counted till now, in the queue too: a command acknowledged meanwhile is told it waits
		if err != nil {
			a.report(ctx, lt, r, commands.Report{ConferenceID: r.inv.ConferenceID}, err, done)
			return
		}
		a.run(ctx, lt, r, release, done)
	}, a.cfg.QueuedAfter, func() { a.tellQueued(context.WithoutCancel(ctx), r.log, r.t) })
}

// run runs a request that holds a slot, and releases it once the
// invitation is sent: a post waiting for its channel's turn holds none.
// answered: see report.
func (a *App) run(ctx context.Context, lt lifetimes, r request, release, answered func()) {
	var started *meeting.CreatedMeeting
	if r.inv.Start { // then the invitation goes on as into any running meeting
		m, err := a.startMeeting(ctx, &r)
		if err != nil {
			release()
			a.report(ctx, lt, r, commands.Report{}, err, answered)
			return
		}
		started = &m
		a.tellHost(ctx, r, m)
	}
	a.registerEarly(ctx, &r)
	rep, err := a.invite(ctx, r)
	release()
	if started != nil {
		rep = startedReport(rep, r.inv, *started)
	}
	a.report(ctx, lt, r, rep, err, answered)
}

// invite calls the request's people. When it has nobody to call (its
// groups held nobody, or a meeting was started for nobody) it calls no one,
// and a meeting it started is followed all the same, so that its end is
// seen (its post then says so).
func (a *App) invite(ctx context.Context, r request) (commands.Report, error) {
	var rep commands.Report
	switch {
	case r.plan != nil && r.plan.Count() == 0:
		rep = commands.Report{ConferenceID: r.inv.ConferenceID, Skipped: r.plan.Skipped}
	case r.plan == nil && r.inv.Named() == 0 && !r.inv.Expands():
		rep = commands.Report{ConferenceID: r.inv.ConferenceID}
	case r.plan != nil:
		return a.inviter.InvitePlanned(ctx, r.inv, *r.plan)
	default:
		return a.inviter.Invite(ctx, r.inv)
	}
	if r.inv.Start {
		if err := a.inviter.Rewatch(ctx, r.inv.ConferenceID, ""); err != nil {
			r.log.Warn("could not follow the meeting started; its post won't say when it ends", "err", err)
		}
	}
	return rep, nil
}

// askToConfirm shows the invoker who would be called, with Invite and
// Cancel (and Edit, for plain words), and calls nobody yet.
func (a *App) askToConfirm(ctx context.Context, r request, plan commands.Plan) {
	l := a.langOf(ctx, r.t.userID)
	key, err := a.pending.put(ctx, pending{inv: r.inv, plan: plan, t: r.t})
	if err != nil {
		r.log.Error("could not keep the confirmation card", "err", err)
		if m, ok := problemsMessage(l, r.inv, commands.Report{ConferenceID: r.inv.ConferenceID}, err); ok {
			_ = a.postPrivate(ctx, r.t, a.mark(m))
		}
		return
	}
	m := confirmMessage(l, r.inv, plan, key)
	if r.confirm {
		m = understoodMessage(l, r.inv, plan, key)
	}
	if err := a.postPrivate(ctx, r.t, a.mark(m)); err != nil {
		r.log.Error("could not ask for confirmation", "err", err)
	}
}

// tellQueued tells the invoker privately that their request waits for a
// slot (unless its ack said so already).
func (a *App) tellQueued(ctx context.Context, log *slog.Logger, t target) {
	log.Info("invitation queued", "running", a.slots.Running())
	a.cfg.Monitor.Queued()
	if t.toldQueued {
		return
	}
	l := a.langOf(ctx, t.userID)
	if err := a.postPrivate(ctx, t, a.mark(note(l, queuedNote(l)))); err != nil {
		log.Warn("could not post the queued note", "err", err)
	}
}

// report tells Slack how a request went: who was invited in the channel,
// everything else privately to the person who asked. Then the post follows
// the calls. answered runs once the outcome is out, on whichever goroutine
// made it: a post waiting for its channel's turn holds none (inTurn).
func (a *App) report(ctx context.Context, lt lifetimes, r request, rep commands.Report, err error, answered func()) {
	// Reporting gets its own time: the invitation may have used up ctx.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
	defer cancel()
	rep = a.sendLinks(pctx, r.log, r.inv, rep) // before the audit: whoever could not be sent the link is skipped
	audit(r.log, r.inv, rep, err)
	l := a.langOf(pctx, r.t.userID) // what only the invoker sees is in their language
	a.cfg.Monitor.Finished(r.t.kind, rep, err, time.Since(r.t.start))
	switch {
	case err == nil && len(rep.Invited) == 0 && len(rep.Skipped) == 0 && !rep.Started:
		// Groups and channels of nobody but the invoker and bots: say so,
		// since every request ends with one outcome.
		a.recordInvitation(l, r, rep, err)
		if err := a.postPrivate(pctx, r.t, a.mark(note(l, nobodyToInvite(l, rep.ConferenceID)))); err != nil {
			r.log.Error("could not say there was nobody to invite", "err", err)
		}
	case len(rep.Invited) > 0 || rep.Started: // a started meeting is posted, with its Join button, whoever was called
		rec := a.recordInvitation(l, r, rep, err) // before the post: whoever sees it finds it in their Home tab
		callID := a.cardFor(pctx, lt.life, r, rep)
		m := invitedMessage(a.postLang(pctx, r.t.channelID, r.inv.Invoker), r.inv, rep) // a channel's is shared
		m = a.mark(withCallBlock(m, callID))
		a.inTurn(r.t.channelID, func(turn error) {
			defer answered()
			pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
			defer cancel()
			a.postReport(pctx, lt, r, rep, rec, callID, m, turn)
			a.tellProblems(pctx, l, r, rep, err)
		})
		return
	default:
		a.recordInvitation(l, r, rep, err)
		a.tellProblems(pctx, l, r, rep, err)
	}
	answered()
}

// postReport posts an invitation's outcome m in the channel once its turn
// came (see postInvitation), and follows its calls.
func (a *App) postReport(ctx context.Context, lt lifetimes, r request, rep commands.Report, rec *invitationRecord, callID string, m message, turn error) {
	where, err := a.postInvitation(ctx, r.log, r.t, rep, m, turn)
	a.end(r) // answered: from now on no successor reports it cut short
	if err != nil {
		r.log.Error("could not report the invitation", "err", err)
	}
	if where.ts == "" {
		return
	}
	post, ended := a.addPost(where, r.t, r.inv, rep, callID) // kept, so that the meeting's end marks it
	a.history.attach(rec, post)
	switch {
	case ended:
		a.markPostEnded(lt.life, post, true)
		a.endCard(rep.ConferenceID)
	case len(rep.Invited) > 0:
		a.followCalls(lt.life, r.log, post)
	}
}

// tellProblems tells the invoker privately what went wrong, if anything
// did: who was skipped and why, or why the invitation failed.
func (a *App) tellProblems(ctx context.Context, l *lang, r request, rep commands.Report, err error) {
	if m, ok := problemsMessage(l, r.inv, rep, err); ok {
		if err := a.postPrivate(ctx, r.t, a.mark(m)); err != nil {
			r.log.Error("could not tell the user what went wrong", "err", err)
		}
	}
}

// postTimeout bounds one call to Slack (with slack-go's waits on 429s) and
// its fallbacks; a post's wait for its channel's turn comes before it.
const postTimeout = 15 * time.Second

// audit logs one line per request: who asked, which meeting, how each
// person was reached, and the outcome. No phone number or email in clear.
func audit(log *slog.Logger, inv commands.Invitation, rep commands.Report, err error) {
	var invited []string
	for _, iv := range rep.Invited {
		id := iv.Person.ID
		if id == "" {
			id = "direct"
		}
		invited = append(invited, id+":"+iv.Via.String())
	}
	var skipped []string
	for _, s := range rep.Skipped {
		id := s.UserID
		switch {
		case s.GroupID != "":
			id = s.GroupID
		case s.ChannelID != "":
			id = s.ChannelID
		case s.Address != "":
			id = "direct:" + s.Name // masked
		}
		skipped = append(skipped, id)
	}
	attrs := []any{
		"conference_id", inv.ConferenceID,
		"invoker", inv.Invoker,
		"invited", invited,
		"skipped", skipped,
	}
	if inv.Start {
		attrs = append(attrs, "started", rep.Started)
	}
	var refused *commands.RefusedError
	var apiErr *meeting.APIError
	switch {
	case errors.As(err, &refused):
		log.Info("request refused", append(attrs, "refusal", refused.Reason.String())...)
	case errors.As(err, &apiErr):
		log.Warn("invitation failed", append(attrs, "request_id", apiErr.RequestID, "error_code", apiErr.Code, "err", err)...)
	case err != nil:
		log.Warn("invitation failed", append(attrs, "err", err)...)
	default:
		log.Info("invitation done", append(attrs, "request_id", rep.RequestID)...)
	}
}
