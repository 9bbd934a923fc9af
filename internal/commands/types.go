package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// Person is what the inviter needs to know about a chat user.
type Person struct {
	ID   string
	Name string // display name, else real name, else username
	// RealName is the full name of the profile (what a meeting service
	// more likely knows them by), "" when unknown.
	RealName string
	Email    string // empty when unknown or hidden
	Phone    string // as typed in the profile, not normalised
	Deleted  bool
	Bot      bool
	Guest    bool // restricted or ultra-restricted account
	// The person's organisation, from users.info: team_id, and
	// enterprise_user.enterprise_id on Enterprise Grid; Stranger is
	// is_stranger (someone of another organisation seen through Slack
	// Connect). See Organisation.Foreign.
	TeamID       string
	EnterpriseID string
	Stranger     bool
	// Locale is their Slack language, as users.info gives it with
	// include_locale ("en-US", "es-ES", "zh-CN"); "" when unknown.
	Locale string
}

// Organisation is the workspace (and Enterprise Grid organisation, if
// any) the bot is installed in, as auth.test tells it at start.
type Organisation struct {
	TeamID       string
	EnterpriseID string
}

// Foreign reports whether p belongs to another organisation than o: a
// stranger (Slack Connect), or someone of another enterprise, or (outside
// Enterprise Grid) of another workspace. Workspaces of one enterprise are
// one organisation. When o is unknown (zero) only strangers are foreign.
func (o Organisation) Foreign(p Person) bool {
	switch {
	case p.Stranger:
		return true
	case o.EnterpriseID != "":
		return p.EnterpriseID != o.EnterpriseID
	case o.TeamID != "":
		return p.EnterpriseID != "" || p.TeamID != o.TeamID
	}
	return false
}

// Errors a People implementation returns so the inviter can tell the user
// why someone was left out.
var (
	ErrNoSuchPerson  = errors.New("commands: no such person")
	ErrNoSuchGroup   = errors.New("commands: no such user group")
	ErrNoSuchChannel = errors.New("commands: no such channel")
)

// People looks up chat users and user groups. The Slack transport implements
// it over the Web API; it must be safe for concurrent use.
type People interface {
	Person(ctx context.Context, userID string) (Person, error)
	GroupMembers(ctx context.Context, groupID string) ([]string, error)
	// ChannelMembers returns a channel's members. It may stop paging once
	// it has more than atMost of them (0: no limit), and then returns
	// exactly atMost+1.
	ChannelMembers(ctx context.Context, channelID string, atMost int) ([]string, error)
}

// Meetings is what the inviter needs from the meeting service.
// *meeting.Client implements it.
type Meetings interface {
	Prepare(ctx context.Context, conferenceID, hostPassword string) (meeting.Conference, error)
	Invite(ctx context.Context, conferenceID string, attendees []meeting.Attendee) (requestID string, err error)
	FindUserByEmail(ctx context.Context, email string) (meeting.DirectoryUser, error)
}

// Authorizer decides whether a person may invite from where they asked. It
// returns nil, or an error matching ErrRefused (a *RefusedError says why).
// *Guard implements it; nil lets everyone invite.
type Authorizer interface {
	Authorize(ctx context.Context, userID, channelID string) error
}

// Presence tells who is online in a meeting: in it, or being called into
// it. *meeting.Presence implements it.
type Presence interface {
	// Participants lists everyone online in the conference now.
	Participants(ctx context.Context, conferenceID string) ([]meeting.Participant, error)
	// Follow asks for the conference to be kept up to date from now on,
	// so that the next Participants costs nothing; it returns at once.
	// It is called once the conference is prepared.
	Follow(conferenceID string)
	// Find returns, without a request, the participants of a followed
	// conference for which match is true; live is false while the
	// conference is not (yet) followed live.
	Find(conferenceID string, match func(meeting.Participant) bool) (found []meeting.Participant, live bool)
	// CallResults returns, without a request, what Huawei said since then
	// about how the calls into a followed conference ended.
	CallResults(conferenceID string, since time.Time) (results []meeting.CallResult, live bool)
}

// Invitation is one request to bring people into a conference, whatever
// the entry point (slash command, form, shortcut, button, plain words).
type Invitation struct {
	// ID identifies the request: it holds the reservations of the people
	// it calls (Reservation.Holder). Empty: the inviter makes one up.
	ID           string
	ConferenceID string
	Invoker      string // chat user ID of the person asking
	Channel      string // where they asked: the conversation the access rules apply to
	UserIDs      []string
	GroupIDs     []string
	ChannelIDs   []string
	Phones       []string     // typed directly, normalised; called only with Config.AllowDirect
	Emails       []string     // typed directly; invited only with Config.AllowDirect
	HostPassword string       // optional: used when the bot cannot read the meeting's host password
	LinkDigest   string       // the digest of a pasted meeting link's key (Request.LinkDigest): a host link is refused
	Role         meeting.Role // role of every invitee; participant by default
	// Hosts are Slack users among UserIDs called in as hosts whatever Role
	// says: the invoker of a meeting started for the invitation.
	Hosts []string
	// Start asks for a new meeting (Inviter.Start) before anyone is
	// called; ConferenceID is empty until it is made.
	Start bool
	// OnReady, when set, is called once the invoker is authorized and the
	// meeting prepared (it runs), just before the invite request goes
	// out, with the meeting as prepared: work that needs the meeting (its
	// Slack call) runs meanwhile. Not called when nobody is called. Not
	// kept with a saved request.
	OnReady func(meeting.Conference) `json:"-"`
}

// Expands reports whether the invitation names user groups or channels,
// whose members are found (and counted) before anyone is looked up.
func (inv Invitation) Expands() bool { return len(inv.GroupIDs) > 0 || len(inv.ChannelIDs) > 0 }

// Named is how many people the invitation names one by one.
func (inv Invitation) Named() int { return len(inv.UserIDs) + len(inv.Phones) + len(inv.Emails) }

// Via says how an invitee will be reached.
type Via int

const (
	ViaApp   Via = iota + 1 // their Huawei Cloud Meeting number (SIP): the app rings
	ViaPhone                // their mobile phone (PSTN)
	// ViaLink: only their email address is known. Huawei cannot call an
	// email (phone is mandatory, meeting_21_0030) and sends no notice to
	// people invited during a meeting, so they are not in the invite
	// request: they are listed in Report.Invited with this Via, and are to
	// be sent the meeting's join link (Address is their email).
	ViaLink
)

func (v Via) String() string {
	switch v {
	case ViaApp:
		return "app"
	case ViaPhone:
		return "phone"
	case ViaLink:
		return "link"
	}
	return "unknown"
}

// Invitee is a person the inviter asked the meeting service to call, or
// (ViaLink) who is to be sent the join link.
// Address is the number or email used; it is personal data and is shown
// masked, if at all.
type Invitee struct {
	Person  Person
	Via     Via
	Address string
	// Also holds the person's other numbers (their phone when Address is
	// their meeting number, and so on), to recognise them in the meeting
	// whichever way they joined. It is never called.
	Also []string
	// Instead marks a phone rung in place of the person's call in the
	// meeting app (OnPhone): its reservation is held apart from the
	// report's (by Report.Holder + "/phone"), so that the app call's end,
	// seen late, does not lift it.
	Instead bool `json:",omitempty"`
}

// SkipReason says why someone was not invited.
type SkipReason int

const (
	SkipDeactivated      SkipReason = iota + 1 // the account is deactivated
	SkipBot                                    // bots cannot join meetings
	SkipNoContact                              // no meeting number, phone or email
	SkipBadPhone                               // only a phone number, without a country code
	SkipNotFound                               // no such user
	SkipLookupFailed                           // the lookup failed; try again
	SkipUnknownGroup                           // no such user group
	SkipEmptyGroup                             // the group has nobody in it
	SkipDuplicate                              // same number as someone else in this request
	SkipRecentlyInvited                        // already called into this meeting moments ago
	SkipUnknownChannel                         // no such channel, or the bot cannot see it
	SkipDirectNotAllowed                       // phone numbers and emails typed directly are not allowed here
	SkipInMeeting                              // already in the meeting
	SkipBeingCalled                            // being called into the meeting right now (by someone else)
	SkipShareLink                              // email only: Huawei can't ring them, and the join link couldn't be sent to them
	SkipExternal                               // of another organisation (Slack Connect), not called without AllowExternal
)

var skipNames = map[SkipReason]string{
	SkipDeactivated: "deactivated", SkipBot: "bot", SkipNoContact: "no_contact", SkipBadPhone: "bad_phone",
	SkipNotFound: "not_found", SkipLookupFailed: "lookup_failed", SkipUnknownGroup: "unknown_group",
	SkipEmptyGroup: "empty_group", SkipDuplicate: "duplicate", SkipRecentlyInvited: "recently_invited",
	SkipUnknownChannel: "unknown_channel", SkipDirectNotAllowed: "direct_not_allowed",
	SkipInMeeting: "in_meeting", SkipBeingCalled: "being_called", SkipShareLink: "share_link",
	SkipExternal: "external",
}

// String names the reason for logs and metrics.
func (r SkipReason) String() string {
	if n, ok := skipNames[r]; ok {
		return n
	}
	return "unknown"
}

// Skipped is someone (or a group) left out of an invitation, with the reason.
type Skipped struct {
	UserID    string
	GroupID   string
	ChannelID string
	Address   string // a phone number or email typed directly
	Name      string
	Reason    SkipReason
}

// Report is the outcome of one Invitation: who is being called, and who
// was left out and why. When an invitation fails as a whole, Invite returns
// an error beside the report, and Invited is empty: the meeting service did
// not accept the invitation (after a timeout it may not be known whether it
// did; the error then matches meeting.ErrUnavailable and the invitation is
// not repeated).
type Report struct {
	ConferenceID string
	Conference   meeting.Conference // zero when the meeting could not be read
	Invited      []Invitee          // accepted by the meeting service and being called; then the ViaLink ones, not called
	Skipped      []Skipped
	RequestID    string    // the meeting service's ID of the accepted invite request
	SentAt       time.Time // when the invite request went out: what Huawei says of calls after it is about them
	Holder       string    // the holder of the invitees' reservations: Invitation.ID, or one made up
	Started      bool      // the meeting was started for this invitation (Inviter.Start)
}

// ErrTooManyPeople is the error of an invitation naming more people than
// the configured maximum; nothing is looked up or sent.
var ErrTooManyPeople = errors.New("commands: too many people")

// TooManyError carries the numbers behind ErrTooManyPeople. AtLeast is
// set when Count is only as far as the counting went (paging a large
// channel stops once it passes Max). Host is set when Count includes the
// invoker, called in as the host of the meeting the invitation starts
// (WithHost), whom the user did not necessarily name.
type TooManyError struct {
	Count, Max int
	AtLeast    bool
	Host       bool
}

func (e *TooManyError) Error() string {
	if e.AtLeast {
		return fmt.Sprintf("more than %d people is more than the maximum of %d", e.Max, e.Max)
	}
	return fmt.Sprintf("%d people is more than the maximum of %d", e.Count, e.Max)
}
func (e *TooManyError) Is(target error) bool { return target == ErrTooManyPeople }

// ErrTooManyGroups is the error of an invitation naming more user groups
// and channels together than the configured maximum; nothing is looked up.
var ErrTooManyGroups = errors.New("commands: too many groups and channels")

// TooManyGroupsError carries the numbers behind ErrTooManyGroups.
type TooManyGroupsError struct{ Count, Max int }

func (e *TooManyGroupsError) Error() string {
	return fmt.Sprintf("%d groups and channels is more than the maximum of %d", e.Count, e.Max)
}
func (e *TooManyGroupsError) Is(target error) bool { return target == ErrTooManyGroups }

// Config tunes the inviter. Zero values take the defaults, which
// internal/bot sets from the configuration; the ones here keep tests short.
type Config struct {
	MaxPeople   int           // most people in one invitation after expanding groups; default 50
	MaxGroups   int           // most user groups and channels, together, in one invitation; default 5
	Concurrency int           // lookups in flight at once per invitation; default 16
	CacheTTL    time.Duration // how long a resolved person is reused; default 5 minutes
	// RecentWindow is how long after being called into a meeting a person is
	// not called into it again (double submissions, repeated commands);
	// default 2 minutes.
	RecentWindow time.Duration
	// AllowDirect permits phone numbers and emails typed in a command.
	// Dialling a number can cost money, so it is off by default.
	AllowDirect bool
	// PresenceWait bounds how long an invitation waits for Presence beyond
	// its other steps; after it, everyone is called. Default 2 seconds.
	PresenceWait time.Duration
	// Home is the organisation the bot is installed in; people of another
	// one (Organisation.Foreign) are not called unless AllowExternal.
	// Policy.Home and Policy.AllowExternal say the same for who may invite.
	Home          Organisation
	AllowExternal bool
	// CallsPerMinute is how many people one invoker may have called in a
	// minute (0: no limit); beyond it an invitation fails with
	// ErrSlowDown and calls nobody.
	CallsPerMinute int
	// SendTimeout bounds the invite request, and Start's request creating
	// a meeting, once it is being sent: it is let finish even when the
	// invitation's context is cancelled (a shutdown), so that whoever rings,
	// and a meeting started, is reported. Default 10 seconds.
	SendTimeout time.Duration
	// AllRunning lets Running list every meeting running in the
	// enterprise, with its subject and scheduler, to whoever may invite;
	// off (the default), only the invoker's own: a subject may say what a
	// meeting is about, and who is in it.
	AllRunning bool
	// Reservations keeps the recent window; nil: this process's memory
	// (NewMemoryReservations), which is for tests: replicas and restarts
	// need the store's.
	Reservations Reservations
	Now          func() time.Time
}

// DefaultMaxGroups is Config.MaxGroups's default.
const DefaultMaxGroups = 5

// maxRemembered caps each of the inviter's in-memory tables (people looked
// up), whatever their lifetimes.
const maxRemembered = 20000

func (c Config) withDefaults() Config {
	if c.MaxPeople <= 0 {
		c.MaxPeople = 50
	}
	if c.MaxGroups <= 0 {
		c.MaxGroups = DefaultMaxGroups
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 16
	}
	if c.CacheTTL <= 0 {
		c.CacheTTL = 5 * time.Minute
	}
	if c.RecentWindow <= 0 {
		c.RecentWindow = 2 * time.Minute
	}
	if c.PresenceWait <= 0 {
		c.PresenceWait = 2 * time.Second
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 10 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Reservations == nil {
		c.Reservations = NewMemoryReservations(c.Now)
	}
	return c
}
