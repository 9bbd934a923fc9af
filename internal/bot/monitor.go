package bot

import (
	"errors"
	"strconv"
	"time"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/ops"
)

// monitor turns what the Slack app reports into metrics and health.
type monitor struct {
	metrics *ops.Metrics
	health  *ops.Health
}

func (m monitor) Connected(ok bool)              { m.health.SetSlackConnected(ok) }
func (m monitor) Reconnected()                   { m.metrics.Reconnected() }
func (m monitor) Acked(took time.Duration)       { m.metrics.Ack(took) }
func (m monitor) Queued()                        { m.metrics.Queued() }
func (m monitor) Refused(kind, outcome string)   { m.metrics.Request(kind, outcome, 0) }
func (m monitor) Working(work string, delta int) { m.metrics.InFlight(work, delta) }

func (m monitor) CallsEnded(states []commands.CallState) {
	for _, s := range states {
		if outcome, ok := callOutcomes[s]; ok {
			m.metrics.Call(outcome)
		}
	}
}

// callOutcomes label the calls followed to their end.
var callOutcomes = map[commands.CallState]string{
	commands.CallJoined: "joined", commands.CallMissed: "missed", commands.CallBusy: "busy",
	commands.CallDeclined: "declined", commands.CallFailed: "failed", commands.CallNoPSTN: "no_pstn",
}

func (m monitor) Finished(kind string, rep commands.Report, err error, took time.Duration) {
	outcome := "invited"
	switch {
	case errors.Is(err, commands.ErrRefused), errors.Is(err, commands.ErrSlowDown):
		m.metrics.Request(kind, "refused", took)
		return
	case err != nil || len(rep.Invited) == 0:
		outcome = "failed"
	case len(rep.Skipped) > 0:
		outcome = "partial"
	}
	m.metrics.Request(kind, outcome, took)
	via := map[string]int{}
	for _, iv := range rep.Invited {
		via[iv.Via.String()]++
	}
	for v, n := range via {
		m.metrics.Invited(v, n)
	}
	reasons := map[string]int{}
	for _, s := range rep.Skipped {
		reasons[s.Reason.String()]++
	}
	for r, n := range reasons {
		m.metrics.Skipped(r, n)
	}
	if err != nil {
		m.metrics.Failure(failureCode(err))
	}
	// Health: the meeting service is failing only when it cannot be reached
	// or refuses the bot; a meeting that has not started says nothing of it.
	switch {
	case errors.Is(err, meeting.ErrUnavailable), errors.Is(err, meeting.ErrUnauthorized):
		m.health.MeetingResult(err)
	case rep.Conference.ID != "" || len(rep.Invited) > 0:
		m.health.MeetingResult(nil)
	}
}

// failureCode is the low-cardinality label of a failed invitation: Huawei's
// error code, or a category.
func failureCode(err error) string {
	var apiErr *meeting.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Code != "":
		return apiErr.Code
	case errors.As(err, &apiErr):
		return "http_" + strconv.Itoa(apiErr.StatusCode)
	case errors.Is(err, commands.ErrTooManyPeople):
		return "too_many_people"
	case errors.Is(err, commands.ErrTooManyGroups):
		return "too_many_groups"
	case errors.Is(err, meeting.ErrNoHostPassword):
		return "no_host_password"
	case errors.Is(err, meeting.ErrUnavailable):
		return "unavailable"
	}
	return "other"
}
