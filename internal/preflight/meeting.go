package preflight

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

const sectionMeeting = "Huawei Cloud Meeting"

func checkMeeting(ctx context.Context, cfg Config, r *Report) {
	if cfg.MeetingSimulated {
		r.add(Line{Section: sectionMeeting, Status: Info, Name: "MEETING_SIMULATOR is on",
			Detail: "the built-in simulator stands in for Huawei; nothing below says anything about your tenant"})
	}
	mc, err := meeting.NewClient(cfg.MeetingCreds, meeting.WithBaseURL(cfg.MeetingAPIURL), meeting.WithHTTPClient(cfg.HTTP))
	if err != nil {
		r.add(Line{Section: sectionMeeting, Status: Fail, Name: "client", Detail: err.Error(),
			Advice: "set MEETING_APP_ID and MEETING_APP_KEY (or MEETING_ACCOUNT and MEETING_PASSWORD), and MEETING_API_URL"})
		return
	}
	if !checkSignIn(ctx, cfg, mc, r) {
		r.add(Line{Section: sectionMeeting, Status: Skip, Name: "directory search", Advice: "fix the sign-in first"})
		if cfg.MeetingID != "" {
			r.add(Line{Section: sectionConference(cfg), Status: Skip, Name: "meeting checks", Advice: "fix the sign-in first"})
		}
		return
	}
	checkDirectory(ctx, cfg, mc, r)
	if cfg.MeetingID == "" {
		r.add(Line{Section: sectionMeeting, Status: Info, Name: "meeting checks not run",
			Detail: "give the ID of a running meeting (bot check 914083136) to check confDetail, the host password, the control token, the participant list and the control WebSocket"})
		return
	}
	checkConference(ctx, cfg, mc, r)
}

func sectionConference(cfg Config) string { return "Meeting " + cfg.MeetingID }

func checkSignIn(ctx context.Context, cfg Config, mc *meeting.Client, r *Report) bool {
	name, who := "sign-in (App ID authentication)", "as the enterprise's default administrator (MEETING_USER_ID empty)"
	vars := "MEETING_APP_ID and MEETING_APP_KEY (as the Huawei Cloud console issued them)"
	switch {
	case cfg.MeetingCreds.AppID == "":
		name, who, vars = "sign-in (account authentication)", "as MEETING_ACCOUNT", "MEETING_ACCOUNT and MEETING_PASSWORD"
	case cfg.MeetingCreds.UserID != "":
		who = "as the user MEETING_USER_ID names"
	}
	sctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	err := mc.SignIn(sctx)
	if err == nil {
		r.add(Line{Section: sectionMeeting, Status: Pass, Name: name, Detail: who + ", at " + cfg.MeetingAPIURL})
		return true
	}
	detail, advice := meetingFailure(err)
	if advice == "" {
		switch {
		case errors.Is(err, meeting.ErrUnauthorized):
			advice = "Huawei refused the credentials: check " + vars + " and that MEETING_API_URL is your region's (China or international)"
		case isNotFound(err):
			advice = "no meeting API at MEETING_API_URL: use https://api.meeting.huaweicloud.com (China) or https://api-intl.meeting.huaweicloud.com (international)"
		default:
			advice = "check " + vars + " and MEETING_API_URL"
		}
	}
	r.add(Line{Section: sectionMeeting, Status: Fail, Name: name, Detail: detail, Advice: advice})
	return false
}

// isNotFound reports an HTTP 404 without a meeting error code: the wrong host
// or path rather than an unknown meeting.
func isNotFound(err error) bool {
	var apiErr *meeting.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == 404 && !strings.HasPrefix(apiErr.Code, "MMC.")
}

// meetingFailure describes a failed Huawei call: a network problem (with
// advice), else Huawei's error code and request ID (advice left to the
// caller). Huawei's message text is left out: it may quote what was sent.
func meetingFailure(err error) (detail, advice string) {
	if d, a, ok := networkOr(err, ""); ok {
		return d, a + "; MEETING_API_URL must be your region's API host"
	}
	var apiErr *meeting.APIError
	if errors.As(err, &apiErr) {
		detail = "Huawei answered HTTP " + strconv.Itoa(apiErr.StatusCode)
		if apiErr.Code != "" {
			detail += " " + apiErr.Code
		}
		if apiErr.RequestID != "" {
			detail += " (request " + apiErr.RequestID + ")"
		}
		return detail, ""
	}
	return err.Error(), ""
}

func checkDirectory(ctx context.Context, cfg Config, mc *meeting.Client, r *Report) {
	const name = "directory search"
	sctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	page, err := mc.SearchDirectory(sctx, meeting.SearchDirectoryRequest{Limit: 10})
	if err != nil {
		detail, advice := meetingFailure(err)
		if advice == "" {
			advice = "the account cannot read the corporate directory: give it that right (or use the enterprise administrator); without it nobody is rung in the meeting app, only by phone or email"
		}
		r.add(Line{Section: sectionMeeting, Status: Fail, Name: name, Detail: detail, Advice: advice})
		return
	}
	withEmail, withNumber := 0, 0
	for _, u := range page.Data {
		if u.Email != "" {
			withEmail++
		}
		if u.Number != "" {
			withNumber++
		}
	}
	detail := strconv.Itoa(page.Count) + " entries; of the first " + strconv.Itoa(len(page.Data)) + ", " +
		strconv.Itoa(withEmail) + " with an email and " + strconv.Itoa(withNumber) + " with a meeting number"
	if page.Count > 0 && withEmail == 0 {
		detail += " (app calls need directory emails equal to Slack's)"
	}
	r.add(Line{Section: sectionMeeting, Status: Pass, Name: name, Detail: detail})
}
