package slackapp

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/expiring"
)

// The Home tab: someone opening the app's Home tab (the app_home_opened
// event) is shown, with views.publish, how an invitation would reach them
// (whoami's answer), their recent invitations with how each went, and how
// to use the bot. The invitations are this process's memory of them: the
// last homeHistory a person made, for historyMemory.
const (
	homeHistory   = 10
	historyMemory = 24 * time.Hour
)

// invitationRecord is one of a person's recent invitations.
type invitationRecord struct {
	at   time.Time
	post *postRecord // its channel post, whose calls and meeting's end it tells; nil when there is none
	text string      // otherwise, what came of it (mrkdwn)
}

// historyBook is each person's recent invitations, newest first.
type historyBook struct {
	mu     sync.Mutex // guards the records' post, and serialises changes
	byUser *expiring.Map[string, []*invitationRecord]
}

func newHistoryBook() historyBook {
	return historyBook{byUser: expiring.New[string, []*invitationRecord](historyMemory, maxEntries, nil)}
}

// add records rec as userID's newest invitation.
func (h *historyBook) add(userID string, rec *invitationRecord) {
	h.mu.Lock()
	defer h.mu.Unlock()
	recs, _ := h.byUser.Get(userID)
	recs = append([]*invitationRecord{rec}, recs...)
	h.byUser.Set(userID, recs[:min(len(recs), homeHistory)])
}

// attach makes a record tell how its post goes.
func (h *historyBook) attach(rec *invitationRecord, post *postRecord) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rec.post = post
}

// of returns userID's recent invitations, newest first.
func (h *historyBook) of(userID string) []invitationRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	recs, _ := h.byUser.Get(userID)
	out := make([]invitationRecord, len(recs))
	for i, rec := range recs {
		out[i] = *rec
	}
	return out
}

// recordInvitation remembers how a request went, for its invoker's Home
// tab, and returns the record: the invitation as it is being posted (then
// attach its post, whose later states the tab shows), else what came of it.
func (a *App) recordInvitation(l *lang, r request, rep commands.Report, err error) *invitationRecord {
	rec := &invitationRecord{at: r.t.start}
	switch {
	case err != nil:
		rec.text = failure(l, err, rep.ConferenceID, "")
	case len(rep.Invited) > 0 || rep.Started:
		rec.text = postHeadline(l, r.inv, rep, meetingTitle(l, rep))
	case len(rep.Skipped) > 0:
		rec.text = notInvitedHeader(l, len(rep.Skipped), rep.ConferenceID)
	default:
		rec.text = nobodyToInvite(l, rep.ConferenceID)
	}
	if rec.at.IsZero() {
		rec.at = time.Now()
	}
	a.history.add(r.inv.Invoker, rec)
	return rec
}

// line is the record as the Home tab lists it, in l: when, in the
// reader's time zone and language
// (https://api.slack.com/reference/surfaces/formatting#date-formatting),
// and how it went.
func (rec invitationRecord) line(l *lang) string {
	when := fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", rec.at.Unix(), rec.at.UTC().Format("2006-01-02 15:04 UTC"))
	return when + " · " + rec.outcome(l)
}

// outcome says how the invitation went: for a post, how its calls went
// once none rings, and whether its meeting ended.
func (rec invitationRecord) outcome(l *lang) string {
	p := rec.post
	if p == nil {
		return rec.text
	}
	p.mu.Lock()
	states, ended, replies := p.states, p.ended, p.replies
	p.mu.Unlock()
	text := postHeadline(l, p.inv, p.rep, meetingTitle(l, p.rep))
	if states != nil && !slices.Contains(states, commands.CallRinging) {
		text = callsSummary(l, text, tallyPost(l, p.rep, states, replies).counts)
	}
	if ended {
		text = l.sentences(text, meetingEndedNote(l))
	}
	return text
}

// handleHomeOpened draws the Home tab of whoever opened it.
func (a *App) handleHomeOpened(lt lifetimes) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		if evt.Request != nil {
			a.ack(c, evt.Request, nil)
		}
		e, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return
		}
		opened, ok := e.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
		if !ok || opened.Tab != "home" || opened.User == "" {
			return // the Messages tab, or a payload without its user
		}
		a.spawn(workRequest, func() { a.publishHome(lt, opened.User) })
	}
}

// publishHome publishes userID's Home tab.
func (a *App) publishHome(lt lifetimes, userID string) {
	ctx, cancel := context.WithTimeout(lt.work, a.cfg.InviteTimeout)
	defer cancel()
	iv, skip, err := a.inviter.Reach(ctx, userID, "") // no channel: only the rules about people apply
	l := a.langOf(ctx, userID)
	reach := reachSentence(l, iv, skip)
	if err != nil {
		reach = failure(l, err, "", "")
	}
	recs := a.history.of(userID)
	lines := make([]string, len(recs))
	for i, rec := range recs {
		lines[i] = rec.line(l)
	}
	view := homeView(l, reach, lines)
	if a.cfg.Simulated {
		view.Blocks.BlockSet = append(view.Blocks.BlockSet, slack.NewContextBlock("", mrkdwn(simulatedNote(l))))
	}
	if _, err := a.sm.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view}); err != nil {
		a.log.Warn("could not publish the Home tab", "slack_user", userID, "err", err)
	}
}

// homeView is the Home tab, in l: how the bot would reach the person,
// their recent invitations (lines, newest first), and how to use the bot.
func homeView(l *lang, reach string, lines []string) slack.HomeTabViewRequest {
	header := func(s string) slack.Block {
		return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, s, false, false))
	}
	section := func(s string) slack.Block { return slack.NewSectionBlock(mrkdwn(s), nil, nil) }
	blocks := []slack.Block{header(l.t("home.reach_header")), section(reach), header(l.t("home.recent_header"))}
	if len(lines) == 0 {
		lines = []string{l.t("home.no_history")}
	}
	for _, line := range lines {
		blocks = append(blocks, section(line))
	}
	blocks = append(blocks, slack.NewDividerBlock(), header(l.t("home.help_header")), section(helpText(l)))
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}
