package bot

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/meet-invite/meet-invite/internal/commands"
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
	ConfirmAbove  int
	MaxConcurrent int
	AllowDirect   bool
	Policy        commands.Policy
	InviteTimeout time.Duration
	CallStatusFor time.Duration // how long the channel post follows the calls
	ShutdownGrace time.Duration
	LookupTTL     time.Duration
	LogLevel      slog.Level
	OpsAddr       string // where /healthz and /metrics are served; "" = nowhere

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

// LoadConfig reads and checks the configuration. It reports every problem at
// once, naming variables but never echoing a secret's value.
func LoadConfig(getenv func(string) string) (Config, error) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
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

	c.MeetingTimeout = duration(get, bad, "MEETING_TIMEOUT", 10*time.Second)
	c.InviteTimeout = duration(get, bad, "INVITE_TIMEOUT", 60*time.Second)
	c.CallStatusFor = duration(get, bad, "CALL_STATUS_FOR", 90*time.Second)
	c.ShutdownGrace = duration(get, bad, "SHUTDOWN_GRACE", 20*time.Second)
	c.LookupTTL = duration(get, bad, "LOOKUP_CACHE_TTL", 5*time.Minute)
	c.MaxPeople = positiveInt(get, bad, "INVITE_MAX_PEOPLE", 50)
	if c.MaxPeople > slackapp.MaxInvitePeople { // the largest invitation the Slack messages are built to carry
		bad("INVITE_MAX_PEOPLE must be at most %d (got %d)", slackapp.MaxInvitePeople, c.MaxPeople)
	}
	c.ConfirmAbove = positiveInt(get, bad, "INVITE_CONFIRM_ABOVE", 10)
	c.MaxConcurrent = positiveInt(get, bad, "MAX_CONCURRENT_INVITATIONS", 32)
	c.AllowDirect = boolean(get, bad, "ALLOW_DIRECT_INVITES")
	c.Policy = commands.Policy{
		AllowedUsers:    ids(get, bad, "ALLOWED_USERS", "UW"),
		AllowedGroups:   ids(get, bad, "ALLOWED_GROUPS", "S"),
		AllowedChannels: ids(get, bad, "ALLOWED_CHANNELS", "CG"),
		DeniedChannels:  ids(get, bad, "DENIED_CHANNELS", "CG"),
		AllowGuests:     boolean(get, bad, "ALLOW_GUESTS"),
	}

	c.OpsAddr = get("OPS_ADDR")
	c.DatabaseURL = getenv("DATABASE_URL") // may hold a password: never echoed
	if err := checkDatabaseURL(c.DatabaseURL); err != nil {
		bad("DATABASE_URL %v", err)
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

	switch lvl := strings.ToLower(get("LOG_LEVEL")); lvl {
	case "", "info":
		c.LogLevel = slog.LevelInfo
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		bad("LOG_LEVEL must be debug, info, warn or error")
	}

	if len(problems) > 0 {
		return Config{}, &configError{problems: problems}
	}
	return c, nil
}

// configError lists every configuration problem, one per line.
type configError struct{ problems []string }

func (e *configError) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.problems, "\n  - ")
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
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"),
		strings.HasPrefix(v, "sqlite:"), strings.HasPrefix(v, "file:"):
		return nil
	}
	return errors.New("must start with postgres://, postgresql://, sqlite: or file: (or be unset for meet-invite.db)")
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
