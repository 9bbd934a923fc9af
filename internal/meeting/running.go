package meeting

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxRunningMeetings is the most RunningMeetings returns: one page of
// SearchOnlineMeetings at its largest (limit 500, meeting_21_0025), so
// that a picker finds the invoker's own meetings among many others.
const MaxRunningMeetings = onlineMeetingsPageSize

// RunningMeeting is a running meeting as a picker shows it. Who scheduled
// it is known by name only: SearchOnlineMeetings' userUUID is the
// scheduler's Huawei account, which nothing ties to a Slack user (the
// directory search, meeting_21_0512, answers no userUUID).
type RunningMeeting struct {
	ID string // Huawei's conferenceID: what Prepare and Invite take
	// DisplayID is the number people see in the meeting: the fixed room ID
	// for a meeting in a personal or cloud meeting room (vmrConferenceID),
	// else ID.
	DisplayID string
	Subject   string
	Scheduler string // scheduserName: who scheduled it
	StartTime string // "yyyy-MM-dd HH:mm", UTC
}

// RunningMeetings lists the meetings running now in the enterprise, oldest
// first, whose subject, scheduler or meeting ID (or room ID) contain
// searchKey (SearchOnlineMeetings, GET v1/mmc/management/conferences/online,
// https://support.huaweicloud.com/api-meeting/meeting_21_0025.html), or all
// of them when searchKey is empty; at most MaxRunningMeetings, in one
// request. A meeting number typed in groups ("914 083", "914-083") is
// searched for without the separators. searchKey is cut to the 128
// characters Huawei allows.
func (c *Client) RunningMeetings(ctx context.Context, searchKey string) ([]RunningMeeting, error) {
	key := searchKeyFor(searchKey)
	infos, err := c.onlineMeetings(ctx, key, MaxRunningMeetings, 1)
	if err != nil {
		return nil, fmt.Errorf("running meetings: %w", err)
	}
	out := make([]RunningMeeting, 0, min(len(infos), MaxRunningMeetings))
	for _, m := range infos {
		if m.ConferenceID == "" || m.ConferenceState != "" && m.ConferenceState != StateCreated {
			continue
		}
		display := m.ConferenceID
		if m.VmrFlag == 1 && m.VmrConferenceID != "" {
			display = m.VmrConferenceID
		}
		out = append(out, RunningMeeting{
			ID: m.ConferenceID, DisplayID: display, Subject: m.Subject, Scheduler: m.SchedUserName, StartTime: m.StartTime,
		})
		if len(out) == MaxRunningMeetings {
			break
		}
	}
	return out, nil
}

// searchKeyFor trims a picker's typed text into a searchKey: separators
// out of a grouped number, at most 128 characters.
func searchKeyFor(typed string) string {
	key := strings.TrimSpace(typed)
	if key != "" && strings.Trim(key, "0123456789 -.\u00a0") == "" {
		key = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, key)
	}
	return cutRunes(key, 128)
}

// FitSubject cuts a meeting's subject to the MaxSubjectLen characters
// CreateMeeting allows.
func FitSubject(subject string) string { return cutRunes(subject, MaxSubjectLen) }

// cutRunes cuts s to at most n characters (runes).
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
