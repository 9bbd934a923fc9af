package slackapp

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/expiring"
	"github.com/meet-invite/meet-invite/internal/flight"
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
	// maxCards is how many meetings' calls one process feeds at once. Each
	// keeps its meeting followed (Inviter.Present), and the meetings
	// followed are capped (MAX_FOLLOWED_MEETINGS, 200 by default): past
	// half of that, new meetings are posted without a card rather than
	// have the cards take every followed meeting's place in turn.
	maxCards = 100
)

// cardBook is the meetings' calls this process keeps.
type cardBook struct {
	mu          sync.Mutex                       // serialises changes of byMeeting
	byMeeting   *expiring.Map[string, *callCard] // by meeting ID
	registering flight.Group[string, string]     // one registration per meeting at a time here
	off         atomic.Int64                     // Unix nanoseconds until which no call is registered (missing_scope)
}

func newCardBook() cardBook {
	return cardBook{byMeeting: expiring.New[string, *callCard](postMemory, maxPostMeetings, nil)}
}

// callCard is a meeting's call as this process keeps it: its ID, and the
// Slack users of this process's invitations into the meeting, to show
// those of them who are in it.
type callCard struct {
	id string

	mu     sync.Mutex
	people []commands.Invitee // Slack users called into the meeting from here, once each
	in     map[string]bool    // the Slack users the call shows
	stop   func()             // stops feeding it; nil before
}

// callFor returns the ID of the meeting's call in Slack, registering it
// when nobody has: "" when the bot cannot (no calls:write, no guest link
// to join by, Slack refused) or another invitation is still registering it
// after callWait. Whoever is called from here is added to the people the
// call is fed with.
func (a *App) callFor(ctx, life context.Context, log *slog.Logger, inv commands.Invitation, rep commands.Report) string {
	if _, ok := joinButtonFor(rep); !ok || time.Now().UnixNano() < a.cards.off.Load() {
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
	if err != nil || id == "" {
		return ""
	}
	a.keepCard(life, rep.ConferenceID, id, rep.Invited)
	return id
}

// takeCall asks the store for the meeting's call, registers it when this
// process is the one to, and waits for another's registration otherwise.
func (a *App) takeCall(ctx context.Context, log *slog.Logger, inv commands.Invitation, rep commands.Report) string {
	ctx, cancel := context.WithTimeout(ctx, callWait)
	defer cancel()
	look := time.NewTicker(callLook)
	defer look.Stop()
	for {
		id, mine, err := a.store.TakeCall(ctx, rep.ConferenceID, a.cfg.Owner, callHold, postMemory)
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
		Title: callTitle(rep), CreatedBy: inv.Invoker, DateStart: slack.JSONTime(time.Now().Unix()),
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
	if set, err := a.store.SetCall(sctx, rep.ConferenceID, a.cfg.Owner, call.ID, nil, leaseTTL); err != nil || !set {
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

// keepCard remembers the meeting's call here, adds the Slack users among
// invited to the people it is fed with, and starts feeding it.
func (a *App) keepCard(life context.Context, conferenceID, id string, invited []commands.Invitee) {
	a.cards.mu.Lock()
	card, ok := a.cards.byMeeting.Get(conferenceID)
	if !ok || card.id != id {
		if ok {
			card.halt() // a call of an earlier meeting in the same room
		}
		card = &callCard{id: id, in: map[string]bool{}}
		a.cards.byMeeting.Set(conferenceID, card)
	}
	a.cards.mu.Unlock()
	card.mu.Lock()
	defer card.mu.Unlock()
	for _, iv := range invited {
		known := slices.ContainsFunc(card.people, func(p commands.Invitee) bool { return p.Person.ID == iv.Person.ID })
		if iv.Person.ID != "" && iv.Via != commands.ViaLink && !known {
			card.people = append(card.people, iv)
		}
	}
	if card.stop == nil {
		ctx, cancel := context.WithTimeout(life, postMemory)
		card.stop = cancel
		if !a.tasks.Go(func() { defer cancel(); a.feedCard(ctx, conferenceID, card) }) {
			cancel()
		}
	}
}

// halt stops feeding the call.
func (c *callCard) halt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		c.stop()
	}
}

// feedCard shows in the call, every CallPoll until ctx ends, the Slack
// users of card.people who are in the meeting, and only them. It is not
// counted as work in flight: it lasts as long as the meeting.
func (a *App) feedCard(ctx context.Context, conferenceID string, card *callCard) {
	log := a.log.With("conference_id", conferenceID, "call_id", card.id)
	t := time.NewTicker(a.cfg.CallPoll)
	defer t.Stop()
	for {
		card.mu.Lock()
		people := slices.Clone(card.people)
		card.mu.Unlock()
		if present, live := a.inviter.Present(conferenceID, people); live {
			a.syncCard(ctx, log, card, people, present)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// syncCard adds to the call whoever of people is present and not shown,
// and removes whoever is shown and gone.
func (a *App) syncCard(ctx context.Context, log *slog.Logger, card *callCard, people []commands.Invitee, present []bool) {
	var add, remove []slack.CallParticipant
	card.mu.Lock()
	for i, iv := range people {
		switch id := iv.Person.ID; {
		case present[i] && !card.in[id]:
			add = append(add, slack.CallParticipant{SlackID: id})
		case !present[i] && card.in[id]:
			remove = append(remove, slack.CallParticipant{SlackID: id})
		}
	}
	card.mu.Unlock()
	change := func(users []slack.CallParticipant, in bool, f func(context.Context, string, []slack.CallParticipant) error) {
		if len(users) == 0 {
			return
		}
		cctx, cancel := context.WithTimeout(ctx, postTimeout)
		defer cancel()
		if err := f(cctx, card.id, users); err != nil {
			if ctx.Err() == nil {
				log.Warn("could not update who is in the Slack call", "err", err)
			}
			return
		}
		card.mu.Lock()
		defer card.mu.Unlock()
		for _, u := range users {
			card.in[u.SlackID] = in
		}
	}
	change(add, true, a.sm.CallAddParticipantsContext)
	change(remove, false, a.sm.CallRemoveParticipantsContext)
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
