package slackapp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/store"
)

// The Home tab: someone opening the app's Home tab (the app_home_opened
// event) is shown, with views.publish, how an invitation would reach them
// (whoami's answer), their recent invitations with how each went, and how
// to use the bot. The invitations are kept in the store, shared by
// replicas and kept across restarts: the last homeHistory a person made,
// for historyMemory. Each is recorded as it is reported, with its post
// once posted; how the post's calls went and whether its meeting ended are
// read from the post's rows in the store when the tab is drawn.
const (
	homeHistory   = 10
	historyMemory = 24 * time.Hour
)

// invitationRecord names one of a person's recent invitations in the
// store.
type invitationRecord struct {
	user, id string
}

// historyBook keeps each person's recent invitations, in the store.
type historyBook struct {
	store store.Histories
	log   *slog.Logger
}

// attach names the post of a recorded invitation, whose calls and
// meeting's end the tab then tells.
func (h *historyBook) attach(rec *invitationRecord, post *postRecord) {
	ctx, cancel := storeCtx()
	defer cancel()
	if err := h.store.SetHistoryPost(ctx, rec.user, rec.id, post.key()); err != nil {
		h.log.Warn("could not record the post of an invitation for the Home tab", "err", err)
	}
}

// recordInvitation records how a request went, for its invoker's Home
// tab, and returns the record: the invitation as it is being posted (then
// attach its post, whose later states the tab shows), else what came of it.
// The outcome is in l, the invoker's language: the Home tab it is shown in
// is theirs. A post's outcome is drawn again, in the reader's language,
// from the post's rows.
func (a *App) recordInvitation(l *lang, r request, rep commands.Report, err error) *invitationRecord {
	var outcome string
	switch {
	case err != nil:
		outcome = failure(l, err, rep.ConferenceID, "")
	case len(rep.Invited) > 0 || rep.Started:
		outcome = postHeadline(l, r.inv, rep, meetingTitle(l, rep))
	case len(rep.Skipped) > 0:
		outcome = notInvitedHeader(l, len(rep.Skipped), rep.ConferenceID)
	default:
		outcome = nobodyToInvite(l, rep.ConferenceID)
	}
	at := r.t.start
	if at.IsZero() {
		at = time.Now()
	}
	rec := &invitationRecord{user: r.inv.Invoker, id: r.inv.ID}
	if rec.id == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		rec.id = "inv-" + hex.EncodeToString(b)
	}
	ctx, cancel := storeCtx()
	defer cancel()
	e := store.HistoryEntry{ID: rec.id, At: at, Outcome: outcome}
	if err := a.store.AddHistory(ctx, rec.user, e, homeHistory, historyMemory); err != nil {
		r.log.Warn("could not record the invitation for the Home tab", "err", err)
	}
	return rec
}

// historyLines are userID's recent invitations as the Home tab lists
// them, in l, newest first.
func (a *App) historyLines(ctx context.Context, l *lang, userID string) ([]string, error) {
	entries, err := a.store.History(ctx, userID, homeHistory)
	if err != nil {
		return nil, err
	}
	lines := make([]string, len(entries))
	for i, e := range entries {
		lines[i] = historyLine(e.At, a.outcome(ctx, l, e))
	}
	return lines, nil
}

// historyLine is an invitation as the Home tab lists it: when, in the
// reader's time zone and language
// (https://api.slack.com/reference/surfaces/formatting#date-formatting),
// and how it went.
func historyLine(at time.Time, outcome string) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", at.Unix(), at.UTC().Format("2006-01-02 15:04 UTC")) + " · " + outcome
}

// outcome says how an invitation went, in l: for a post kept in the
// store, as its rows tell now (postOutcome); else what was recorded.
func (a *App) outcome(ctx context.Context, l *lang, e store.HistoryEntry) string {
	if e.Post == "" {
		return e.Outcome
	}
	f, ok, err := a.store.LoadFollow(ctx, e.Post)
	if err != nil || !ok {
		return e.Outcome
	}
	p, _, err := postFromStore(f.Follow)
	if err != nil {
		return e.Outcome
	}
	p.ended = f.Ended
	return postOutcome(l, p)
}

// postOutcome says how a post's invitation went, in l: how its calls went
// once none rings, and whether its meeting ended. p is the caller's own.
func postOutcome(l *lang, p *postRecord) string {
	text := postHeadline(l, p.inv, p.rep, meetingTitle(l, p.rep))
	if p.states != nil && !slices.Contains(p.states, commands.CallRinging) {
		text = callsSummary(l, text, tallyPost(l, p.rep, p.states, p.replies).counts)
	}
	if p.ended {
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
	lines, err := a.historyLines(ctx, l, userID)
	if err != nil {
		a.log.Warn("could not read the invitations for the Home tab", "slack_user", userID, "err", err)
		lines = []string{l.t("home.history_unreadable")}
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
