package meeting

import (
	"context"
	"fmt"
)

// The tests call single endpoints the client itself uses only inside
// Prepare and Invite.

// ControlToken obtains a control token for a running conference with its host
// password. It is one attempt, never retried: wrong passwords lock control login.
// It does not use or fill the client's cache (Prepare does).
func (c *Client) ControlToken(ctx context.Context, conferenceID, hostPassword string) (*ControlToken, error) {
	ct, err := c.controlToken(ctx, conferenceID, hostPassword)
	if err != nil {
		return nil, fmt.Errorf("conference %s control token: %w", conferenceID, err)
	}
	return ct, nil
}

// InviteParticipants asks Huawei to call the attendees into a running conference,
// using a control token from ControlToken. It validates the attendees first and is
// never retried. A nil error means the request was accepted, not that anyone answered.
func (c *Client) InviteParticipants(ctx context.Context, controlToken string, in InviteRequest) error {
	if _, err := c.inviteParticipants(ctx, controlToken, in); err != nil {
		return fmt.Errorf("invite to conference %s: %w", in.ConferenceID, err)
	}
	return nil
}
