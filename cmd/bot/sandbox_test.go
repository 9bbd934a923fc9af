package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSandboxScript runs the sandbox as a newcomer would with a script on
// standard input, and checks what it shows: the channel post, the calls the
// simulated meeting makes, a skipped person with the reason, a mapped
// error, and recovery once the meeting starts.
func TestSandboxScript(t *testing.T) {
	t.Parallel()
	script := strings.Join([]string{
		"/meet-invite 914083136 @alice @bob",
		"/meet-invite 914083136 @gina",
		"/meet-invite now",
		"/meet-invite 986030665 @alice",
		"/start 986030665",
		"/meet-invite 986030665 @alice",
		"/as bob",
		"/in project-x",
		"/meet-invite 914083136 @dave",
		"/meet-invite 914083136 @carol @alice",
		"/who 914083136",
		"/meet-invite bogus",
		"/quit",
		"/meet-invite 914083136 @alice", // after /quit: never sent
	}, "\n")
	got, errOut := runSandboxScript(t, script)

	for _, want := range []string{
		"@carol in #general> /meet-invite 914083136 @alice @bob",
		"Inviting 2 people to meeting 914083136…",
		"☎ Alice: Huawei Cloud Meeting app (number ending in 0249)",
		"☎ Bob Smith: mobile phone ending in 0000",
		"┌─ #general · meet-invite",
		"@carol invited 2 people to *Weekly sync* (meeting 914083136). Calling now: @alice, @bob.",
		"┌─ only @carol can see this",
		"@gina — their Slack profile has no email or phone number",
		"Starting a meeting…",
		"🔑 You started *Meeting in #general* (meeting ",
		"📞 @carol started *Meeting in #general* (meeting ",
		"Meeting 986030665 hasn't started yet, or has already ended.",
		"[meeting 986030665 is now running]",
		"@carol invited 1 person to *Design review* (meeting 986030665)",
		"@bob in #project-x> /meet-invite 914083136 @dave",
		"#project-x · posted through the command's response_url",
		"@bob invited 1 person to *Weekly sync*",
		"@carol — they're already in the meeting.",
		"Carol Chen     ending in 0001       in the meeting, host",
		"I don't understand `bogus`.",
	} {
		assert.Contains(t, got, want)
	}
	// Alice is still ringing from the first command, or has just answered.
	assert.Regexp(t, `@alice — (they were called into this meeting moments ago, so I didn't call them again|they're already in the meeting)\.`, got)
	assert.Equal(t, 0, strings.Count(got, "/meet-invite 914083136 @alice\n"), "nothing runs after /quit")
	assert.Less(t, strings.Index(got, "Inviting 2 people to meeting 914083136…\n└─\n┌─ only @bob"), strings.Index(got, "already in the meeting"), "the ack is shown before the outcome")
	assert.NotContains(t, got, "+8613800000001", "no clear-text phone numbers")
	assert.NotContains(t, got, "+442079460000")
	assert.Empty(t, errOut, "logs stay out of the way unless -v")
}

// TestSandboxFormAndButtons fills in the modal at the prompt, gets a field
// rejected and corrected, and presses a button.
func TestSandboxFormAndButtons(t *testing.T) {
	t.Parallel()
	script := strings.Join([]string{
		"/meet-invite",
		"weekly",     // the picker searches the running meetings
		"1",          // and Weekly sync is chosen
		"",           // people: nobody, rejected
		"",           // host: no
		"",           // password: none
		"@bob @gina", // people again
		"/meet-invite 986030665 @alice",
		"/start 986030665",
		"/click Try again",
		"/meet-invite 914083136",
		"/cancel",
		"/thread",
		"955555555", // instead of the meeting the thread names; the thread's people are already chosen
		"",          // the number as typed
		"", "", "",  // people, host, password: as they are
		"/meet-invite", // the picker starts a meeting
		"",             // everything it offers
		"1",            // Start a meeting now
		"@alice", "", "",
	}, "\n") + "\n"
	got, _ := runSandboxScript(t, script)
	for _, want := range []string{
		"┌─ form: Invite to a meeting",
		"│ Meeting (type to search: a number, a link or words; Enter lists all): weekly",
		"│    1) Weekly sync · 914083136 — Fake Scheduler",
		"│ ✗ Choose at least one person to invite.",
		"└─ submitted",
		"☎ Bob Smith: mobile phone ending in 0000",
		"@carol invited 1 person to *Weekly sync* (meeting 914083136). Calling now: @bob.",
		"@gina — their Slack profile has no email or phone number",
		"[ Try again ]",
		"@carol invited 1 person to *Design review* (meeting 986030665)",
		"│ Meeting (type to search, or Enter to keep) [914083136]: /cancel",
		"└─ form closed",
		"┌─ thread in #general",
		"│ Meeting (type to search, or Enter to keep) [914083136]: 955555555",
		"│    1) Meeting 955555555",
		"│ People to invite [@alice @bob @dave] (optional): ",
		"Meeting 955555555 is full; it has reached its participant limit.",
		"│    1) Start a meeting now — A new meeting, with you as its host",
		"🔑 You started *Meeting in #general*",
		"[ Join as host ]",
		"@carol started *Meeting in #general* (meeting ",
		") and invited 1 person. Calling now: @carol, @alice.",
	} {
		assert.Contains(t, got, want)
	}
}

// TestSandboxAnswersAndEscalation answers a call from its direct message,
// presses someone else's answer, and sees a phone rung after the app (the
// sandbox escalates after 5 s; here after 100 ms).
func TestSandboxAnswersAndEscalation(t *testing.T) {
	t.Parallel()
	script := strings.Join([]string{
		"/meet-invite 914083136 @alice @bob",
		"/as bob",
		"/click Can't make it",
		"/click Can't make it",
		"/as carol",
		"/click Joining in 5 min",
		"/who 914083136",
	}, "\n")
	got, _ := runSandboxScriptEnv(t, script, map[string]string{"ESCALATE_AFTER": "100ms"})
	for _, want := range []string{
		"┌─ direct message to @alice · meet-invite\n│ 📞 @carol is calling you into *Weekly sync* (meeting 914083136).\n" +
			"│ [ Join the meeting ]  [ Joining in 5 min ]  [ Can't make it ]  [ Call my phone instead ]",
		"┌─ direct message to @bob · meet-invite",
		"☎ Alice: mobile phone ending in 0001",
		"│ @bob can't make it to *Weekly sync* (meeting 914083136).",
		"✅ You said you can't make it. I've told @carol.",
		"│ You've already answered this call.",
		"│ This call isn't yours to answer, so I didn't record anything.",
	} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, "+8613800000001", "no clear-text phone numbers")
}

// runSandboxScript runs the sandbox on a script and returns what it printed
// on standard output and standard error.
func runSandboxScript(t *testing.T, script string) (stdout, stderr string) {
	t.Helper()
	return runSandboxScriptEnv(t, script, nil)
}

// runSandboxScriptEnv is runSandboxScript with variables set in the
// environment.
func runSandboxScriptEnv(t *testing.T, script string, env map[string]string) (stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"sandbox"}, func(k string) string { return env[k] }, strings.NewReader(script), &out, &errOut)
	require.NoError(t, err, "stderr: %s", errOut.String())
	return out.String(), errOut.String()
}

// TestSandboxLocale switches users' Slack languages: what only they see
// follows, while the channel's post stays in DEFAULT_LOCALE (English).
func TestSandboxLocale(t *testing.T) {
	t.Parallel()
	script := strings.Join([]string{
		"/as bob es-ES",
		"/meet-invite 914083136 @alice @gina",
		"/as frank",
		"/locale zh-CN",
		"/meet-invite whoami",
		"/users",
		"/quit",
	}, "\n")
	got, _ := runSandboxScript(t, script)
	for _, want := range []string{
		"@bob's Slack language is now es-ES.",
		"Inviting 2 people to meeting 914083136…", // an ack never waits for Slack: Bob's first is in DEFAULT_LOCALE
		"@bob invited 1 person to *Weekly sync* (meeting 914083136).",
		"@gina — su perfil de Slack no tiene correo ni teléfono",
		"@frank's Slack language is now zh-CN.",
		"Checking how I would reach you…",
		"我联系不到你：你的 Slack 个人资料中的电话号码没有国家代码。",
		"Slack language zh-CN",
	} {
		assert.Contains(t, got, want)
	}
}
