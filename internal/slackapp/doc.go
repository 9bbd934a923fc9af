// Package slackapp is the Slack side of meet-invite: Socket Mode wiring and
// routing (routes.go), acknowledging every envelope at once, running the
// invitation in the background, and turning its report into Slack messages
// (render.go) delivered with fallbacks (deliver.go). All user-facing text is
// in messages.go.
//
// It is the only package that imports slack-go. The invitation itself is
// commands' business; this package only translates between Slack and it.
package slackapp
