// Package preflight is `bot check`: it tries, with the bot's real
// configuration, every call the bot depends on, and calls nobody.
//
// Slack: auth.test with the bot token (valid, which team, which bot user),
// the scopes Slack says the token has (its X-OAuth-Scopes answer header)
// against the ones manifest.yml asks for (ManifestScopes; a test keeps the
// two in step), apps.connections.open with the app-level token, and whether
// the Socket Mode host it names can be reached. Huawei Cloud Meeting:
// sign-in and a directory search; with the ID of a running meeting also
// confDetail (is it running, is the host password readable), the control
// token, ListOnlineConfAttendee, the wsToken and a Subscribe on the control
// WebSocket (waiting for the full participant list), then closing it.
//
// Each check gives one Line: Pass or Fail, what was found (never a secret, a
// phone number or a SIP number) and, on failure, what to do. Network failures
// (DNS, refused connections, TLS, proxies, timeouts) are told as such, naming
// the host, rather than as wrong credentials (see NetworkProblem). For each
// assumption in docs/ARCHITECTURE.md that only a real tenant can confirm, an
// Info line says what the tenant answered, or why the check cannot tell.
//
// The package talks to the services through the same clients as the bot
// (slack-go, internal/meeting); cmd/bot's `check` subcommand is a thin
// adapter that builds a Config and prints the Report.
package preflight
