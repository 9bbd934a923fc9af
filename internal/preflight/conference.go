package preflight

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// found is what the meeting checks learnt, for the assumption lines.
type found struct {
	online     []meeting.Participant // from ListOnlineConfAttendee
	wsURL      string
	subscribed bool // the full list came after Subscribe
	roster     []meeting.Participant
}

func checkConference(ctx context.Context, cfg Config, mc *meeting.Client, r *Report) {
	sec := sectionConference(cfg)
	skip := func(why string, names ...string) {
		for _, n := range names {
			r.add(Line{Section: sec, Status: Skip, Name: n, Advice: why})
		}
	}
	if !checkDetail(ctx, cfg, mc, r) {
		skip("needs the lines above", "control token", "ListOnlineConfAttendee", "wsToken", "control WebSocket (Subscribe)")
		return
	}
	var f found
	controlled := checkControl(ctx, cfg, mc, r, &f)
	checkOnline(ctx, cfg, mc, r, &f)
	if controlled {
		checkWatch(ctx, cfg, mc, r, &f)
	} else {
		skip("needs the control token", "wsToken", "control WebSocket (Subscribe)")
	}
	assumptions(sec, f, r)
}

// checkDetail reads confDetail: is the meeting running, and is its host
// password readable?
func checkDetail(ctx context.Context, cfg Config, mc *meeting.Client, r *Report) bool {
	sec := sectionConference(cfg)
	sctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	d, err := mc.ConferenceDetail(sctx, cfg.MeetingID)
	if err != nil {
		detail, advice := meetingFailure(err)
		switch {
		case advice != "":
		case errors.Is(err, meeting.ErrNotFound):
			advice = "no meeting with this ID is visible to the account: check the ID (a personal meeting room's fixed ID is not the conferenceID), and that the account is the enterprise administrator or the meeting's host"
		case errors.Is(err, meeting.ErrForbidden):
			advice = "the account may not read this meeting: use the enterprise administrator (MEETING_USER_ID empty) or the host's user ID"
		default:
			advice = "check the meeting ID"
		}
		r.add(Line{Section: sec, Status: Fail, Name: "confDetail", Detail: detail, Advice: advice})
		r.add(Line{Section: sec, Status: Skip, Name: "host password readable", Advice: "fix confDetail first"})
		return false
	}
	info := d.ConferenceData
	if info.ConferenceState != meeting.StateCreated {
		r.add(Line{Section: sec, Status: Fail, Name: "confDetail", Detail: "the meeting is not running (state " + info.ConferenceState + ")",
			Advice: "start the meeting, or give the ID of one that is running, and run the check again"})
		r.add(Line{Section: sec, Status: Skip, Name: "host password readable", Advice: "needs a running meeting"})
		return false
	}
	r.add(Line{Section: sec, Status: Pass, Name: "confDetail", Detail: "running"})
	for _, p := range info.PasswordEntry {
		if p.ConferenceRole == "chair" && strings.Trim(p.Password, "*") != "" {
			r.add(Line{Section: sec, Status: Pass, Name: "host password readable", Detail: "yes (not shown)"})
			return true
		}
	}
	r.add(Line{Section: sec, Status: Fail, Name: "host password readable", Detail: "confDetail gives it masked or not at all",
		Advice: "sign in as the enterprise administrator (MEETING_USER_ID empty) or as the meeting's host, who may read host passwords; otherwise people must type the host password in the bot's form"})
	return false
}

// checkControl obtains the control token (Prepare, with the host password
// confDetail gave).
func checkControl(ctx context.Context, cfg Config, mc *meeting.Client, r *Report, f *found) bool {
	sec := sectionConference(cfg)
	sctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if _, err := mc.Prepare(sctx, cfg.MeetingID, ""); err != nil {
		detail, advice := meetingFailure(err)
		switch {
		case advice != "":
		case errors.Is(err, meeting.ErrHostAuth):
			advice = "Huawei refused the host password confDetail gave: ask Huawei support; the bot will ask people for the host password"
		case errors.Is(err, meeting.ErrControlLocked):
			advice = "control login is locked after wrong host passwords: wait for it to unlock (about 10 minutes) and try again"
		default:
			advice = "the account needs the right to control this meeting: act as the enterprise administrator (MEETING_USER_ID empty)"
		}
		r.add(Line{Section: sec, Status: Fail, Name: "control token", Detail: detail, Advice: advice})
		return false
	}
	f.wsURL = mc.ControlWebSocketURL(cfg.MeetingID)
	detail := "obtained"
	if u, err := url.Parse(withScheme(f.wsURL)); err == nil && u.Host != "" {
		detail += "; its wsURL names the host " + u.Host
	}
	r.add(Line{Section: sec, Status: Pass, Name: "control token", Detail: detail})
	return true
}

// withScheme gives a scheme-less wsURL one, so that url.Parse finds the host.
func withScheme(s string) string {
	if s != "" && !strings.Contains(s, "://") {
		return "wss://" + s
	}
	return s
}

func checkOnline(ctx context.Context, cfg Config, mc *meeting.Client, r *Report, f *found) {
	sec := sectionConference(cfg)
	sctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	ps, err := mc.OnlineParticipants(sctx, cfg.MeetingID)
	if err != nil {
		detail, advice := meetingFailure(err)
		if advice == "" {
			advice = "the tenant's edition or the account's rights may not include ListOnlineConfAttendee; without it the bot may call someone already in the meeting"
		}
		r.add(Line{Section: sec, Status: Fail, Name: "ListOnlineConfAttendee", Detail: detail, Advice: advice})
		return
	}
	f.online = ps
	r.add(Line{Section: sec, Status: Pass, Name: "ListOnlineConfAttendee", Detail: strconv.Itoa(len(ps)) + " online"})
}

// checkWatch takes a wsToken, opens the control WebSocket, subscribes and
// waits for the full participant list, then closes it.
func checkWatch(ctx context.Context, cfg Config, mc *meeting.Client, r *Report, f *found) {
	sec := sectionConference(cfg)
	const wsName = "control WebSocket (Subscribe)"
	sctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	w, err := mc.Watch(sctx, cfg.MeetingID)
	if errors.Is(err, meeting.ErrWatchToken) {
		detail, advice := meetingFailure(err)
		if advice == "" {
			advice = "the tenant may not offer the control WebSocket; the bot then asks for the participant list on each invitation"
		}
		r.add(Line{Section: sec, Status: Fail, Name: "wsToken", Detail: detail, Advice: advice})
		r.add(Line{Section: sec, Status: Skip, Name: wsName, Advice: "needs a wsToken"})
		return
	}
	r.add(Line{Section: sec, Status: Pass, Name: "wsToken", Detail: "obtained (not shown)"})
	if err != nil {
		detail, _, _ := networkOr(err, err.Error())
		r.add(Line{Section: sec, Status: Fail, Name: wsName, Detail: detail,
			Advice: "allow outbound WebSocket connections (wss, port 443) to the wsURL host above, through HTTPS_PROXY if there is one; without them the bot asks for the participant list on each invitation"})
		return
	}
	defer w.Close()
	start := time.Now()
	ps, ok := waitFullList(ctx, w, cfg.SubscribeDeadline)
	switch {
	case ok:
		f.subscribed, f.roster = true, ps
		r.add(Line{Section: sec, Status: Pass, Name: wsName,
			Detail: "the full participant list came " + time.Since(start).Round(time.Millisecond).String() + " after Subscribe (" + strconv.Itoa(len(ps)) + " online); closed"})
	case w.Err() != nil:
		detail, _, _ := networkOr(w.Err(), "Huawei closed the WebSocket after Subscribe ("+w.Err().Error()+")")
		r.add(Line{Section: sec, Status: Fail, Name: wsName, Detail: detail,
			Advice: "the tenant did not accept the Subscribe as documented; the bot then asks for the participant list on each invitation"})
	default:
		r.add(Line{Section: sec, Status: Fail, Name: wsName, Detail: "no participant list within " + cfg.SubscribeDeadline.String() + " of Subscribe",
			Advice: "the tenant does not push ParticipantsNotify as documented; the bot then asks for the participant list on each invitation"})
	}
}

// waitFullList waits until the watch has its first full participant list,
// it ends, or the deadline passes. The watch offers no event for the first
// list, so it looks every 20 ms.
func waitFullList(ctx context.Context, w *meeting.Watch, deadline time.Duration) ([]meeting.Participant, bool) {
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if ps, ok := w.Participants(); ok {
			return ps, true
		}
		select {
		case <-tick.C:
		case <-w.Done():
			return w.Participants()
		case <-timer.C:
			return nil, false
		case <-ctx.Done():
			return nil, false
		}
	}
}
