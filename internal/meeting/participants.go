package meeting

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// ParticipantState is where an online participant is, as Huawei reports it.
type ParticipantState int

const (
	InMeeting   ParticipantState = 0  // in the meeting
	BeingCalled ParticipantState = 1  // being called into it
	Joining     ParticipantState = 2  // joining it
	Online      ParticipantState = -1 // in it or being called: the list asked for does not say which
)

// Participant is someone online in a running conference: in it, or being
// called into it.
type Participant struct {
	ID     string // Huawei's participant ID (pid)
	Name   string
	Number string // call number: SIP number or phone, perhaps masked ("+99111****815")
	State  ParticipantState
}

const (
	onlinePageSize = 500 // the documented maximum of limit
	onlinePagesMax = 20  // 10,000 participants: far beyond any meeting the bot serves
)

// OnlineAttendeesPage is the response of GET v1/mmc/management/conferences/online/conf-attendee.
type OnlineAttendeesPage struct {
	Data   []OnlineAttendee `json:"data"`
	Offset int              `json:"offset"`
	Limit  int              `json:"limit"`
	Count  int              `json:"count"`
}

// OnlineAttendee is one entry of OnlineAttendeesPage (Huawei's OnlineAttendeeRecordInfo).
type OnlineAttendee struct {
	ParticipantID string `json:"participant_id"`
	Name          string `json:"name"`
	CallNumber    string `json:"call_number"`
	Role          int    `json:"role"` // 1 host, 0 participant
	ThirdAccount  string `json:"third_account"`
	Account       string `json:"account"`
	UserID        string `json:"user_id"`
}

// OnlineParticipants lists everyone online in a running conference, with the
// access token only (ListOnlineConfAttendee), so it can run while the
// conference is being prepared. The list does not say who is still being
// called: every entry has State Online.
func (c *Client) OnlineParticipants(ctx context.Context, conferenceID string) ([]Participant, error) {
	ps, err := c.onlineParticipants(ctx, conferenceID)
	if err != nil {
		return nil, fmt.Errorf("conference %s participants: %w", conferenceID, err)
	}
	return ps, nil
}

func (c *Client) onlineParticipants(ctx context.Context, conferenceID string) ([]Participant, error) {
	if conferenceID == "" {
		return nil, errNoConferenceID
	}
	var out []Participant
	for page := range onlinePagesMax {
		q := url.Values{
			"conf_id": {conferenceID},
			"offset":  {strconv.Itoa(page * onlinePageSize)},
			"limit":   {strconv.Itoa(onlinePageSize)},
		}
		var p OnlineAttendeesPage
		if err := c.getWithAccessToken(ctx, "v1/mmc/management/conferences/online/conf-attendee?"+q.Encode(), &p); err != nil {
			return nil, err
		}
		for _, a := range p.Data {
			out = append(out, Participant{ID: a.ParticipantID, Name: a.Name, Number: a.CallNumber, State: Online})
		}
		// Huawei answers the last page again for an offset past the end, so
		// stop on a short page as well as on the count.
		if len(p.Data) < onlinePageSize || len(out) >= p.Count {
			break
		}
	}
	return out, nil
}
