package meeting

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
)

const (
	onlineMeetingsPageSize = 500 // the documented maximum of limit (meeting_21_0025)
	onlineMeetingsPagesMax = 4
)

// OnlineMeetingsPage is the response of GET v1/mmc/management/conferences/online
// (SearchOnlineMeetings, meeting_21_0025).
type OnlineMeetingsPage struct {
	Offset int              `json:"offset"`
	Limit  int              `json:"limit"`
	Count  int              `json:"count"`
	Data   []ConferenceInfo `json:"data"`
}

func (c *Client) searchOnlineMeetings(ctx context.Context, searchKey string) ([]ConferenceInfo, error) {
	if searchKey == "" || len([]rune(searchKey)) > 128 {
		return nil, errors.New("search key must be 1 to 128 characters")
	}
	return c.onlineMeetings(ctx, searchKey, onlineMeetingsPageSize, onlineMeetingsPagesMax)
}

// onlineMeetings lists running meetings, searchKey ("" for all) matching,
// pages of pageSize at a time, at most pages pages.
func (c *Client) onlineMeetings(ctx context.Context, searchKey string, pageSize, pages int) ([]ConferenceInfo, error) {
	var out []ConferenceInfo
	for page := range pages {
		q := url.Values{
			"queryAll": {"true"}, // an administrator sees only its own meetings without it
			"offset":   {strconv.Itoa(page * pageSize)},
			"limit":    {strconv.Itoa(pageSize)},
		}
		if searchKey != "" {
			q.Set("searchKey", searchKey)
		}
		var p OnlineMeetingsPage
		if err := c.getWithAccessToken(ctx, "v1/mmc/management/conferences/online?"+q.Encode(), &p); err != nil {
			return nil, err
		}
		out = append(out, p.Data...)
		// Beyond the end Huawei answers the last page again: stop on a short page.
		if len(p.Data) < pageSize || len(out) >= p.Count {
			break
		}
	}
	return out, nil
}

// detailOrRoom reads a conference's details by the ID typed. When Huawei
// does not know that ID (MMC.111070005) it may be the fixed ID of a
// personal or cloud meeting room, which is what people read off their
// screen (meeting_21_1512: displayID) but not the running meeting's
// conferenceID, which every control call needs (meeting_21_0027). Then the
// running meetings are searched for exactly one whose room ID
// (vmrConferenceID) is the number typed, and that meeting's details are
// read. Otherwise the first error stands.
func (c *Client) detailOrRoom(ctx context.Context, typed string) (*ConferenceDetail, error) {
	d, err := c.conferenceDetail(ctx, typed)
	var apiErr *APIError
	if err == nil || !errors.As(err, &apiErr) || apiErr.Code != codeNotFound {
		return d, err
	}
	found, serr := c.searchOnlineMeetings(ctx, typed)
	if serr != nil {
		c.logger.DebugContext(ctx, "cannot look the meeting ID up among running meetings",
			slog.String("conference_id", typed), slog.Any("err", serr))
		return nil, err
	}
	var realID string
	for _, m := range found {
		if m.VmrConferenceID != typed || m.ConferenceID == "" || m.ConferenceID == typed {
			continue
		}
		if realID != "" && realID != m.ConferenceID {
			c.logger.WarnContext(ctx, "several running meetings in one fixed-ID room; not guessing",
				slog.String("conference_id", typed))
			return nil, err
		}
		realID = m.ConferenceID
	}
	if realID == "" {
		return nil, err
	}
	c.logger.DebugContext(ctx, "meeting ID is a fixed room ID",
		slog.String("conference_id", typed), slog.String("running_conference_id", realID))
	return c.conferenceDetail(ctx, realID)
}
