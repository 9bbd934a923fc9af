package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// Shell is the sandbox prompt: you type as a Slack user in a channel, and
// it shows what the bot answers and whom the meeting service calls.
type Shell struct {
	w       *World
	out     io.Writer
	mu      sync.Mutex // serialises writes to out
	gate    sync.Mutex // held while a command waits for its ack, so output stays in order
	user    string     // acting Slack user ID
	channel string     // current channel ID
	prompt  bool       // interactive: print a prompt
	buttons []button   // buttons shown so far, for /click; guarded by mu
}

// button is a button the bot showed, for /click.
type button struct {
	label, actionID, channel, ts string
	url                          string // a link button: Slack opens it
}

// NewShell returns a shell over w writing to out. With interactive set it
// prints a prompt and a welcome; otherwise it is quiet but for the results,
// for scripts and CI.
func NewShell(w *World, out io.Writer, interactive bool) *Shell {
	return &Shell{w: w, out: out, user: "UCAROL", channel: "CGENERAL", prompt: interactive}
}

// Run reads commands from in, one per line, until /quit, the end of input
// or ctx ends. It waits for the outcome of each command before reading the
// next, so a script's output is in order.
func (s *Shell) Run(ctx context.Context, in io.Reader) error {
	rendered, stop := s.render()
	defer stop()

	if s.prompt {
		s.printf("%s\n", welcome)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		s.showPrompt()
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case line, ok = <-lines:
		}
		if !ok {
			return nil
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		if !s.prompt {
			s.printf("%s %s\n", s.promptText(), line)
		}
		quit, err := s.do(ctx, line, lines, rendered)
		if err != nil {
			s.printf("! %v\n", err)
		}
		if quit {
			return nil
		}
	}
}

// render prints what the simulated Slack and meeting service show as it
// happens, and ticks rendered after each Slack message. stop ends it.
func (s *Shell) render() (rendered <-chan struct{}, stop func()) {
	msgs, unsubscribe := s.w.Slack.Subscribe()
	s.w.Meeting.OnInvite(func(inv meetingfake.Invitation) {
		s.gate.Lock()
		defer s.gate.Unlock()
		s.printInvitation(inv)
	})
	ticks := make(chan struct{}, 64)
	var wg sync.WaitGroup
	wg.Go(func() {
		for m := range msgs {
			s.gate.Lock()
			s.printMessage(m)
			s.gate.Unlock()
			select {
			case ticks <- struct{}{}:
			default:
			}
		}
	})
	return ticks, func() { unsubscribe(); wg.Wait() }
}

const welcome = `meet-invite sandbox: a simulated Slack workspace and Huawei Cloud Meeting, on this machine only.
You are @carol in #general. Try:
  /meet-invite 914083136 @alice @bob          invite two people to the running "Weekly sync"
  /meet-invite 914083136 @eng @gina @erin     a user group, someone with no contact details, a deactivated user
  /meet-invite 986030665 @alice               a meeting that has not started (then /start 986030665)
  /join @bob 914083136, then /meet-invite 914083136 @alice @bob
                                              Bob dialled in on his own: he is not called again
  /meet-invite now @alice @bob                start a meeting, with you as host, and call them in
  /meet-invite                                the form: answer each field, Enter keeps the value shown;
                                              the meeting is picked from the running ones as you type
  /meet-invite whoami                         how the bot would reach you (try /as frank first)
  /locale es, /locale zh-CN, /locale en       your Slack language: what only you see follows it;
                                              channel posts stay in DEFAULT_LOCALE
Sandbox commands: /users  /meetings  /who ID  /as USER [LOCALE]  /locale LOCALE  /in CHANNEL
                  /start ID  /end ID
                  /join USER ID  /leave USER ID  (someone joins or leaves a meeting on their own;
                                                  /leave while they ring: they decline the call)
                  /shortcut (global shortcut)  /thread (invite the people of a thread)
                  /click BUTTON (e.g. /click Try again)  /home (your Home tab)  /help  /quit
Calls are answered after 10 seconds, and the channel post then shows who joined; /who shows who is in a
meeting and who is still ringing. Whoever is called gets a direct message: /as alice, then
/click Joining in 5 min (or Can't make it, or Call my phone instead) answers it, on the post and to @carol.
Alice is rung in her app; after 5 seconds without an answer her phone rings too (ESCALATE_AFTER).`

// do runs one line. quit is true for /quit.
func (s *Shell) do(ctx context.Context, line string, lines <-chan string, rendered <-chan struct{}) (quit bool, err error) {
	cmd, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch cmd {
	case "/quit", "/exit":
		return true, nil
	case "/help":
		s.printf("%s\n", welcome)
	case "/users":
		s.listUsers()
	case "/meetings":
		s.listMeetings()
	case "/as":
		name, locale, _ := strings.Cut(rest, " ")
		u, ok := s.findUser(strings.TrimPrefix(name, "@"))
		if !ok {
			return false, fmt.Errorf("no user %q; /users lists them", name)
		}
		s.user = u.ID
		s.printf("You are now @%s.\n", u.Name)
		if locale = strings.TrimSpace(locale); locale != "" {
			s.setLocale(u, locale)
		}
	case "/locale":
		if rest == "" {
			return false, errors.New("usage: /locale LOCALE, a Slack locale such as es-ES, zh-CN or en-US")
		}
		u, _ := s.findUser(s.user)
		s.setLocale(u, rest)
	case "/in":
		c, ok := s.findChannel(strings.TrimPrefix(rest, "#"))
		if !ok {
			return false, fmt.Errorf("no channel %q; channels: %s", rest, s.channelNames())
		}
		s.channel = c.ID
		s.printf("You are now in #%s.\n", c.Name)
	case "/who":
		return false, s.who(rest)
	case "/join", "/leave":
		return false, s.joinOrLeave(cmd == "/join", rest)
	case "/start", "/end":
		state := meetingfake.StateCreated
		if cmd == "/end" {
			state = meetingfake.StateDestroyed
		}
		if !s.meetingKnown(rest) {
			return false, fmt.Errorf("no meeting %q; /meetings lists them", rest)
		}
		s.w.Meeting.SetState(rest, state)
		s.printf("[meeting %s is now %s]\n", rest, stateName(state))
	case "/meet-invite":
		return false, s.slashCommand(ctx, rest, lines, rendered)
	case "/shortcut":
		return false, s.shortcut(ctx, lines, rendered)
	case "/thread":
		return false, s.threadShortcut(ctx, lines, rendered)
	case "/click":
		return false, s.click(ctx, rest, rendered)
	case "/home":
		return false, s.home(ctx)
	default:
		return false, fmt.Errorf("unknown command %q; /help lists them", cmd)
	}
	return false, nil
}

// slashCommand sends what Slack would send for the typed text, shows the
// acknowledgement, and waits for the bot's messages.
func (s *Shell) slashCommand(ctx context.Context, text string, lines <-chan string, rendered <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// Hold the bot's messages back until its ack is shown: Slack shows
	// the ack first too.
	views := len(s.w.Slack.Views())
	s.gate.Lock()
	_, ack, err := s.w.Slack.SlashCommand(ctx, slackfake.Command{UserID: s.user, ChannelID: s.channel, Text: s.escape(text)})
	if err != nil {
		s.gate.Unlock()
		return fmt.Errorf("slash command: %w", err)
	}
	var p struct {
		Text string `json:"text"`
	}
	if ack.Payload != nil && json.Unmarshal(ack.Payload, &p) == nil && p.Text != "" {
		s.printf("%s\n", s.box("only you can see this · acknowledged in "+ackLatency(ack.Latency), p.Text))
	}
	s.gate.Unlock()
	if ack.Payload == nil { // an empty ack: the bot opens a form
		return s.formIfOpened(ctx, views, lines, rendered)
	}
	// The bot acknowledges at once and reports later when its ack says it
	// is at work: a sentence ending in "…", in any language.
	return s.awaitOutcome(ctx, rendered, working.MatchString(p.Text))
}

// working finds a sentence of an ack that promises more ("Inviting 2
// people to meeting 914083136…"), not the "[@person …]" of the usage.
var working = regexp.MustCompile(`\S…(\s|$)`)

// setLocale changes u's Slack language, as Slack's preferences would:
// users.info gives it from now on.
func (s *Shell) setLocale(u slackfake.User, locale string) {
	u.Locale = locale
	s.w.Slack.AddUser(u)
	s.printf("@%s's Slack language is now %s. (The bot asks Slack again once it forgets: after LOOKUP_CACHE_TTL, %s in the sandbox unless set.)\n",
		u.Name, locale, lookupTTL)
}

// formIfOpened fills in the form when the bot opened one since there were
// `before` views.
func (s *Shell) formIfOpened(ctx context.Context, before int, lines <-chan string, rendered <-chan struct{}) error {
	wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	views, err := s.w.Slack.WaitViews(wctx, before+1)
	if err != nil {
		return errors.New("the bot did not open the form within 3 s")
	}
	err = s.fillForm(ctx, views[len(views)-1], lines, rendered)
	if errors.Is(err, errCancelled) {
		return nil
	}
	return err
}

// shortcut uses the global shortcut "Invite to a meeting".
func (s *Shell) shortcut(ctx context.Context, lines <-chan string, rendered <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	views := len(s.w.Slack.Views())
	if _, _, err := s.w.Slack.GlobalShortcut(ctx, s.user, "meet_invite_global"); err != nil {
		return fmt.Errorf("shortcut: %w", err)
	}
	return s.formIfOpened(ctx, views, lines, rendered)
}

// threadShortcut shows the seeded thread in #general and uses the message
// shortcut "Invite thread to meeting" on it.
func (s *Shell) threadShortcut(ctx context.Context, lines <-chan string, rendered <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var b strings.Builder
	for _, m := range thread {
		b.WriteString(s.userName(m.User) + ": " + m.Text + "\n")
	}
	s.printf("%s\n", s.box("thread in "+s.channelName(threadChannel), b.String()))
	views := len(s.w.Slack.Views())
	if _, _, err := s.w.Slack.MessageShortcut(ctx, s.user, threadChannel, "meet_invite_thread", threadTS); err != nil {
		return fmt.Errorf("message shortcut: %w", err)
	}
	return s.formIfOpened(ctx, views, lines, rendered)
}

// click presses the newest button with that label or action ID.
func (s *Shell) click(ctx context.Context, which string, rendered <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s.mu.Lock()
	var found *button
	for i := len(s.buttons) - 1; i >= 0; i-- {
		b := s.buttons[i]
		if strings.EqualFold(b.label, which) || b.actionID == which {
			found = &b
			break
		}
	}
	s.mu.Unlock()
	if found == nil {
		return fmt.Errorf("no button %q on screen", which)
	}
	_, _, err := s.w.Slack.ClickButton(ctx, slackfake.Click{
		UserID: s.user, ChannelID: found.channel, ActionID: found.actionID, MessageTS: found.ts,
	})
	if err != nil {
		return fmt.Errorf("click %q: %w", which, err)
	}
	if found.url != "" {
		s.printf("[Slack opens %s]\n", found.url)
		return s.awaitOutcome(ctx, rendered, false)
	}
	return s.awaitOutcome(ctx, rendered, true)
}

var (
	atRe   = regexp.MustCompile(`(^|\s)@([a-z0-9._-]+)`)
	hashRe = regexp.MustCompile(`(^|\s)#([a-z0-9._-]+)`)
)

// escape turns @name, @group and #channel into the escaped forms Slack
// sends with should_escape. Unknown names stay as typed, as in Slack.
func (s *Shell) escape(text string) string {
	text = atRe.ReplaceAllStringFunc(text, func(m string) string {
		lead, name := splitLead(m, "@")
		if u, ok := s.findUser(name); ok {
			return lead + "<@" + u.ID + "|" + u.Name + ">"
		}
		for _, g := range s.w.Slack.Groups() {
			if strings.EqualFold(g.Handle, name) {
				return lead + "<!subteam^" + g.ID + "|@" + g.Handle + ">"
			}
		}
		return m
	})
	return hashRe.ReplaceAllStringFunc(text, func(m string) string {
		lead, name := splitLead(m, "#")
		if c, ok := s.findChannel(name); ok {
			return lead + "<#" + c.ID + "|" + c.Name + ">"
		}
		return m
	})
}

func splitLead(m, sigil string) (lead, name string) {
	i := strings.Index(m, sigil)
	return m[:i], m[i+1:]
}

var (
	userMention  = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|[^>]*)?>`)
	groupMention = regexp.MustCompile(`<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>`)
	dateToken    = regexp.MustCompile(`<!date\^[0-9]+\^[^|>]*\|([^>]*)>`) // shown as its fallback
)

// plain renders Slack mrkdwn for the terminal: mentions become names,
// dates their fallback text.
func (s *Shell) plain(text string) string {
	text = dateToken.ReplaceAllString(text, "$1")
	text = userMention.ReplaceAllStringFunc(text, func(m string) string {
		id := userMention.FindStringSubmatch(m)[1]
		for _, u := range s.w.Slack.Users() {
			if u.ID == id {
				return "@" + u.Name
			}
		}
		return "@" + id
	})
	text = groupMention.ReplaceAllStringFunc(text, func(m string) string {
		id := groupMention.FindStringSubmatch(m)[1]
		for _, g := range s.w.Slack.Groups() {
			if g.ID == id {
				return "@" + g.Handle
			}
		}
		return "@" + id
	})
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", ":telephone_receiver:", "📞",
		":white_check_mark:", "✅", ":x:", "❌", ":bell:", "🔔", ":email:", "📧", ":checkered_flag:", "🏁", ":iphone:", "📱", ":key:", "🔑").Replace(text)
}

func (s *Shell) printMessage(m slackfake.Message) {
	var where string
	switch {
	case m.Kind == "ephemeral" || (m.Kind == "response" && m.ResponseType != "in_channel"):
		where = "only " + s.userName(m.User) + " can see this"
	case m.Kind == "response":
		where = s.channelName(m.Channel) + " · posted through the command's response_url"
	case strings.HasPrefix(m.Channel, "D"):
		where = "direct message to " + s.userName(m.User)
	default:
		where = s.channelName(m.Channel)
	}
	switch {
	case m.Kind == "update":
		where += " · the post above, updated"
	case m.ReplaceOriginal:
		where += " · the message pressed, replaced"
	}
	body := renderBlocks(m.Blocks, s.w.Slack.SlackCalls())
	if body == "" {
		body = m.Text
	}
	s.mu.Lock()
	for _, b := range buttonsIn(m.Blocks) {
		b.channel, b.ts = m.Channel, m.TS
		s.buttons = append(s.buttons, b)
	}
	s.mu.Unlock()
	s.printf("%s\n", s.box(where+" · meet-invite", s.plain(body)))
}

func (s *Shell) printInvitation(inv meetingfake.Invitation) {
	var lines []string
	for _, a := range inv.Attendees {
		lines = append(lines, "  ☎ "+a.Name+": "+how(a))
	}
	s.printf("[Huawei Cloud Meeting %s: calling %d]\n%s\n", inv.ConferenceID, len(inv.Attendees), strings.Join(lines, "\n"))
}

// how says how the simulated service reaches an attendee, numbers masked.
func how(a meetingfake.Attendee) string {
	switch {
	case a.Type == "mobile":
		return "mobile phone " + ending(a.Phone)
	case a.Phone != "":
		return "Huawei Cloud Meeting app (number " + ending(a.Phone) + ")"
	case a.Email != "":
		return "email " + a.Email + " (no call: nothing to ring)"
	}
	return "?"
}

// ending names a number by its last digits, as the bot does: a row of
// bullets is spelt out by screen readers.
func ending(number string) string {
	if d := commands.PhoneEnding(number); d != "" {
		return "ending in " + d
	}
	return "(hidden)"
}

// box frames a message under a heading line.
func (s *Shell) box(heading, body string) string {
	var b strings.Builder
	b.WriteString("┌─ " + heading + "\n")
	for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		b.WriteString("│ " + l + "\n")
	}
	b.WriteString("└─")
	return b.String()
}

func (s *Shell) listUsers() {
	dir := map[string]bool{}
	for _, d := range directory {
		dir[strings.ToLower(d.Email)] = true
	}
	var lines []string
	for _, u := range s.w.Slack.Users() {
		var facts []string
		if u.Email != "" {
			f := "email"
			if dir[strings.ToLower(u.Email)] {
				f += ", in the meeting directory"
			}
			facts = append(facts, f)
		}
		if u.Phone != "" {
			facts = append(facts, "phone "+u.Phone)
		}
		if u.Locale != "" {
			facts = append(facts, "Slack language "+u.Locale)
		}
		switch {
		case u.Deleted:
			facts = append(facts, "deactivated")
		case u.IsBot:
			facts = append(facts, "bot")
		case len(facts) == 0:
			facts = append(facts, "no contact details")
		}
		lines = append(lines, fmt.Sprintf("  @%-10s %-12s %s", u.Name, u.RealName, strings.Join(facts, "; ")))
	}
	for _, g := range s.w.Slack.Groups() {
		var names []string
		for _, id := range g.Members {
			names = append(names, s.userName(id))
		}
		lines = append(lines, fmt.Sprintf("  @%-10s user group: %s", g.Handle, strings.Join(names, ", ")))
	}
	sort.Strings(lines)
	s.printf("%s\n", strings.Join(lines, "\n"))
}

// listMeetings lists the seeded meetings and those started from Slack.
func (s *Shell) listMeetings() {
	var lines []string
	for _, c := range s.w.Meeting.Conferences() {
		calls := 0
		for _, inv := range s.w.Meeting.Invitations(c.ID) {
			calls += len(inv.Attendees)
		}
		state := stateName(c.State)
		if c.MaxParticipants > 0 {
			state += fmt.Sprintf(", at most %d people", c.MaxParticipants)
		}
		lines = append(lines, fmt.Sprintf("  %s  %-14s %-30s called so far: %d", c.ID, c.Subject, state, calls))
	}
	s.printf("%s\n  (change a meeting with /start ID or /end ID)\n", strings.Join(lines, "\n"))
}

// who lists the people online in a meeting, numbers masked.
func (s *Shell) who(id string) error {
	if !s.meetingKnown(id) {
		return fmt.Errorf("no meeting %q; /meetings lists them", id)
	}
	ps := s.w.Meeting.Participants(id)
	if len(ps) == 0 {
		s.printf("  nobody is in meeting %s\n", id)
		return nil
	}
	var lines []string
	for _, p := range ps {
		state := "in the meeting"
		if p.State == meetingfake.ParticipantBeingCalled {
			state = "being called"
		}
		if p.Role == 1 {
			state += ", host"
		}
		lines = append(lines, fmt.Sprintf("  %-14s %-20s %s", p.Name, ending(p.Number), state))
	}
	s.printf("%s\n", strings.Join(lines, "\n"))
	return nil
}

// home opens the acting user's Home tab, and shows it once the bot has
// drawn it.
func (s *Shell) home(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	before, _ := s.w.Slack.Home(s.user)
	if _, err := s.w.Slack.OpenHome(ctx, s.user, "home"); err != nil {
		return err
	}
	h, err := s.w.Slack.WaitHome(ctx, s.user, before.Publishes+1)
	if err != nil {
		return fmt.Errorf("the bot did not draw the Home tab: %w", err)
	}
	var view struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(h.JSON, &view); err != nil {
		return err
	}
	s.printf("%s\n", s.box("Home tab of "+s.userName(s.user)+" · meet-invite", s.plain(renderBlocks(view.Blocks, nil))))
	return nil
}

// meetingKnown reports whether the simulated service has meeting id,
// seeded or started from Slack.
func (s *Shell) meetingKnown(id string) bool {
	for _, c := range s.w.Meeting.Conferences() {
		if c.ID == id {
			return true
		}
	}
	return false
}

// joinOrLeave makes a user join a meeting on their own (from the meeting
// app when the directory knows them, else by phone), or leave it.
func (s *Shell) joinOrLeave(join bool, rest string) error {
	name, id, _ := strings.Cut(rest, " ")
	id = strings.TrimSpace(id)
	u, ok := s.findUser(strings.TrimPrefix(name, "@"))
	if !ok {
		return fmt.Errorf("no user %q; usage: /join USER MEETING_ID", name)
	}
	if !s.meetingKnown(id) {
		return fmt.Errorf("no meeting %q; /meetings lists them", id)
	}
	number, how := joinNumber(u)
	if number == "" {
		return fmt.Errorf("@%s has no meeting number or phone with a country code, so cannot join by themselves here", u.Name)
	}
	if !join {
		for _, p := range s.w.Meeting.Participants(id) {
			if p.Number == number {
				s.w.Meeting.Leave(id, p.PID)
				if p.State == meetingfake.ParticipantBeingCalled {
					s.printf("[@%s declined the call into meeting %s]\n", u.Name, id)
				} else {
					s.printf("[@%s left meeting %s]\n", u.Name, id)
				}
				return nil
			}
		}
		return fmt.Errorf("@%s is not in meeting %s", u.Name, id)
	}
	if s.w.Meeting.Join(id, meetingfake.Participant{Name: u.RealName, Number: number}) == "" {
		return fmt.Errorf("could not join meeting %s", id)
	}
	s.printf("[@%s joined meeting %s on their own, %s]\n", u.Name, id, how)
	return nil
}

// joinNumber is the number someone joins with on their own: their meeting
// number from the directory, else their profile phone.
func joinNumber(u slackfake.User) (number, how string) {
	for _, d := range directory {
		if u.Email != "" && strings.EqualFold(d.Email, u.Email) && d.Number != "" {
			return d.Number, "from the meeting app"
		}
	}
	if n, ok := commands.NormalizePhone(u.Phone); ok {
		return n, "by phone"
	}
	return "", ""
}

func (s *Shell) findUser(name string) (slackfake.User, bool) {
	for _, u := range s.w.Slack.Users() {
		if strings.EqualFold(u.Name, name) || u.ID == name {
			return u, true
		}
	}
	return slackfake.User{}, false
}

func (s *Shell) findChannel(name string) (slackfake.Channel, bool) {
	for _, c := range s.w.Slack.Channels() {
		if strings.EqualFold(c.Name, name) || c.ID == name {
			return c, true
		}
	}
	return slackfake.Channel{}, false
}

func (s *Shell) userName(id string) string {
	for _, u := range s.w.Slack.Users() {
		if u.ID == id {
			return "@" + u.Name
		}
	}
	return id
}

func (s *Shell) channelName(id string) string {
	for _, c := range s.w.Slack.Channels() {
		if c.ID == id {
			return "#" + c.Name
		}
	}
	return id
}

func (s *Shell) channelNames() string {
	var names []string
	for _, c := range s.w.Slack.Channels() {
		if !c.IsIM {
			names = append(names, "#"+c.Name)
		}
	}
	return strings.Join(names, ", ")
}

func (s *Shell) promptText() string {
	return s.userName(s.user) + " in " + s.channelName(s.channel) + ">"
}

func (s *Shell) showPrompt() {
	if s.prompt {
		s.printf("%s ", s.promptText())
	}
}

func (s *Shell) printf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.out, format, args...)
}

// ackLatency shows an acknowledgement's latency in whole milliseconds.
func ackLatency(d time.Duration) string {
	if d < time.Millisecond {
		return "under 1ms"
	}
	return d.Round(time.Millisecond).String()
}

func stateName(state string) string {
	switch state {
	case meetingfake.StateCreated:
		return "running"
	case meetingfake.StateSchedule:
		return "not started"
	case meetingfake.StateDestroyed:
		return "ended"
	}
	return state
}
