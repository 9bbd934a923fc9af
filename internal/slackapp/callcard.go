package slackapp

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/expiring"
	"github.com/meet-invite/meet-invite/internal/flight"
	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/store"
)

// The call card: with the calls:write scope, each meeting the bot invites
// into is registered once as a call in Slack (calls.add,
// https://api.slack.com/apis/calls), whichever invitation and process gets
// there first (the store's TakeCall). Each invitation's channel post shows
// it in a call block, under its summary; Slack draws it with a Join button
// and the avatars of the Slack users the bot sees in the meeting
// (calls.participants.add and .remove, from the meeting's live list); the
// call ends (calls.end) when the meeting does. Without the scope, or when
// Slack refuses, the post goes as it always did, without the card.
//
// One process at a time feeds a call and ends it: its holder, under a
// lease in the store (leaseTTL, renewed every third of it). The registrar
// holds it first; the Slack users every invitation into the meeting calls,
// from any process, are kept with the call in the store, with whether the
// call shows them. When the holder stops (it gives the lease back) or dies
// (the lease lapses), another process, or its successor, adopts the call
// (tend, every resumeEvery): it follows the meeting again, feeds the call,
// and ends it when the meeting ends, or at once when the meeting is not
// running any more. A call is fed for cardLife at most, longer than any
// meeting lasts, then ended.
//
// desktop_app_join_url is left out: Huawei documents an app link
// (cloudlink://welinksoftclient/h5page?page=joinConfByLink,
// https://support.huaweicloud.com/intl/en-us/scheme-meeting/meeting_22_0609.html),
// but its name parameter, mandatory, is the joiner's own name, and its
// enter_code the meeting's guest password, which the bot does not keep; a
// call has one link for everyone, and Slack opens the desktop one directly
// instead of join_url, so that people without the app would be stuck. The
// guest link (join_url) opens Huawei's page, which offers the app.
const (
	callHold    = 15 * time.Second // a registrar's claim on a meeting's call (calls.add within it)
	callWait    = 3 * time.Second  // how long an invitation waits for another's registration
	callLook    = 200 * time.Millisecond
	callsOffFor = 10 * time.Minute // after missing_scope, how long the bot posts without trying
	// cardLife is how long a call is fed at most, from its registration:
	// as long as posts are remembered, longer than a meeting lasts. Then
	// its holder ends it, in case the meeting's end went unseen.
	cardLife = postMemory
	// callKeep is how long the store keeps a call: past cardLife, so that
	// the holder ending it then still finds it there.
	callKeep = cardLife + time.Hour
	// cardCheck is how long the meeting of a call being fed may go without
	// a live list (its watch failed, say, so that its end would go unseen)
	// before the bot asks the meeting service whether it still runs.
	cardCheck = time.Minute
	// maxCards is how many meetings' calls one process feeds at once. Each
	// keeps its meeting followed (Inviter.Present), and the meetings
	// followed are capped (MAX_FOLLOWED_MEETINGS, 200 by default): past
	// half of that, new meetings are posted without a card rather than
	// have the cards take every followed meeting's place in turn, and no
	// more calls are adopted.
	maxCards = 100
)

// cardBook is the meetings' calls this process feeds.
type cardBook struct {
	mu          sync.Mutex                       // serialises changes of byMeeting
	byMeeting   *expiring.Map[string, *callCard] // by meeting ID
	registering flight.Group[string, string]     // one registration per meeting at a time here
	off         atomic.Int64                     // Unix nanoseconds until which no call is registered (missing_scope)
}

func newCardBook() cardBook {
	return cardBook{byMeeting: expiring.New[string, *callCard](cardLife, maxPostMeetings, nil)}
}

// savedCard is what the store keeps with a call for a process adopting
// it (the store's SetCall payload).
type savedCard struct {
	HostPassword string `json:"host_password,omitempty"` // the invitation's, when the bot cannot read the meeting's
}

// callCard is a meeting's call as the process feeding it keeps it.
type callCard struct {
	id           string
	conferenceID string
	hostPassword string // to follow the meeting again (Inviter.Rewatch); "" when the bot reads it

	mu     sync.Mutex
	people []commands.Invitee // Slack users called into the meeting, once each
	shown  map[string]bool    // whom the call shows, as last told Slack
	stop   context.CancelFunc // stops feeding it
}

// callFor returns the ID of the meeting's call in Slack, registering it
// when nobody has: "" when the bot cannot (no calls:write, no guest link
// to join by, Slack refused) or another invitation is still registering it
// after callWait. Whoever is called from here is added to the people the
// call is fed with.
func (a *App) callFor(ctx, life context.Context, log *slog.Logger, inv commands.Invitation, rep commands.Report) string {
	return a.keepCalled(life, log, inv, rep, a.registerCall(ctx, log, inv, rep))
}

// keepCalled adds whoever rep says was called to the people the meeting's
// call (id; "" for none) is fed with, and returns id.
func (a *App) keepCalled(life context.Context, log *slog.Logger, inv commands.Invitation, rep commands.Report, id string) string {
	if id != "" {
		a.keepCard(life, log, rep.ConferenceID, id, inv.HostPassword, rep.Invited)
	}
	return id
}

// registerCall returns the ID of the meeting's call in Slack, registering
// it when nobody has, once per meeting here and across processes; "" when
// the bot cannot. rep needs only the meeting: its ID and Conference.
func (a *App) registerCall(ctx context.Context, log *slog.Logger, inv commands.Invitation, rep commands.Report) string {
	if _, ok := joinButtonFor(a.def, rep); !ok || time.Now().UnixNano() < a.cards.off.Load() {
		return "" // join_url is required: the guest link, which the Join button shows too
	}
	id, err := a.cards.registering.Do(ctx, rep.ConferenceID, func(ctx context.Context) (string, error) {
		if card, ok := a.cards.byMeeting.Get(rep.ConferenceID); ok {
			return card.id, nil
		}
		if a.cards.byMeeting.Len() >= maxCards {
			log.Warn("too many meetings' calls fed at once; posting without the card", "cards", maxCards)
			return "", nil
		}
		return a.takeCall(ctx, log, inv, rep), nil
	})
	if err != nil {
		return ""
	}
	return id
}

// earlyCall is a meeting's call registered while its invitation is sent:
// Slack's round trip runs beside Huawei's, not before the post.
type earlyCall struct {
	done chan struct{} // closed once id is known; nil while nothing registers
	id   string
}

// registerEarly has r's invitation register its meeting's call as soon
// as the invoker is authorized and the meeting found running
// (Invitation.OnReady), in the background; cardFor then waits for it.
func (a *App) registerEarly(ctx context.Context, r *request) {
	call, inv, log := &earlyCall{}, r.inv, r.log
	r.call = call
	r.inv.OnReady = func(c meeting.Conference) {
		done := make(chan struct{})
		rep := commands.Report{ConferenceID: inv.ConferenceID, Conference: c}
		started := a.spawn(workRequest, func() {
			defer close(done)
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
			defer cancel()
			call.id = a.registerCall(rctx, log, inv, rep)
		})
		if started {
			call.done = done
		}
	}
}

// cardFor returns the ID of the meeting's call to show in r's post: the
// one its invitation registered meanwhile (waited for callWait at most),
// or, when none was (a meeting started for nobody, the app stopping), one
// registered now, as callFor does.
func (a *App) cardFor(ctx, life context.Context, r request, rep commands.Report) string {
	if r.call == nil || r.call.done == nil {
		return a.callFor(ctx, life, r.log, r.inv, rep)
	}
	wait := time.NewTimer(callWait)
	defer wait.Stop()
	select {
	case <-r.call.done:
		return a.keepCalled(life, r.log, r.inv, rep, r.call.id)
	case <-wait.C:
	case <-ctx.Done():
	}
	r.log.Info("the meeting's Slack call is still being registered; posting without it")
	return ""
}

// takeCall asks the store for the meeting's call, registers it when this
// process is the one to, and waits for another's registration otherwise.
func (a *App) takeCall(ctx context.Context, log *slog.Logger, inv commands.Invitation, rep commands.Report) string {
	ctx, cancel := context.WithTimeout(ctx, callWait)
	defer cancel()
	look := time.NewTicker(callLook)
	defer look.Stop()
	for {
		id, mine, err := a.store.TakeCall(ctx, rep.ConferenceID, a.cfg.Owner, callHold, callKeep)
		switch {
		case err != nil:
			log.Warn("could not read the meeting's Slack call; posting without it", "err", err)
			return ""
		case mine:
			return a.addCall(ctx, log, inv, rep)
		case id != "":
			return id
		}
		select {
		case <-ctx.Done():
			log.Info("the meeting's Slack call is still being registered; posting without it")
			return ""
		case <-look.C:
		}
	}
}

// addCall registers the meeting's call with Slack, this process holding
// the store's claim, and records its ID; "" when Slack refused it.
func (a *App) addCall(ctx context.Context, log *slog.Logger, inv commands.Invitation, rep commands.Report) string {
	uid := rep.ConferenceID
	if rep.Conference.ID != "" {
		uid = rep.Conference.ID // Huawei's own ID: a room's meetings, typed alike, are each a call of their own
	}
	call, err := a.sm.AddCallContext(ctx, slack.AddCallParameters{
		ExternalUniqueID: uid, ExternalDisplayID: rep.ConferenceID, JoinURL: rep.Conference.GuestJoinURI,
		Title: callTitle(a.def, rep), CreatedBy: inv.Invoker, DateStart: slack.JSONTime(time.Now().Unix()),
	})
	if err != nil {
		a.refusedCall(log, err)
		sctx, cancel := storeCtx()
		defer cancel()
		if err := a.store.DropCall(sctx, rep.ConferenceID, a.cfg.Owner); err != nil {
			log.Warn("could not give back the claim on the meeting's Slack call", "err", err)
		}
		return ""
	}
	sctx, cancel := storeCtx()
	defer cancel()
	payload, _ := json.Marshal(savedCard{HostPassword: inv.HostPassword})
	if set, err := a.store.SetCall(sctx, rep.ConferenceID, a.cfg.Owner, call.ID, payload, leaseTTL); err != nil || !set {
		log.Warn("the meeting's Slack call came too late (the meeting ended, or another took over); ending it", "err", err)
		a.endSlackCall(log, call.ID)
		return ""
	}
	log.Info("registered the meeting as a Slack call", "call_id", call.ID)
	return call.ID
}

// refusedCall logs why Slack would not register a call. Without
// calls:write the bot stops trying for a while: every post would pay for a
// refusal.
func (a *App) refusedCall(log *slog.Logger, err error) {
	if slackError(err) == "missing_scope" {
		a.cards.off.Store(time.Now().Add(callsOffFor).UnixNano())
		log.Info("the app lacks the calls:write scope: posting without the Slack call card", "retry_in", callsOffFor)
		return
	}
	log.Warn("Slack refused to register the meeting as a call; posting without it", "err", err)
}

// keepCard adds the Slack users among invited to the people the meeting's
// call is fed with, in the store, for whichever process feeds it; when it
// is this one, or nobody, the call is fed here (its lease held).
func (a *App) keepCard(life context.Context, log *slog.Logger, conferenceID, id, hostPassword string, invited []commands.Invitee) {
	ctx, cancel := storeCtx()
	defer cancel()
	people := callPeople(invited)
	stored := a.store.AddCallPeople(ctx, id, people)
	if stored != nil {
		log.Warn("could not keep whom the Slack call is fed with; only the process feeding it knows", "err", stored)
	}
	card := a.fedCard(conferenceID, id)
	if card == nil {
		until, held, err := a.store.HoldCall(ctx, conferenceID, id, a.cfg.Owner, leaseTTL)
		if err != nil || !held {
			if err != nil {
				log.Warn("could not ask who feeds the Slack call", "err", err)
			}
			return // another process feeds it
		}
		card = &callCard{id: id, conferenceID: conferenceID, hostPassword: hostPassword, shown: map[string]bool{}}
		if !a.feed(life, card, until) {
			return
		}
	}
	if stored != nil {
		card.merge(people)
		return
	}
	a.loadPeople(ctx, log, card)
}

// callPeople is the Slack users invited rings, as the store keeps the
// people a call is fed with.
func callPeople(invited []commands.Invitee) []store.CallPerson {
	var out []store.CallPerson
	for _, iv := range invited {
		if iv.Person.ID == "" || iv.Via == commands.ViaLink {
			continue
		}
		payload, err := json.Marshal(iv)
		if err != nil {
			continue
		}
		out = append(out, store.CallPerson{ID: iv.Person.ID, Payload: payload})
	}
	return out
}

// fedCard returns the meeting's call id if this process feeds it; a call
// of an earlier meeting in the same room stops being fed.
func (a *App) fedCard(conferenceID, id string) *callCard {
	a.cards.mu.Lock()
	defer a.cards.mu.Unlock()
	card, ok := a.cards.byMeeting.Get(conferenceID)
	switch {
	case !ok:
		return nil
	case card.id != id:
		card.halt()
		a.cards.byMeeting.Take(conferenceID)
		return nil
	}
	return card
}

// loadPeople adds to card the people the store has for its call (those
// invited from other processes).
func (a *App) loadPeople(ctx context.Context, log *slog.Logger, card *callCard) {
	people, err := a.store.CallPeople(ctx, card.id)
	if err != nil {
		log.Warn("could not read whom the Slack call is fed with", "err", err)
		return
	}
	card.merge(people)
}

// merge adds to the people the card is fed with those of people it does
// not have yet, with whether the call shows them.
func (c *callCard) merge(people []store.CallPerson) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range people {
		if slices.ContainsFunc(c.people, func(iv commands.Invitee) bool { return iv.Person.ID == p.ID }) {
			continue
		}
		var iv commands.Invitee
		if json.Unmarshal(p.Payload, &iv) != nil || iv.Person.ID != p.ID {
			continue
		}
		c.people = append(c.people, iv)
		c.shown[p.ID] = p.Shown
	}
}

// feed starts feeding card, this process holding its lease, until the
// call's time in the store (until) runs out; it reports false when the
// app is stopping.
func (a *App) feed(life context.Context, card *callCard, until time.Time) bool {
	log := a.log.With("conference_id", card.conferenceID, "call_id", card.id)
	ctx, stop := context.WithCancel(life)
	card.mu.Lock()
	card.stop = stop
	card.mu.Unlock()
	a.cards.mu.Lock()
	if old, ok := a.cards.byMeeting.Get(card.conferenceID); ok {
		old.halt() // a call of an earlier meeting in the same room, or this one fed again
	}
	a.cards.byMeeting.Set(card.conferenceID, card)
	a.cards.mu.Unlock()
	if a.tasks.Go(func() { a.feedCard(ctx, life, log, card, until.Add(cardLife-callKeep)) }) {
		return true
	}
	stop()
	a.dropCard(card)
	a.releaseCard(log, card)
	return false
}

// halt stops feeding the call.
func (c *callCard) halt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		c.stop()
	}
}

// dropCard forgets card, unless another call of its meeting took its place.
func (a *App) dropCard(card *callCard) {
	a.cards.mu.Lock()
	defer a.cards.mu.Unlock()
	if cur, ok := a.cards.byMeeting.Get(card.conferenceID); ok && cur == card {
		a.cards.byMeeting.Take(card.conferenceID)
	}
}

// releaseCard gives back the lease on card's call, for another process to
// adopt it at once.
func (a *App) releaseCard(log *slog.Logger, card *callCard) {
	ctx, cancel := storeCtx()
	defer cancel()
	if err := a.store.ReleaseCall(ctx, card.conferenceID, a.cfg.Owner); err != nil {
		log.Warn("could not give back the Slack call's lease", "err", err)
	}
}

// feedCard shows in the call, every CallPoll until ctx ends, the Slack
// users of card.people who are in the meeting, and only them, and keeps
// the call's lease meanwhile. When the app stops the lease is given back;
// at end (the call's time is up) the call is ended. It is not counted as
// work in flight: it lasts as long as the meeting.
func (a *App) feedCard(ctx, life context.Context, log *slog.Logger, card *callCard, end time.Time) {
	defer a.dropCard(card)
	fctx, cancel := context.WithDeadline(ctx, end)
	var holding sync.WaitGroup
	holding.Go(func() { a.holdCard(fctx, log, card) })
	defer holding.Wait()
	defer cancel()
	t := time.NewTicker(a.cfg.CallPoll)
	defer t.Stop()
	notLive := time.Now() // since when the meeting's live list is not known
	for {
		card.mu.Lock()
		people := slices.Clone(card.people)
		card.mu.Unlock()
		present, live := a.inviter.Present(card.conferenceID, people)
		switch {
		case live:
			notLive = time.Time{}
			if time.Now().UnixNano() >= a.cards.off.Load() { // calls:write granted, as far as the bot knows
				a.syncCard(fctx, log, card, people, present)
			}
		case notLive.IsZero():
			notLive = time.Now()
		case time.Since(notLive) >= cardCheck:
			notLive = time.Now()
			a.checkMeeting(fctx, log, card) // when it is not running, the call ends: fctx too
		}
		select {
		case <-fctx.Done():
			holding.Wait() // no renewal after the lease is given back
			switch {
			case life.Err() != nil:
				a.releaseCard(log, card)
			case ctx.Err() == nil: // the call's time is up: no meeting lasts so long
				log.Info("the Slack call outlived any meeting; ending it")
				a.endCard(card.conferenceID)
			}
			return
		case <-t.C:
		}
	}
}

// checkMeeting asks the meeting service whether card's meeting still runs,
// following it again if so, and reports whether it does; when it does not,
// its posts say so and its call ends.
func (a *App) checkMeeting(ctx context.Context, log *slog.Logger, card *callCard) bool {
	rctx, cancel := context.WithTimeout(ctx, a.cfg.InviteTimeout)
	err := a.inviter.Rewatch(rctx, card.conferenceID, card.hostPassword)
	cancel()
	switch {
	case notRunning(err):
		log.Info("the meeting of the Slack call is not running; ending the call", "err", err)
		a.meetingEnded(ctx, card.conferenceID)
		return false
	case err != nil && ctx.Err() == nil:
		log.Warn("could not follow the meeting of the Slack call again", "err", err)
	}
	return true
}

// holdCard renews the lease on card's call until ctx ends, and reads the
// people invited from other processes meanwhile; when another process
// took the call over (or it ended), feeding it here stops.
func (a *App) holdCard(ctx context.Context, log *slog.Logger, card *callCard) {
	renew := func(ctx context.Context) (bool, error) {
		_, held, err := a.store.HoldCall(ctx, card.conferenceID, card.id, a.cfg.Owner, leaseTTL)
		if err == nil && held {
			a.loadPeople(ctx, log, card)
		}
		return held, err
	}
	if a.holdLease(ctx, log, "the Slack call's", renew) {
		log.Info("the Slack call is fed by another process, or ended")
		card.halt()
	}
}

// syncCard adds to the call whoever of people is present and not shown,
// and removes whoever is shown and gone, one person at a time.
func (a *App) syncCard(ctx context.Context, log *slog.Logger, card *callCard, people []commands.Invitee, present []bool) {
	for i, iv := range people {
		id := iv.Person.ID
		card.mu.Lock()
		shown := card.shown[id]
		card.mu.Unlock()
		if present[i] == shown {
			continue
		}
		if err := a.showInCall(ctx, card.id, id, present[i]); err != nil {
			switch slackError(err) {
			case "inactive_call":
				card.halt()
			case "missing_scope": // calls:write was taken away: not asked again for a while
				a.cards.off.Store(time.Now().Add(callsOffFor).UnixNano())
			}
			if ctx.Err() == nil {
				log.Warn("could not update who is in the Slack call", "err", err)
			}
			return // tried again at the next look
		}
		card.mu.Lock()
		card.shown[id] = present[i]
		card.mu.Unlock()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		if err := a.store.ShowCallPerson(sctx, card.id, id, present[i]); err != nil {
			log.Warn("could not record who is in the Slack call", "err", err)
		}
		cancel()
	}
}

// showInCall adds a Slack user to a call (in) or removes them, alone in
// the request. Slack answers bad_users when one of a request's users is
// in the call already (or, to remove, is not), and does not say whether
// it applied the others (https://api.slack.com/methods/calls.participants.add,
// …remove); slack-go takes that answer, {"ok":true,"error":"bad_users"},
// for success. With one user a request, both answers leave the user where
// they are meant to be, so nobody stays hidden or shown by mistake however
// the call was fed before (by a process that died, or another replica).
func (a *App) showInCall(ctx context.Context, callID, userID string, in bool) error {
	change := a.sm.CallRemoveParticipantsContext
	if in {
		change = a.sm.CallAddParticipantsContext
	}
	ctx, cancel := context.WithTimeout(ctx, postTimeout)
	defer cancel()
	return change(ctx, callID, []slack.CallParticipant{{SlackID: userID}})
}

// endCard ends the meeting's call: this process stops feeding it, and
// whichever process the store gives its ID to tells Slack it ended.
func (a *App) endCard(conferenceID string) {
	a.cards.mu.Lock()
	card, ok := a.cards.byMeeting.Take(conferenceID)
	a.cards.mu.Unlock()
	if ok {
		card.halt()
	}
	ctx, cancel := storeCtx()
	defer cancel()
	id, err := a.store.EndCall(ctx, conferenceID)
	if err != nil {
		a.log.Warn("could not end the meeting's Slack call in the store", "conference_id", conferenceID, "err", err)
		if !ok {
			return
		}
		id = card.id // better twice (Slack answers inactive_call) than never
	}
	if id != "" {
		a.endSlackCall(a.log.With("conference_id", conferenceID), id)
	}
}

// adoptCards feeds the calls nobody feeds (their holder stopped or died),
// as many as this process may.
func (a *App) adoptCards(life context.Context) {
	ctx, cancel := context.WithTimeout(life, storeTimeout)
	defer cancel()
	calls, err := a.store.LapsedCalls(ctx, maxCards)
	if err != nil {
		if life.Err() == nil {
			a.log.Warn("could not look for Slack calls to adopt", "err", err)
		}
		return
	}
	for _, c := range calls {
		if a.cards.byMeeting.Len() >= maxCards {
			return
		}
		if card, ok := a.cards.byMeeting.Get(c.Meeting); ok && card.id == c.ID {
			continue // fed here: its next renewal takes the lease again
		}
		until, held, err := a.store.HoldCall(ctx, c.Meeting, c.ID, a.cfg.Owner, leaseTTL)
		if err != nil || !held {
			continue
		}
		a.adoptCard(life, c, until)
	}
}

// adoptCard follows the meeting of a call this process now holds, and
// feeds the call; when the meeting is not running any more, its posts say
// so and the call ends.
func (a *App) adoptCard(life context.Context, c store.SlackCall, until time.Time) {
	log := a.log.With("conference_id", c.Meeting, "call_id", c.ID)
	log.Info("adopting a Slack call nobody feeds")
	var saved savedCard
	_ = json.Unmarshal(c.Payload, &saved) // none for calls registered before it was kept: the bot reads the password
	card := &callCard{id: c.ID, conferenceID: c.Meeting, hostPassword: saved.HostPassword, shown: map[string]bool{}}
	started := a.spawn(workCalls, func() {
		if !a.checkMeeting(life, log, card) {
			return
		}
		ctx, cancel := storeCtx()
		defer cancel()
		a.loadPeople(ctx, log, card)
		a.feed(life, card, until)
	})
	if !started {
		a.releaseCard(log, card)
	}
}

// endSlackCall tells Slack a call ended.
func (a *App) endSlackCall(log *slog.Logger, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), postTimeout)
	defer cancel()
	if err := a.sm.EndCallContext(ctx, id, slack.EndCallParameters{}); err != nil {
		log.Warn("could not end the Slack call", "call_id", id, "err", err)
		return
	}
	log.Info("ended the Slack call", "call_id", id)
}

// withCallBlock shows the meeting's call (its ID; "" for none) under a
// post's summary.
func withCallBlock(m message, callID string) message {
	if callID == "" || len(m.blocks) == 0 {
		return m
	}
	blocks := append(make([]slack.Block, 0, len(m.blocks)+1), m.blocks[0], slack.NewCallBlock(callID))
	m.blocks = append(blocks, m.blocks[1:]...)
	return m
}
