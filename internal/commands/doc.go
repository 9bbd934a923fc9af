// Package commands is the product's own logic, free of Slack and HTTP types:
// Parse reads the text of a /meet-invite command into a Request, and an
// Inviter runs an Invitation to its end — resolving people to meeting
// numbers, phones or emails while the conference is prepared, inviting them
// in one call and reporting on each person.
//
// It owns small interfaces for what it needs from outside: People (chat
// users and groups, implemented by the Slack transport) and Meetings
// (implemented by *meeting.Client). It holds no user-facing text: reasons
// and errors are codes and sentinels that the transport puts into words.
package commands
