package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// e2ePeople is how many people each end-to-end invitation names.
const e2ePeople = 10

// e2eCase is one kind of 10-person invitation and the number of upstream
// round trips that must follow one another, whatever runs in parallel.
type e2eCase struct {
	name   string
	trips  int
	detail string
}

// The cases, in the order one bot runs them. "Fully warm" invites people
// looked up before into a prepared conference, but not into the one they
// were just called into: the bot refuses that for two minutes
// (commands.Config.RecentWindow), so a conference is warmed up for it by
// the third case.
var e2eCases = []e2eCase{
	{"cold", 5, "max(users.info → directory, access token → confDetail → control token) + invite + post = (max(2,3)+2) × L"},
	{"warm conference", 4, "users.info → directory + invite + post = (2+2) × L"},
	{"warm people, new conference", 4, "confDetail → control token + invite + post = (2+2) × L"},
	{"fully warm", 2, "invite + post = 2 × L"},
}

// e2eResult is every repeat of one case.
type e2eResult struct {
	e2eCase
	took      []time.Duration // envelope sent → channel post recorded by the fake
	calls     calls           // summed over repeats
	mallocs   uint64          // summed over repeats
	problems  []string
	ackedOnce int
}

// endToEnd runs every case of e2eCases in turn on a fresh bot process
// against fresh fakes, once per repeat.
func (b *bench) endToEnd(ctx context.Context) ([]e2eResult, error) {
	res := make([]e2eResult, len(e2eCases))
	for i, c := range e2eCases {
		res[i].e2eCase = c
	}
	for r := range b.opts.repeats {
		b.logf("end to end, repeat %d of %d", r+1, b.opts.repeats)
		if err := b.e2eRepeat(ctx, r, res); err != nil {
			return nil, err
		}
	}
	for i := range res {
		slices.Sort(res[i].took)
	}
	return res, nil
}

func (b *bench) e2eRepeat(ctx context.Context, r int, res []e2eResult) error {
	// Each case posts in a channel of its own, as four invitations a
	// second apart would in a real workspace: one channel takes about one
	// post a second.
	w, err := startWorld(b.people, 2*b.opts.repeats, len(e2eCases), b.opts.latency, b.opts.limits)
	if err != nil {
		return err
	}
	defer w.close()
	dropDB, err := w.useDatabase(b.opts.database)
	if err != nil {
		return err
	}
	defer dropDB()
	bot, err := startBot(ctx, b.exe, w)
	if err != nil {
		return err
	}
	defer bot.stop()

	// People no bot has looked up: two fresh groups of ten per repeat.
	first := b.people - 2*e2ePeople*(r+1)
	fresh := func(k int) []string {
		ids := make([]string, e2ePeople)
		for j := range ids {
			ids[j] = personID(first + k*e2ePeople + j)
		}
		return ids
	}
	// One step per case of e2eCases: new people A into a new conference X on
	// a new bot, new people B into X, B into a new conference Y, A into Y.
	x, y := e2eConference(2*r), e2eConference(2*r+1)
	a, bb := fresh(0), fresh(1)
	plan := []struct {
		conf   string
		people []string
	}{{x, a}, {x, bb}, {y, bb}, {y, a}}
	for i, step := range plan {
		if err := b.invite(ctx, w, bot, channelName(i), step.conf, step.people, &res[i]); err != nil {
			return fmt.Errorf("%s: %w", res[i].name, err)
		}
	}
	time.Sleep(b.settle())
	if msgs := w.slack.Messages(); len(msgs) != len(plan) {
		res[0].problems = append(res[0].problems, fmt.Sprintf("repeat %d: %d messages for %d invitations", r+1, len(msgs), len(plan)))
	}
	if w.slack.UnknownAcks() > 0 {
		res[0].problems = append(res[0].problems, fmt.Sprintf("repeat %d: acks of unknown envelopes", r+1))
	}
	return nil
}

// invite sends one command naming people and waits for its channel post.
func (b *bench) invite(ctx context.Context, w *world, bot *botProc, channel, conf string, people []string, res *e2eResult) error {
	feed, unsubscribe := w.slack.Subscribe()
	defer unsubscribe()
	statsBefore, err := bot.stats()
	if err != nil {
		return err
	}
	callsBefore := w.calls()
	invitesBefore := len(w.meet.Invitations(conf))
	text := conf + " <@" + strings.Join(people, "> <@") + ">"

	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	t0 := time.Now()
	sent, err := w.slack.SendCommand(cctx, slackfake.Command{UserID: invokerID, ChannelID: channel, Text: text})
	if err != nil {
		return err
	}
	if _, err := w.slack.WaitAck(cctx, sent.EnvelopeID); err != nil {
		return err
	}
	var post slackfake.Message
	select {
	case post = <-feed:
	case <-cctx.Done():
		return errors.New("no outcome within 30 s")
	}
	res.took = append(res.took, post.At.Sub(t0))
	// Let the bot finish the request (it still reads the post's answer)
	// before counting what it allocated.
	time.Sleep(b.opts.latency + 50*time.Millisecond)
	statsAfter, err := bot.stats()
	if err != nil {
		return err
	}
	d := w.calls().since(callsBefore)
	res.calls = addCalls(res.calls, d)
	res.mallocs += statsAfter.Mallocs - statsBefore.Mallocs

	if w.slack.AckCount(sent.EnvelopeID) == 1 {
		res.ackedOnce++
	}
	if named := peopleNamed(post); post.Kind != "post" || !slices.Equal(named, sortedCopy(people)) {
		res.problems = append(res.problems, fmt.Sprintf("%s: outcome was a %q naming %d of %d people: %q", res.name, post.Kind, len(named), len(people), post.Text))
	}
	invs := w.meet.Invitations(conf)
	if len(invs) != invitesBefore+1 || len(invs[len(invs)-1].Attendees) != len(people) {
		res.problems = append(res.problems, fmt.Sprintf("%s: Huawei did not get one invite of %d attendees", res.name, len(people)))
	}
	return nil
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func addCalls(a, b calls) calls {
	if a.slack == nil {
		a = calls{slack: map[string]int{}, meet: map[string]int{}}
	}
	for k, v := range b.slack {
		a.slack[k] += v
	}
	for k, v := range b.meet {
		a.meet[k] += v
	}
	return a
}
