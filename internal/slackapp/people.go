package slackapp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/expiring"
	"github.com/meet-invite/meet-invite/internal/flight"
)

// People looks Slack users and user groups up through the Web API. It
// implements commands.People. Rate limits are handled by the Slack client
// (slack.OptionRetry honours Retry-After within the call's context).
type People struct {
	api *slack.Client

	persons *expiring.Map[string, commands.Person] // users.info's answers, remembered
	lookups flight.Group[string, commands.Person]  // users.info calls under way, shared

	selfOnce sync.Once
	self     string // the bot's own user ID, left out of channel members
}

// NewPeople returns People backed by api. It remembers each user it looks
// up for ttl (LOOKUP_CACHE_TTL), so that whoever asks about them (the
// access rules, the inviter, the language of their messages) shares one
// users.info call; 0 remembers nobody.
func NewPeople(api *slack.Client, ttl time.Duration) *People {
	p := &People{api: api}
	if ttl > 0 {
		p.persons = expiring.New[string, commands.Person](ttl, maxEntries, nil)
	}
	return p
}

// Prune drops the people remembered longer than their time; call it on a
// timer.
func (p *People) Prune() {
	if p.persons != nil {
		p.persons.Prune()
	}
}

// Sizes reports how many people are remembered, for metrics.
func (p *People) Sizes() map[string]int {
	n := 0
	if p.persons != nil {
		n = p.persons.Len()
	}
	return map[string]int{"slack_people": n}
}

// Person returns what the bot needs to know about a user: how to reach
// them, who they are, their language.
func (p *People) Person(ctx context.Context, userID string) (commands.Person, error) {
	if p.persons == nil {
		return p.person(ctx, userID)
	}
	if v, ok := p.persons.Get(userID); ok {
		return v, nil
	}
	return p.lookups.Do(ctx, userID, func(ctx context.Context) (commands.Person, error) {
		v, err := p.person(ctx, userID)
		if err == nil {
			p.persons.Set(userID, v)
		}
		return v, err
	})
}

func (p *People) person(ctx context.Context, userID string) (commands.Person, error) {
	u, err := p.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		if slackError(err) == "user_not_found" {
			return commands.Person{}, fmt.Errorf("users.info %s: %w", userID, commands.ErrNoSuchPerson)
		}
		return commands.Person{}, fmt.Errorf("users.info %s: %w", userID, err)
	}
	return commands.Person{
		ID:       u.ID,
		Name:     displayName(u),
		RealName: cmp.Or(u.Profile.RealName, u.RealName),
		Email:    u.Profile.Email,
		Phone:    u.Profile.Phone,
		Deleted:  u.Deleted,
		Bot:      u.IsBot || u.ID == "USLACKBOT",
		Guest:    u.IsRestricted || u.IsUltraRestricted,
		// https://docs.slack.dev/reference/objects/user-object: team_id,
		// enterprise_user.enterprise_id (Enterprise Grid), is_stranger
		// (another organisation's user, through Slack Connect).
		TeamID:       u.TeamID,
		EnterpriseID: u.Enterprise.EnterpriseID,
		Stranger:     u.IsStranger,
		// slack-go's GetUserInfo sends include_locale=true, so Slack
		// returns the user's locale (https://docs.slack.dev/reference/methods/users.info).
		Locale: u.Locale,
	}, nil
}

// DirectWith returns the user whose direct message with the bot channelID
// is (conversations.info: is_im and user, with im:read), or "" for any
// other conversation, including one the bot cannot see such as a DM
// between two people (channel_not_found). It implements
// commands.Conversations.
func (p *People) DirectWith(ctx context.Context, channelID string) (string, error) {
	c, err := p.conversation(ctx, channelID)
	if err != nil || c == nil || !c.IsIM {
		return "", err
	}
	return c.User, nil
}

// ChannelName returns the name of a public channel (conversations.info),
// or "" for any other conversation: a private channel (its name is not for
// everyone to see), a direct or group message, or one the bot cannot see.
// It implements commands.ChannelNames.
func (p *People) ChannelName(ctx context.Context, channelID string) (string, error) {
	c, err := p.conversation(ctx, channelID)
	if err != nil || c == nil || c.IsPrivate || c.IsGroup || c.IsIM || c.IsMpIM {
		return "", err
	}
	return c.Name, nil
}

// conversation reads a conversation (conversations.info); nil when the bot
// cannot see it.
func (p *People) conversation(ctx context.Context, channelID string) (*slack.Channel, error) {
	c, err := p.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channelID})
	if err != nil {
		if e := slackError(err); e == "channel_not_found" || e == "not_in_channel" {
			return nil, nil
		}
		return nil, fmt.Errorf("conversations.info %s: %w", channelID, err)
	}
	return c, nil
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

// ChannelMembers returns the user IDs in a channel, page by page until the
// last or until it has more than atMost (0: all pages). When it stops early
// it returns exactly atMost+1 of them: a caller counting them knows there
// are more than atMost.
func (p *People) ChannelMembers(ctx context.Context, channelID string, atMost int) ([]string, error) {
	params := &slack.GetUsersInConversationParameters{ChannelID: channelID, Limit: 200}
	var all []string
	for {
		ids, next, err := p.api.GetUsersInConversationContext(ctx, params)
		if err != nil {
			if e := slackError(err); e == "channel_not_found" || e == "not_in_channel" {
				return nil, fmt.Errorf("conversations.members %s: %w", channelID, commands.ErrNoSuchChannel)
			}
			return nil, fmt.Errorf("conversations.members %s: %w", channelID, err)
		}
		self := p.selfID(ctx)
		for _, id := range ids {
			if id != self {
				all = append(all, id)
			}
		}
		if next == "" {
			return all, nil
		}
		if atMost > 0 && len(all) > atMost {
			return all[:atMost+1], nil
		}
		params.Cursor = next
	}
}

// selfID returns the bot's user ID (auth.test, asked once), or "" if Slack
// would not say.
func (p *People) selfID(ctx context.Context) string {
	p.selfOnce.Do(func() {
		if r, err := p.api.AuthTestContext(ctx); err == nil {
			p.self = r.UserID
		}
	})
	return p.self
}
