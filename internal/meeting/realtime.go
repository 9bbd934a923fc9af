package meeting

import (
	"context"
	"net/http"
	"net/url"
)

// RealTimeInfo is the response of GET v1/mmc/control/conferences/realTimeInfo
// (ShowRealTimeInfoOfMeeting, meeting_21_0029), in the fields the client reads.
type RealTimeInfo struct {
	ConfInfo     RealTimeConfInfo      `json:"confInfo"`
	Attendees    []RealTimeAttendee    `json:"attendees"`    // invited, joined or not
	Participants []RealTimeParticipant `json:"participants"` // online: in the meeting, being called or joining
}

// RealTimeConfInfo is realTimeInfo's confInfo.
type RealTimeConfInfo struct {
	ConferenceID string   `json:"conferenceID"`
	ChairID      string   `json:"chairID"`
	CoHosts      []string `json:"coHosts"`
}

// RealTimeAttendee is someone invited to the meeting.
type RealTimeAttendee struct {
	AccountID string `json:"accountID"`
	UserUUID  string `json:"userUUID"`
	Name      string `json:"name"`
	Phone     string `json:"phone"`
}

// RealTimeParticipant is someone online in the meeting.
type RealTimeParticipant struct {
	PID   string `json:"pid"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
	State int    `json:"state"` // 0 in the meeting, 1 being called, 2 joining
}

func (c *Client) realTimeInfo(ctx context.Context, conferenceID string) (*RealTimeInfo, error) {
	if conferenceID == "" {
		return nil, errNoConferenceID
	}
	cc, ok := c.cachedControl(conferenceID)
	if !ok {
		return nil, ErrNoControlToken
	}
	path := "v1/mmc/control/conferences/realTimeInfo?" + url.Values{"conferenceID": {cc.realID}}.Encode()
	req, err := c.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Conference-Authorization", cc.token)
	var info RealTimeInfo
	if err := c.do(req, &info); err != nil {
		if isUnauthorized(err) {
			c.dropControlToken(conferenceID, cc.token)
		}
		return nil, err
	}
	return &info, nil
}

// participants lists the online participants of a prepared conference from
// realTimeInfo, with their states.
func (c *Client) realTimeParticipants(ctx context.Context, conferenceID string) ([]Participant, error) {
	info, err := c.realTimeInfo(ctx, conferenceID)
	if err != nil {
		return nil, err
	}
	out := make([]Participant, 0, len(info.Participants))
	for _, p := range info.Participants {
		out = append(out, Participant{ID: p.PID, Name: p.Name, Number: p.Phone, State: ParticipantState(p.State)})
	}
	return out, nil
}
