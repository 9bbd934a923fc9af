package slackapp

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// People looks Slack users and user groups up through the Web API. It
// implements commands.People. Rate limits are handled by the Slack client
// (slack.OptionRetry honours Retry-After within the call's context).
type People struct {
	api *slack.Client
}

// NewPeople returns People backed by api.
func NewPeople(api *slack.Client) *People { return &People{api: api} }

// Person returns what the inviter needs to know about a user.
func (p *People) Person(ctx context.Context, userID string) (commands.Person, error) {
	u, err := p.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		if slackError(err) == "user_not_found" {
			return commands.Person{}, fmt.Errorf("users.info %s: %w", userID, commands.ErrNoSuchPerson)
		}
		return commands.Person{}, fmt.Errorf("users.info %s: %w", userID, err)
	}
	return commands.Person{
		ID:      u.ID,
		Name:    displayName(u),
		Email:   u.Profile.Email,
		Phone:   u.Profile.Phone,
		Deleted: u.Deleted,
		Bot:     u.IsBot || u.ID == "USLACKBOT",
		Guest:   u.IsRestricted || u.IsUltraRestricted,
	}, nil
}

// GroupMembers returns the user IDs in a user group.
func (p *People) GroupMembers(ctx context.Context, groupID string) ([]string, error) {
	ids, err := p.api.GetUserGroupMembersContext(ctx, groupID)
	if err != nil {
		if slackError(err) == "no_such_subteam" {
			return nil, fmt.Errorf("usergroups.users.list %s: %w", groupID, commands.ErrNoSuchGroup)
		}
		return nil, fmt.Errorf("usergroups.users.list %s: %w", groupID, err)
	}
	return ids, nil
}

func displayName(u *slack.User) string {
	switch {
	case u.Profile.DisplayName != "":
		return u.Profile.DisplayName
	case u.Profile.RealName != "":
		return u.Profile.RealName
	case u.RealName != "":
		return u.RealName
	}
	return u.Name
}

// slackError returns the "error" of a {"ok":false} answer, or "".
func slackError(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}
