package store

import (
	"context"
	"errors"
	"time"
)

// Store is the bot's durable state. Every method is safe for concurrent use,
// and every "take once" holds across processes sharing the database.
// Durations are measured with the store's clock (WithClock).
type Store interface {
	Envelopes
	Reservations
	Pending
	Follows
	MissedCalls
	Leases
	Requests
	SlackCalls
	Secrets
	Histories

	// Prune deletes the rows that have expired: envelopes, reservations,
	// pending cards, follows past their time to live (with their calls),
	// missed-call messages (sent or not), lapsed leases,
	// requests, Slack calls past their time to live (with their people)
	// and history entries. It returns how many rows it deleted.
	Prune(ctx context.Context) (int64, error)
	// Close closes the database.
	Close() error
}

// Envelopes remembers the Slack envelopes already handled.
type Envelopes interface {
	// FirstDeliveries records envelopes ids for ttl, in one statement, and
	// returns those whose first delivery this is: for each, exactly one
	// caller, in any process, is told so while the record lives (an ID given
	// twice counts once).
	FirstDeliveries(ctx context.Context, ids []string, ttl time.Duration) (map[string]bool, error)
}

// Reservation is one person being called into a meeting: by their chat user
// ID (Person, empty for a number typed directly) and by every number or
// address the call goes to. Holder names the request that reserved it, so
// that only it releases it and a successor can tell whose call may have
// gone out.
type Reservation struct {
	Meeting string
	Holder  string
	Person  string
	Numbers []string
}

// Reservations is the "called recently" window: nobody is called twice into
// a meeting while their reservation lives.
type Reservations interface {
	// Reserve takes every key of r (the person, each number) for ttl, or
	// none of them: it reports false, reserving nothing, when any of them is
	// still held (by anyone, r.Holder included). Expired keys are taken over.
	Reserve(ctx context.Context, r Reservation, ttl time.Duration) (bool, error)
	// Release gives back the keys of r that r.Holder still holds (when the
	// call was refused, or was seen to end unanswered).
	Release(ctx context.Context, r Reservation) error
	// TakeOver takes every key of r for ttl, as Reserve does, those that
	// holder from holds included: they pass to r.Holder without a moment
	// free (a phone rung in place of the person's call in the app). It
	// reports false, changing nothing, when any key is held by anyone else
	// (r.Holder included); held reports whether from held any of them.
	TakeOver(ctx context.Context, r Reservation, from string, ttl time.Duration) (ok, held bool, err error)
	// NumberReserved reports whether number is reserved for meeting.
	NumberReserved(ctx context.Context, meeting, number string) (bool, error)
	// HeldBy counts the unexpired keys holder holds: after its process
	// died, more than none means its calls may have gone out.
	HeldBy(ctx context.Context, holder string) (int, error)
}

// Pending holds confirmation cards waiting for their invoker's answer.
type Pending interface {
	// PutPending stores payload under key for userID, for ttl. It returns
	// ErrExists when key is already in use.
	PutPending(ctx context.Context, key, userID string, payload []byte, ttl time.Duration) error
	// TakePending removes and returns the payload under key if it is still
	// there, unexpired and belongs to userID: exactly one caller gets it.
	// A card asked for by someone else stays.
	TakePending(ctx context.Context, key, userID string) (payload []byte, ok bool, err error)
}

// Follow is a post whose calls are being followed.
type Follow struct {
	Post    string // the post's identity, such as channel + "/" + timestamp
	Meeting string
	Payload []byte // what the app needs to redraw the post (its own JSON)
	Calls   []Call // in the order saved
}

// Call is where the call to one invitee of a followed post stands. The
// states are the caller's words (such as "ringing", "joined", "missed").
type Call struct {
	Person string // unique within the post
	State  string
}

// Follows holds the posts being followed and their calls.
type Follows interface {
	// SaveFollow stores f, replacing its payload and calls if the post is
	// already saved, and keeps it for ttl (then Prune deletes it).
	SaveFollow(ctx context.Context, f Follow, ttl time.Duration) error
	// SetCallState moves a call of post from state from to state to, and
	// reports whether it did: of callers racing to move it, one gets true.
	SetCallState(ctx context.Context, post, person, from, to string) (bool, error)
	// UnfinishedFollows returns the unexpired posts not yet finished, oldest
	// first, with their calls.
	UnfinishedFollows(ctx context.Context) ([]Follow, error)
	// FinishFollow marks post finished (its final state written) and reports
	// whether this call did: exactly one caller gets true.
	FinishFollow(ctx context.Context, post string) (bool, error)
	// ReopenFollow marks post unfinished again, with payload in place of
	// its own, so that it is followed once more (a phone rung after its
	// calls were followed to the end), and reports whether it did: false
	// when it is not finished, its meeting ended, or it expired. Of callers
	// racing, one gets true.
	ReopenFollow(ctx context.Context, post string, payload []byte) (bool, error)
	// EndMeeting marks the unexpired posts of meeting as ended and returns
	// them, each to exactly one caller, so that one process edits each post
	// to say the meeting ended.
	EndMeeting(ctx context.Context, meeting string) ([]Follow, error)
	// LoadFollow returns post, unexpired, with its calls, whether or not
	// it is finished or ended; ok is false when there is no such post.
	LoadFollow(ctx context.Context, post string) (f SavedFollow, ok bool, err error)
}

// SavedFollow is a followed post as LoadFollow finds it.
type SavedFollow struct {
	Follow
	Finished bool // its calls were followed to the end (FinishFollow)
	Ended    bool // its meeting ended (EndMeeting)
}

// Missed is a missed-call message to send to one chat user.
type Missed struct {
	ID      string // unique: one message per call, such as post + "/" + person
	UserID  string
	Payload []byte
}

// MissedCalls is the outbox of missed-call messages. A message is claimed
// before it is sent and marked sent after, so it goes out once; if the
// claimer dies before marking it, it is claimed again when the claim lapses
// (a message is sent twice only if its sender dies between sending and
// marking).
type MissedCalls interface {
	// EnqueueMissed adds m, to be sent within ttl (then Prune drops it,
	// sent or not). It reports false when m.ID was already enqueued.
	EnqueueMissed(ctx context.Context, m Missed, ttl time.Duration) (bool, error)
	// ClaimMissed claims up to limit unsent messages for owner, for hold,
	// oldest first. A message is claimed by one owner at a time.
	ClaimMissed(ctx context.Context, owner string, limit int, hold time.Duration) ([]Missed, error)
	// MarkMissedSent marks message id sent, if owner holds its claim, and
	// reports whether it did.
	MarkMissedSent(ctx context.Context, id, owner string) (bool, error)
}

// Leases says which replica follows which meeting.
type Leases interface {
	// AcquireLease makes owner the follower of meeting for ttl, if nobody
	// else holds an unexpired lease on it, and reports whether it did. It
	// renews owner's own lease.
	AcquireLease(ctx context.Context, meeting, owner string, ttl time.Duration) (bool, error)
	// RenewLeases extends owner's leases on meetings by ttl from now, in
	// one statement (a few for thousands), and reports those it still held:
	// a meeting missing from the answer was taken over by another.
	RenewLeases(ctx context.Context, meetings []string, owner string, ttl time.Duration) (map[string]bool, error)
	// ReleaseLease gives up owner's lease on meeting, if it still holds it.
	ReleaseLease(ctx context.Context, meeting, owner string) error
}

// Request is a request acknowledged to its invoker and not yet answered.
type Request struct {
	ID      string // also the Holder of its reservations
	Payload []byte // what a successor needs to finish or report it (the app's JSON)
}

// Requests keeps the requests in flight, each held by the replica working on
// it for a while at a time, so that when a replica dies another one finishes
// its requests or tells their invokers they were cut short.
type Requests interface {
	// BeginRequests records requests as owner's for hold, kept for ttl (then
	// Prune deletes them, ended or not), in one statement, and reports which
	// it added: those whose ID is known are left as they are.
	BeginRequests(ctx context.Context, rs []Request, owner string, hold, ttl time.Duration) (map[string]bool, error)
	// RenewRequests extends by hold from now every unended request owner
	// holds, and returns how many.
	RenewRequests(ctx context.Context, owner string, hold time.Duration) (int64, error)
	// EndRequest marks request id answered, if owner holds it, and reports
	// whether it did.
	EndRequest(ctx context.Context, id, owner string) (bool, error)
	// ClaimOrphans takes over, for owner and for hold, up to limit unended
	// requests whose holder let its hold lapse (those lapsed longest first).
	// Each goes to one claimer; its old holder can no longer end it.
	ClaimOrphans(ctx context.Context, owner string, limit int, hold time.Duration) ([]Request, error)
}

// SlackCalls keeps each meeting's call in Slack (the Calls API), so that
// a meeting is registered once however many invitations go into it, from
// any process, fed by one process at a time (its holder, under a lease),
// and ended once.
type SlackCalls interface {
	// TakeCall returns meeting's call ID once it is registered. Before
	// that, exactly one caller gets mine: owner is to register the call,
	// and holds the claim for hold (until SetCall or DropCall; the others
	// get an empty ID meanwhile, and one of them the claim once hold
	// lapses). A call is kept for ttl, then taken as unknown.
	TakeCall(ctx context.Context, meeting, owner string, hold, ttl time.Duration) (id string, mine bool, err error)
	// SetCall records the ID of the call owner registered, with payload
	// (what a process adopting the call needs), and makes owner its
	// holder for lease. It reports whether it did: false when owner's
	// claim lapsed and another took it, or the meeting ended meanwhile
	// (EndCall), and the call is to be ended at once.
	SetCall(ctx context.Context, meeting, owner, id string, payload []byte, lease time.Duration) (bool, error)
	// DropCall gives up owner's claim, when registering failed, so that a
	// later TakeCall may try again.
	DropCall(ctx context.Context, meeting, owner string) error
	// HoldCall makes owner the holder of meeting's call id for lease,
	// from now, when nobody holds it (its lease lapsed) or owner does (a
	// renewal), and reports whether it did, with when the call is
	// forgotten (TakeCall's ttl): of callers racing for a lapsed call,
	// one gets true. It is false when another holds it, or the call was
	// ended or is past its time.
	HoldCall(ctx context.Context, meeting, id, owner string, lease time.Duration) (until time.Time, held bool, err error)
	// ReleaseCall gives up owner's lease on meeting's call, if it holds
	// it, so that another process adopts the call at once.
	ReleaseCall(ctx context.Context, meeting, owner string) error
	// LapsedCalls returns up to limit registered calls, within their
	// time, that nobody holds, those lapsed longest first: for HoldCall.
	LapsedCalls(ctx context.Context, limit int) ([]SlackCall, error)
	// AddCallPeople adds people to those call id is fed with; those it
	// has already are left as they are.
	AddCallPeople(ctx context.Context, id string, people []CallPerson) error
	// CallPeople returns the people call id is fed with, in the order
	// added.
	CallPeople(ctx context.Context, id string) ([]CallPerson, error)
	// ShowCallPerson records whether call id shows person.
	ShowCallPerson(ctx context.Context, id, person string, shown bool) error
	// EndCall forgets meeting's call, with its people, and returns its ID
	// to exactly one caller; "" when none is kept, or it was still being
	// registered (its registrar's SetCall then fails, and it ends the
	// call itself).
	EndCall(ctx context.Context, meeting string) (string, error)
}

// Secrets keeps the secrets the bot makes itself, for good (Prune leaves
// them).
type Secrets interface {
	// Secret returns the secret kept under name, keeping made when there is
	// none yet: of callers racing, in any process, all get the first's.
	Secret(ctx context.Context, name string, made []byte) ([]byte, error)
}

// SlackCall is a meeting's registered call, as a process adopting it
// needs it.
type SlackCall struct {
	Meeting string
	ID      string
	Payload []byte    // given to SetCall
	Until   time.Time // when it is forgotten (TakeCall's ttl)
}

// CallPerson is someone a call is fed with.
type CallPerson struct {
	ID      string // unique within the call
	Payload []byte // the app's
	Shown   bool   // the call shows them, as its holder last told Slack
}

// HistoryEntry is one of a person's recent invitations.
type HistoryEntry struct {
	ID      string // unique for the person
	At      time.Time
	Outcome string // what came of it (the app's words)
	Post    string // its post (a Follow's Post); "" for none
}

// Histories keeps each person's recent invitations, for their Home tab,
// wherever they were made.
type Histories interface {
	// AddHistory records e as userID's, for ttl, and forgets their entries
	// beyond the keep newest.
	AddHistory(ctx context.Context, userID string, e HistoryEntry, keep int, ttl time.Duration) error
	// SetHistoryPost names the post of userID's entry id.
	SetHistoryPost(ctx context.Context, userID, id, post string) error
	// History returns up to limit of userID's entries within their time,
	// newest first.
	History(ctx context.Context, userID string, limit int) ([]HistoryEntry, error)
}

// ErrExists is returned by PutPending when the key is already in use.
var ErrExists = errors.New("store: key already in use")

// Option configures Open.
type Option func(*options)

type options struct {
	now func() time.Time
}

// WithClock makes the store tell time with now instead of time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}
