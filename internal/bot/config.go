package bot

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/slackapp"
	"github.com/meet-invite/meet-invite/internal/store"
)

// Config is everything the bot reads from its environment.
type Config struct {
	SlackBotToken string
	SlackAppToken string
	SlackAPIURL   string

	MeetingAPIURL   string
	MeetingAppID    string
	MeetingAppKey   string
	MeetingUserID   string
	MeetingAccount  string
	MeetingPassword string
	MeetingTimeout  time.Duration

	MeetingSimulator bool // use the built-in meeting simulator instead of Huawei

	MaxPeople     int
	MaxGroups     int // user groups and channels, together, per request
	ConfirmAbove  int
	MaxConcurrent int
	AllowDirect   bool
	Policy        commands.Policy // Policy.Home is filled at start, from auth.test
	// CallsPerMinute is how many people one person may have called in a
	// minute (a token bucket: the burst is the larger of it and MaxPeople).
	CallsPerMinute int
	MaxFollowed    int    // meetings followed over their control WebSocket at once
	ButtonSecret   []byte // signs button values and form metadata; unset: one made once and kept in the store (required with PostgreSQL)
	InviteTimeout  time.Duration
	CallStatusFor  time.Duration // how long the channel post follows the calls
	RingingDMs     bool          // each Slack user being called gets a direct message with answers to give
	EscalateAfter  time.Duration // ring the phone of whoever the app rang unanswered this long; 0: never
	ShutdownGrace  time.Duration
	LookupTTL      time.Duration
	// DefaultLocale is the language of channel posts (a channel is shared)
	// and of whoever's Slack locale cannot be looked up: a catalogue's
	// name (slackapp.Locales), "en" by default.
	DefaultLocale string
	LogLevel      slog.Level
	OpsAddr       string // where /healthz and /metrics are served; "" = nowhere

	// StartLength and StartSubject are the booked length and the subject of
	// a meeting started from Slack (/meet-invite now): whole minutes within
	// Huawei's 15 minutes to 24 hours; a subject in which {channel} and
	// {user} stand for the channel's and the invoker's names ("" names it
	// after the channel, else the invoker).
	StartLength  time.Duration
	StartSubject string
	// PickerAllMeetings lets the form's meeting picker list every meeting
	// running in the enterprise (subject, scheduler) to whoever may invite;
	// off, each person sees only their own.
	PickerAllMeetings bool

	// DatabaseURL names the durable state (store.Open): "" is the SQLite
	// file meet-invite.db, store.Memory an in-memory database (the sandbox
	// and tests), postgres://… PostgreSQL, shared by replicas.
	DatabaseURL string
	// SocketConnections is how many Socket Mode connections this process
	// opens; Slack spreads envelopes across them (10 per app at most,
	// counting every replica).
	SocketConnections int

	OpenAIKey     string // plain-words requests are read by a model only when set
	OpenAIBaseURL string
	OpenAIModel   string
	OpenAITimeout time.Duration
}

const (
	defaultSlackAPIURL   = "https://slack.com/api/"
	defaultMeetingAPIURL = "https://api.meeting.huaweicloud.com/"
)

// secretVars may each be given in a file instead, NAME_FILE=/path (Docker
// and Kubernetes secrets mount them so).
var secretVars = []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "MEETING_APP_ID", "MEETING_APP_KEY", "MEETING_PASSWORD", "OPENAI_API_KEY", "BUTTON_SECRET", "DATABASE_URL"}

// LoadConfig reads and checks the configuration. It reports every problem at
// once, naming variables but never echoing a secret's value. Each of
// secretVars may come from the file named by NAME_FILE instead.
func LoadConfig(getenv func(string) string) (Config, error) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	getenv = withSecretFiles(getenv, os.ReadFile, bad)
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }

	c := Config{
		SlackBotToken:   get("SLACK_BOT_TOKEN"),
		SlackAppToken:   get("SLACK_APP_TOKEN"),
		MeetingAppID:    get("MEETING_APP_ID"),
		MeetingAppKey:   get("MEETING_APP_KEY"),
		MeetingUserID:   get("MEETING_USER_ID"),
		MeetingAccount:  get("MEETING_ACCOUNT"),
		MeetingPassword: getenv("MEETING_PASSWORD"), // passwords may have spaces
	}

	switch {
	case c.SlackBotToken == "":
		bad("SLACK_BOT_TOKEN is missing (the bot token, xoxb-…, from OAuth & Permissions)")
	case !strings.HasPrefix(c.SlackBotToken, "xoxb-"):
		bad("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
	}
	switch {
	case c.SlackAppToken == "":
		bad("SLACK_APP_TOKEN is missing (an app-level token, xapp-…, with connections:write)")
	case !strings.HasPrefix(c.SlackAppToken, "xapp-"):
		bad("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
	}

	var err error
	if c.SlackAPIURL, err = baseURL(get("SLACK_API_URL"), defaultSlackAPIURL); err != nil {
		bad("SLACK_API_URL %v", err)
	}
	if c.MeetingAPIURL, err = baseURL(get("MEETING_API_URL"), defaultMeetingAPIURL); err != nil {
		bad("MEETING_API_URL %v", err)
	}

	c.MeetingSimulator = boolean(get, bad, "MEETING_SIMULATOR")

	checkMeetingCredentials(c, bad)

	c.MeetingTimeout = duration(get, bad, "MEETING_TIMEOUT", 10*time.Second)
	c.InviteTimeout = duration(get, bad, "INVITE_TIMEOUT", 60*time.Second)
	c.CallStatusFor = -1 // "off": posts do not follow their calls
	if v := get("CALL_STATUS_FOR"); v != "off" && v != "0" {
		c.CallStatusFor = duration(get, bad, "CALL_STATUS_FOR", 90*time.Second)
	}
	c.RingingDMs = onOff(get, bad, "RINGING_DMS", true)
	if v := get("ESCALATE_AFTER"); v != "off" && v != "0" {
		c.EscalateAfter = duration(get, bad, "ESCALATE_AFTER", 0)
	}
	checkEscalation(c, bad)
	c.ShutdownGrace = duration(get, bad, "SHUTDOWN_GRACE", 20*time.Second)
	c.LookupTTL = duration(get, bad, "LOOKUP_CACHE_TTL", 5*time.Minute)
	c.MaxPeople = positiveInt(get, bad, "INVITE_MAX_PEOPLE", 50)
	if c.MaxPeople > slackapp.MaxInvitePeople { // the largest invitation the Slack messages are built to carry
		bad("INVITE_MAX_PEOPLE must be at most %d (got %d)", slackapp.MaxInvitePeople, c.MaxPeople)
	}
	c.MaxGroups = positiveInt(get, bad, "INVITE_MAX_GROUPS", commands.DefaultMaxGroups)
	c.ConfirmAbove = positiveInt(get, bad, "INVITE_CONFIRM_ABOVE", 10)
	c.MaxConcurrent = positiveInt(get, bad, "MAX_CONCURRENT_INVITATIONS", 32)
	c.AllowDirect = boolean(get, bad, "ALLOW_DIRECT_INVITES")
	c.Policy = commands.Policy{
		AllowedUsers:    ids(get, bad, "ALLOWED_USERS", "UW"),
		AllowedGroups:   ids(get, bad, "ALLOWED_GROUPS", "S"),
		AllowedChannels: ids(get, bad, "ALLOWED_CHANNELS", "CGD"),
		DeniedChannels:  ids(get, bad, "DENIED_CHANNELS", "CGD"),
		AllowGuests:     boolean(get, bad, "ALLOW_GUESTS"),
		AllowExternal:   boolean(get, bad, "ALLOW_EXTERNAL"),
	}
	c.CallsPerMinute = positiveInt(get, bad, "CALLS_PER_MINUTE", 30)
	c.MaxFollowed = positiveInt(get, bad, "MAX_FOLLOWED_MEETINGS", 200)
	if v := getenv("BUTTON_SECRET"); v != "" {
		if len(v) < 32 {
			bad("BUTTON_SECRET must be at least 32 characters (or unset: one is made at the first start and kept in the SQLite file)")
		}
		c.ButtonSecret = []byte(v)
	}

	c.StartLength = startLength(get, bad)
	c.StartSubject = get("START_MEETING_SUBJECT")
	if n := utf8.RuneCountInString(c.StartSubject); n > meeting.MaxSubjectLen {
		bad("START_MEETING_SUBJECT must be at most %d characters, Huawei's limit for a subject (got %d)", meeting.MaxSubjectLen, n)
	}

	c.PickerAllMeetings = onOff(get, bad, "PICKER_ALL_MEETINGS", false)

	c.OpsAddr = get("OPS_ADDR")
	if c.OpsAddr != "" && !validListenAddr(c.OpsAddr) {
		bad("OPS_ADDR must be host:port or :port, such as 127.0.0.1:9090 or :9090 (got %q)", c.OpsAddr)
	}
	c.DatabaseURL = get("DATABASE_URL") // may hold a password: never echoed
	if err := checkDatabaseURL(c.DatabaseURL); err != nil {
		bad("DATABASE_URL %v", err)
	}
	if isPostgres(c.DatabaseURL) && getenv("BUTTON_SECRET") == "" {
		bad("BUTTON_SECRET is required with a PostgreSQL DATABASE_URL: set it, the same on every replica (at least 32 characters, such as the output of openssl rand -base64 32), so that a button posted by one replica works on the others and after a restart")
	}
	c.SocketConnections = positiveInt(get, bad, "SOCKET_CONNECTIONS", 2)
	if c.SocketConnections > maxSocketConnections {
		bad("SOCKET_CONNECTIONS must be at most %d, Slack's limit per app (got %d)", maxSocketConnections, c.SocketConnections)
	}
	c.OpenAIKey = get("OPENAI_API_KEY")
	c.OpenAIModel = get("OPENAI_MODEL")
	c.OpenAITimeout = duration(get, bad, "OPENAI_TIMEOUT", 5*time.Second)
	if v := get("OPENAI_BASE_URL"); v != "" {
		if _, err := baseURL(v, ""); err != nil {
			bad("OPENAI_BASE_URL %v", err)
		}
		c.OpenAIBaseURL = strings.TrimSuffix(v, "/")
	}

	c.DefaultLocale = defaultLocale(get, bad)
	c.LogLevel = logLevel(get, bad)

	if len(problems) > 0 {
		return Config{}, &configError{problems: problems}
	}
	return c, nil
}

// defaultLocale reads DEFAULT_LOCALE: a language the bot has a catalogue
// for ("es-ES" reads as "es"), English when unset.
func defaultLocale(get func(string) string, bad func(string, ...any)) string {
	v := get("DEFAULT_LOCALE")
	if v == "" {
		return "en"
	}
	l, ok := slackapp.MatchLocale(v)
	if !ok {
		bad("DEFAULT_LOCALE must be one of %s (got %q)", strings.Join(slackapp.Locales(), ", "), v)
	}
	return l
}

// checkMeetingCredentials reports incomplete Huawei credentials: an App ID
// with its App Key, or an account with its password (none with the simulator).
func checkMeetingCredentials(c Config, bad func(string, ...any)) {
	switch {
	case c.MeetingSimulator:
		// The simulator brings its own credentials.
	case c.MeetingAppID != "" || c.MeetingAppKey != "":
		if c.MeetingAppID == "" {
			bad("MEETING_APP_ID is missing (MEETING_APP_KEY is set)")
		}
		if c.MeetingAppKey == "" {
			bad("MEETING_APP_KEY is missing (MEETING_APP_ID is set)")
		}
	case c.MeetingAccount != "" || c.MeetingPassword != "":
		if c.MeetingAccount == "" {
			bad("MEETING_ACCOUNT is missing (MEETING_PASSWORD is set)")
		}
		if c.MeetingPassword == "" {
			bad("MEETING_PASSWORD is missing (MEETING_ACCOUNT is set)")
		}
	default:
		bad("Huawei Cloud Meeting credentials are missing: set MEETING_APP_ID and MEETING_APP_KEY (App ID authentication), or MEETING_ACCOUNT and MEETING_PASSWORD")
	}
}

// checkEscalation refuses an ESCALATE_AFTER that could never ring a phone:
// escalation happens while a post follows its calls, so within
// CALL_STATUS_FOR.
func checkEscalation(c Config, bad func(string, ...any)) {
	switch {
	case c.EscalateAfter <= 0:
	case c.CallStatusFor < 0:
		bad("ESCALATE_AFTER needs the calls followed, and CALL_STATUS_FOR is off: turn it on, longer than %s, or unset ESCALATE_AFTER", c.EscalateAfter)
	case c.EscalateAfter >= c.CallStatusFor:
		bad("ESCALATE_AFTER (%s) must be shorter than CALL_STATUS_FOR (%s): phones are rung only while the calls are followed", c.EscalateAfter, c.CallStatusFor)
	}
}

func logLevel(get func(string) string, bad func(string, ...any)) slog.Level {
	switch strings.ToLower(get("LOG_LEVEL")) {
	case "", "info":
		return slog.LevelInfo
	case "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	bad("LOG_LEVEL must be debug, info, warn or error")
	return slog.LevelInfo
}

// configError lists every configuration problem, one per line.
type configError struct{ problems []string }

func (e *configError) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.problems, "\n  - ")
}

// withSecretFiles returns a getenv that reads NAME from the file NAME_FILE
// names, for every NAME in secretVars, when NAME_FILE is set. Setting both
// is a problem; so is a file that cannot be read or is empty. One trailing
// line break is dropped (editors and `echo` add it).
func withSecretFiles(getenv func(string) string, readFile func(string) ([]byte, error), bad func(string, ...any)) func(string) string {
	fromFile := map[string]string{}
	for _, name := range secretVars {
		path := strings.TrimSpace(getenv(name + "_FILE"))
		if path == "" {
			continue
		}
		if getenv(name) != "" {
			bad("%s and %s_FILE are both set; set only one", name, name)
			continue
		}
		b, err := readFile(path)
		if err != nil {
			bad("%s_FILE: cannot read %s (%v)", name, path, errors.Unwrap(err))
			continue
		}
		v := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if strings.TrimSpace(v) == "" {
			bad("%s_FILE: %s is empty", name, path)
			continue
		}
		fromFile[name] = v
	}
	return func(name string) string {
		if v, ok := fromFile[name]; ok {
			return v
		}
		return getenv(name)
	}
}

// validListenAddr reports whether addr is host:port with a numeric port, as
// net.Listen takes it.
func validListenAddr(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

var errNotHTTP = errors.New("must be an http:// or https:// URL")

// maxSocketConnections is Slack's limit of Socket Mode connections per app,
// counting every replica's.
const maxSocketConnections = 10

// checkDatabaseURL checks the scheme of a database URL without echoing it
// (it may hold a password).
func checkDatabaseURL(v string) error {
	switch {
	case v == "", v == store.Memory:
		return nil
	case isPostgres(v), strings.HasPrefix(v, "sqlite:"), strings.HasPrefix(v, "file:"):
		return nil
	}
	return errors.New("must start with postgres://, postgresql://, sqlite: or file: (or be unset for meet-invite.db)")
}

// isPostgres reports whether a database URL names PostgreSQL, which
// replicas share.
func isPostgres(v string) bool {
	return strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://")
}

// baseURL checks an API base URL and gives it the trailing slash that
// relative paths need.
func baseURL(v, def string) (string, error) {
	if v == "" {
		return def, nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errNotHTTP
	}
	if !strings.HasSuffix(v, "/") {
		v += "/"
	}
	return v, nil
}

// startLength reads START_MEETING_LENGTH: how long a meeting started from
// Slack is booked for, whole minutes that CreateMeeting accepts
// (meeting.MinMeetingLength to MaxMeetingLength); default an hour.
func startLength(get func(string) string, bad func(string, ...any)) time.Duration {
	const name = "START_MEETING_LENGTH"
	d := duration(get, bad, name, time.Hour)
	if d%time.Minute != 0 || d < meeting.MinMeetingLength*time.Minute || d > meeting.MaxMeetingLength*time.Minute {
		bad("%s must be whole minutes from %dm to %dh, as Huawei books meetings (got %s)", name,
			meeting.MinMeetingLength, meeting.MaxMeetingLength/60, d)
		return time.Hour
	}
	return d
}

func duration(get func(string) string, bad func(string, ...any), name string, def time.Duration) time.Duration {
	v := get(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		bad("%s must be a positive duration such as 30s or 2m", name)
		return def
	}
	return d
}

func positiveInt(get func(string) string, bad func(string, ...any), name string, def int) int {
	v := get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		bad("%s must be a positive whole number", name)
		return def
	}
	return n
}

func boolean(get func(string) string, bad func(string, ...any), name string) bool {
	switch strings.ToLower(get(name)) {
	case "", "0", "false", "no":
		return false
	case "1", "true", "yes":
		return true
	}
	bad("%s must be true or false", name)
	return false
}

// onOff reads a switch: on or off (or true or false), def when unset.
func onOff(get func(string) string, bad func(string, ...any), name string, def bool) bool {
	switch strings.ToLower(get(name)) {
	case "":
		return def
	case "on", "true", "yes", "1":
		return true
	case "off", "false", "no", "0":
		return false
	}
	bad("%s must be on or off", name)
	return def
}

// ids reads a comma-separated list of Slack IDs starting with one of the
// letters in prefixes, such as "U012ABC,U034DEF".
func ids(get func(string) string, bad func(string, ...any), name, prefixes string) []string {
	var out []string
	for _, id := range strings.Split(get(name), ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if !strings.ContainsRune(prefixes, rune(id[0])) || strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			bad("%s must be a comma-separated list of Slack IDs starting with %s (got %q)", name, strings.Join(strings.Split(prefixes, ""), " or "), id)
			continue
		}
		out = append(out, id)
	}
	return out
}
