package meeting

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/meet-invite/meet-invite/internal/flight"
)

// Conference states as Huawei reports them in conferenceState.
const (
	StateSchedule  = "Schedule"  // scheduled, not started
	StateCreating  = "Creating"  // starting
	StateCreated   = "Created"   // running
	StateDestroyed = "Destroyed" // ended
)

const (
	controlTokenLifetime = 30 * time.Minute // documented lifetime, used when the response gives none
	controlTokenMargin   = 2 * time.Minute  // stop using a control token this long before it expires
	confEntryIdle        = 24 * time.Hour   // forget a conference this long after its token expired
	maxConfEntries       = 5000             // conferences remembered at once; the stalest are forgotten first
)

// Conference is what the bot needs to know about a conference.
type Conference struct {
	// ID is Huawei's conferenceID. For a meeting in a fixed-ID (personal
	// or cloud) room it differs from the number people see and type, which
	// is DisplayID (meeting_21_0027, meeting_21_1512).
	ID                 string
	DisplayID          string // the number as typed; equal to ID for an ordinary meeting
	Subject            string
	State              string // StateSchedule, StateCreating, StateCreated or StateDestroyed
	StartTime, EndTime string // as Huawei sends them ("yyyy-MM-dd HH:mm", UTC)
	GuestJoinURI       string
}

// ConferenceDetail is the response of GET v1/mmc/management/conferences/confDetail.
type ConferenceDetail struct {
	ConferenceData ConferenceInfo `json:"conferenceData"`
}

// ConferenceInfo holds the fields of Huawei's ConferenceInfo the client uses.
type ConferenceInfo struct {
	ConferenceID    string          `json:"conferenceID"`
	Subject         string          `json:"subject"`
	ConferenceState string          `json:"conferenceState"`
	StartTime       string          `json:"startTime"`
	EndTime         string          `json:"endTime"`
	Size            int             `json:"size"`
	MediaTypes      string          `json:"mediaTypes"`
	SchedUserName   string          `json:"scheduserName"`
	UserUUID        string          `json:"userUUID"`
	GuestJoinURI    string          `json:"guestJoinUri"`
	ChairJoinURI    string          `json:"chairJoinUri"` // gives host rights: never post it
	PasswordEntry   []PasswordEntry `json:"passwordEntry"`
	VmrFlag         int             `json:"vmrFlag"`         // 1: held in a cloud meeting room
	VmrConferenceID string          `json:"vmrConferenceID"` // the room's fixed ID, shown to users when VmrFlag is 1
}

// PasswordEntry is one conference password; the "chair" one is the host password.
type PasswordEntry struct {
	ConferenceRole string `json:"conferenceRole"` // "chair" or "general"
	Password       string `json:"password"`
}

// String hides the password, so that printing a ConferenceDetail is safe.
func (p PasswordEntry) String() string { return "{" + p.ConferenceRole + " ******}" }

// GoString hides the password, so that %#v is safe too.
func (p PasswordEntry) GoString() string { return "meeting.PasswordEntry" + p.String() }

// ControlToken is the response of GET v1/mmc/control/conferences/token.
type ControlToken struct {
	Data           ControlTokenData `json:"data"`
	AddressToken   string           `json:"addressToken"`
	GlobalPublicIP string           `json:"gloablPublicIP"` // sic
}

// ControlTokenData describes the control token itself.
type ControlTokenData struct {
	Token               string   `json:"token"`
	TmpWsToken          string   `json:"tmpWsToken"`
	WsURL               string   `json:"wsURL"`
	Role                int      `json:"role"`                // 1 = host
	ExpireTime          int64    `json:"expireTime"`          // Unix milliseconds
	ConfTokenExpireTime int64    `json:"confTokenExpireTime"` // lifetime in seconds
	UserID              string   `json:"userID"`
	OrgID               string   `json:"orgID"`
	VmrCurrentConfID    string   `json:"vmrCurrentConfID"`
	SupportNotifyType   []string `json:"supportNotifyType"`
}

// ConferenceDetail returns the details of an upcoming or running conference,
// including its passwords.
func (c *Client) ConferenceDetail(ctx context.Context, conferenceID string) (*ConferenceDetail, error) {
	d, err := c.conferenceDetail(ctx, conferenceID)
	if err != nil {
		return nil, fmt.Errorf("conference %s detail: %w", conferenceID, err)
	}
	return d, nil
}

func (c *Client) conferenceDetail(ctx context.Context, conferenceID string) (*ConferenceDetail, error) {
	if conferenceID == "" {
		return nil, errNoConferenceID
	}
	path := "v1/mmc/management/conferences/confDetail?" + url.Values{"conferenceID": {conferenceID}}.Encode()
	var d ConferenceDetail
	if err := c.getWithAccessToken(ctx, path, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func (c *Client) controlToken(ctx context.Context, conferenceID, hostPassword string) (*ControlToken, error) {
	if conferenceID == "" {
		return nil, errNoConferenceID
	}
	if hostPassword == "" {
		return nil, ErrNoHostPassword
	}
	path := "v1/mmc/control/conferences/token?" + url.Values{"conferenceID": {conferenceID}}.Encode()
	req, err := c.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Password", hostPassword)
	req.Header.Set("X-Login-Type", "1")
	var ct ControlToken
	if err := c.do(req, &ct); err != nil {
		return nil, err
	}
	if ct.Data.Token == "" {
		return nil, errors.New("response has no token")
	}
	return &ct, nil
}

// confEntry is the client's memory of one conference, by the ID the caller
// used (conf.ID is Huawei's, which differs for a fixed room ID).
type confEntry struct {
	conf     Conference
	control  token
	wsURL    string                 // control WebSocket prefix given with the control token
	password string                 // host password that obtained the control token
	host     hostSecrets            // digests of the host link's key and the host password
	flight   *flight.Call[prepared] // Prepare in progress, if any
}

// prepared is the outcome of one Prepare.
type prepared struct {
	conf     Conference
	control  token
	wsURL    string
	password string
	host     hostSecrets
}

// Prepare makes the client ready to invite into a running conference: it reads the
// conference's details and obtains a control token with the host password, which is
// hostPassword if not empty, else the chair password from the details, else one that
// worked for this conference before. It makes at most one control-token attempt.
//
// The control token is cached until shortly before it expires; while it is, Prepare
// returns the cached Conference without calling the API. Concurrent calls for the
// same conference share one fetch.
//
// Errors match ErrNotStarted, ErrStarting or ErrEnded when the conference is not
// running (no control-token attempt then), ErrNoHostPassword when no password is
// known, ErrHostAuth or ErrControlLocked when the password is refused, or any other
// sentinel of the package.
func (c *Client) Prepare(ctx context.Context, conferenceID, hostPassword string) (Conference, error) {
	conf, _, err := c.prepare(ctx, conferenceID, hostPassword)
	if err != nil {
		return Conference{}, fmt.Errorf("prepare conference %s: %w", conferenceID, err)
	}
	return conf, nil
}

// prepare returns the conference and a usable control token, fetching them if needed.
func (c *Client) prepare(ctx context.Context, conferenceID, hostPassword string) (Conference, string, error) {
	if conferenceID == "" {
		return Conference{}, "", errNoConferenceID
	}
	for {
		c.confMu.Lock()
		e := c.entry(conferenceID)
		if e.control.usable(c.now()) {
			conf, tok := e.conf, e.control.value
			c.confMu.Unlock()
			return conf, tok, nil
		}
		if f := e.flight; f != nil {
			c.confMu.Unlock()
			if err := f.Wait(ctx); err != nil {
				return Conference{}, "", err
			}
			p, err, abandoned := f.Result()
			if abandoned {
				continue
			}
			return p.conf, p.control.value, err
		}
		f := flight.NewCall[prepared]()
		e.flight = f
		remembered := e.password
		c.confMu.Unlock()

		p, err := c.fetchControl(ctx, conferenceID, hostPassword, remembered)

		c.confMu.Lock()
		e.flight = nil
		if err == nil {
			e.conf, e.control, e.wsURL, e.password, e.host = p.conf, p.control, p.wsURL, p.password, p.host
		}
		f.Land(ctx, p, err)
		c.confMu.Unlock()
		return p.conf, p.control.value, err
	}
}

// fetchControl reads the conference and, if it is running, obtains a control token.
func (c *Client) fetchControl(ctx context.Context, conferenceID, hostPassword, remembered string) (prepared, error) {
	d, err := c.detailOrRoom(ctx, conferenceID)
	if err != nil {
		return prepared{}, fmt.Errorf("detail: %w", err)
	}
	info := d.ConferenceData
	conf := Conference{
		ID:           info.ConferenceID,
		DisplayID:    conferenceID,
		Subject:      info.Subject,
		State:        info.ConferenceState,
		StartTime:    info.StartTime,
		EndTime:      info.EndTime,
		GuestJoinURI: info.GuestJoinURI,
	}
	if conf.ID == "" {
		conf.ID = conferenceID
	}
	switch conf.State {
	case StateSchedule:
		return prepared{}, fmt.Errorf("state %s: %w", conf.State, ErrNotStarted)
	case StateCreating:
		return prepared{}, fmt.Errorf("state %s: %w", conf.State, ErrStarting)
	case StateDestroyed:
		return prepared{}, fmt.Errorf("state %s: %w", conf.State, ErrEnded)
	}

	password := hostPassword
	if password == "" {
		password = chairPassword(info.PasswordEntry)
	}
	if password == "" {
		password = remembered
	}
	if password == "" {
		return prepared{}, ErrNoHostPassword
	}

	ct, err := c.controlToken(ctx, conf.ID, password)
	if err != nil {
		return prepared{}, fmt.Errorf("control token: %w", err)
	}
	now := c.now()
	var at time.Time
	if ct.Data.ExpireTime > 0 {
		at = time.UnixMilli(ct.Data.ExpireTime)
	}
	exp := expiry(now, at, time.Duration(ct.Data.ConfTokenExpireTime)*time.Second, controlTokenLifetime)
	c.logger.DebugContext(ctx, "meeting control token obtained",
		slog.String("conference_id", conferenceID), slog.Duration("expires_in", exp.Sub(now)))
	return prepared{
		conf:     conf,
		control:  token{value: ct.Data.Token, renewAt: exp.Add(-controlTokenMargin)},
		wsURL:    ct.Data.WsURL,
		password: password,
		host:     newHostSecrets(info.ChairJoinURI, password),
	}, nil
}

// chairPassword returns the host password from a conference's password list, or "".
// A masked value ("******") counts as none.
func chairPassword(entries []PasswordEntry) string {
	for _, p := range entries {
		if p.ConferenceRole == "chair" && strings.Trim(p.Password, "*") != "" {
			return p.Password
		}
	}
	return ""
}

// entry returns the conference's entry, creating it (and forgetting long-idle
// conferences) if needed. c.confMu must be held.
func (c *Client) entry(conferenceID string) *confEntry {
	if e, ok := c.confs[conferenceID]; ok {
		return e
	}
	cutoff := c.now().Add(-confEntryIdle)
	stalest := ""
	for id, e := range c.confs {
		switch {
		case e.flight != nil: // being prepared: kept
		case e.control.renewAt.Before(cutoff):
			delete(c.confs, id)
		case stalest == "" || e.control.renewAt.Before(c.confs[stalest].control.renewAt):
			stalest = id
		}
	}
	if len(c.confs) >= maxConfEntries && stalest != "" {
		delete(c.confs, stalest) // the one whose control token was got longest ago: at worst, asked for again
	}
	e := &confEntry{}
	c.confs[conferenceID] = e
	return e
}

// control is a conference's cached control token and what goes with it.
type control struct {
	token  string
	realID string    // Huawei's conferenceID
	wsURL  string    // the control WebSocket prefix
	until  time.Time // when the token is due for renewal
}

// cachedControl returns the conference's cached control token, without
// fetching anything.
func (c *Client) cachedControl(conferenceID string) (control, bool) {
	c.confMu.Lock()
	defer c.confMu.Unlock()
	e, found := c.confs[conferenceID]
	if !found || !e.control.usable(c.now()) {
		return control{}, false
	}
	return control{token: e.control.value, realID: e.conf.ID, wsURL: e.wsURL, until: e.control.renewAt}, true
}

// ControlWebSocketURL returns the wsURL Huawei gave with the conference's
// cached control token (Prepare fills it), or "" when the conference is not
// prepared. `bot check` reports its host and form.
func (c *Client) ControlWebSocketURL(conferenceID string) string {
	cc, _ := c.cachedControl(conferenceID)
	return cc.wsURL
}

// keepControlAlive extends a control token with the documented keep-alive
// (the token call with X-Conference-Authorization), for holders of a token
// longer than its 30 minutes, such as a watch. The host password that
// obtained the conference's token goes along, as the header is required,
// and lets Huawei sign in afresh if the session has lapsed. It returns the
// token to use from now on and when it is next due for renewal.
//
// It leaves the client's cache alone: Prepare keeps renewing the cached
// token, and re-reading the meeting's details, on its own schedule.
func (c *Client) keepControlAlive(ctx context.Context, conferenceID, tok string) (string, time.Time, error) {
	c.confMu.Lock()
	password, realID := "", conferenceID
	if e, ok := c.confs[conferenceID]; ok {
		password, realID = e.password, cmp.Or(e.conf.ID, conferenceID)
	}
	c.confMu.Unlock()
	path := "v1/mmc/control/conferences/token?" + url.Values{"conferenceID": {realID}}.Encode()
	req, err := c.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return "", time.Time{}, err
	}
	req.Header.Set("X-Conference-Authorization", tok)
	req.Header.Set("X-Login-Type", "1")
	if password != "" {
		req.Header.Set("X-Password", password)
	}
	var ct ControlToken
	if err := c.do(req, &ct); err != nil {
		return "", time.Time{}, fmt.Errorf("keep control token alive: %w", err)
	}
	if ct.Data.Token == "" {
		return "", time.Time{}, errors.New("keep control token alive: response has no token")
	}
	now := c.now()
	var at time.Time
	if ct.Data.ExpireTime > 0 {
		at = time.UnixMilli(ct.Data.ExpireTime)
	}
	return ct.Data.Token, expiry(now, at, time.Duration(ct.Data.ConfTokenExpireTime)*time.Second, controlTokenLifetime).Add(-controlTokenMargin), nil
}

// dropControlToken forgets the conference's control token if it is still rejected.
func (c *Client) dropControlToken(conferenceID, rejected string) {
	c.confMu.Lock()
	defer c.confMu.Unlock()
	if e, ok := c.confs[conferenceID]; ok && e.control.value == rejected {
		e.control = token{}
	}
}

// Sizes reports how many conferences the client remembers (details and
// control tokens), for metrics.
func (c *Client) Sizes() map[string]int {
	c.confMu.Lock()
	defer c.confMu.Unlock()
	return map[string]int{"meetings_prepared": len(c.confs)}
}
