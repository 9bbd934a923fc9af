package slackapp

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/blockkit"
	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// startMeeting starts the meeting a request asks for (Invitation.Start): a
// video meeting named after the channel or the invoker, booked for
// StartLength. From then on the request is an invitation into that
// running meeting like any other: r.inv names it.
func (a *App) startMeeting(ctx context.Context, r *request) (meeting.CreatedMeeting, error) {
	req := meeting.CreateMeetingRequest{
		Subject:    a.subjectFor(ctx, r.inv),
		Length:     int(a.cfg.StartLength / time.Minute),
		MediaTypes: meeting.MediaHDVideo,
	}
	m, err := a.inviter.Start(ctx, r.inv, req)
	if err != nil {
		return meeting.CreatedMeeting{}, err
	}
	r.inv.ConferenceID = m.ID
	r.log = r.log.With("conference_id", m.ID)
	r.log.Info("meeting started", "meeting", m) // its LogValue leaves the host link and passwords out
	return m, nil
}

// subjectFor names a meeting started from Slack: StartSubject with
// {channel} and {user} filled in, or by default after the channel, else
// after the invoker, in DEFAULT_LOCALE (everyone in the meeting sees it).
// Only a public channel names a meeting: the picker may show its subject
// to people who cannot see a private one (a template with {channel} then
// falls back to the invoker's name too). A name that cannot be found
// leaves the admin's template standing, with a neutral word for it. The
// subject is cut to Huawei's limit.
func (a *App) subjectFor(ctx context.Context, inv commands.Invitation) string {
	subject, channel := a.cfg.StartSubject, a.inviter.ChannelName(ctx, inv.Channel)
	switch {
	case subject == "" && channel != "":
		subject = subjectInChannel(a.def, "{channel}")
	case subject == "" || channel == "" && strings.Contains(subject, "{channel}"):
		subject = subjectOf(a.def, "{user}")
	}
	if strings.Contains(subject, "{user}") {
		name := a.inviter.NameOf(ctx, inv.Invoker)
		switch {
		case name == "" && subject == subjectOf(a.def, "{user}"):
			return subjectFromSlack(a.def)
		case name == "":
			name = subjectSomeone(a.def)
		}
		subject = strings.ReplaceAll(subject, "{user}", name)
	}
	return meeting.FitSubject(strings.ReplaceAll(subject, "{channel}", channel))
}

// startedReport marks the report of an invitation into a meeting started
// for it, with the meeting as made when the invitation did not read it.
// An invoker Huawei cannot ring (email only) is not sent the guests' link:
// they have the host link (hostMessage).
func startedReport(rep commands.Report, inv commands.Invitation, m meeting.CreatedMeeting) commands.Report {
	rep.Started, rep.ConferenceID = true, m.ID
	if rep.Conference.ID == "" {
		rep.Conference = m.Conference
	}
	rep.Invited = slices.DeleteFunc(rep.Invited, func(iv commands.Invitee) bool {
		return iv.Via == commands.ViaLink && slices.Contains(inv.Hosts, iv.Person.ID)
	})
	return rep
}

// tellHost gives the person who started a meeting its host link,
// privately: it is never posted where others see it. It has time of its
// own: the meeting is theirs even when the request ran out of time.
func (a *App) tellHost(ctx context.Context, r request, m meeting.CreatedMeeting) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
	defer cancel()
	msg := hostMessage(a.langOf(ctx, r.t.userID), m, len(r.inv.Hosts) > 0)
	if err := a.postPrivate(ctx, r.t, a.mark(msg)); err != nil {
		r.log.Error("could not give the host their host link", "err", err)
	}
}

// hostMessage is the private note to the person who started a meeting, in
// l: that they are its host, and their host link as a button.
func hostMessage(l *lang, m meeting.CreatedMeeting, calling bool) message {
	rep := commands.Report{ConferenceID: m.ID, Conference: m.Conference}
	link := m.ChairJoinURI
	withLink := strings.HasPrefix(link, "https://") && blockkit.Len(link) <= blockkit.MaxURL
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(":key: "+hostNote(l, meetingTitle(l, rep), calling, withLink)), nil, nil)}
	if withLink {
		btn := slack.NewButtonBlockElement(actionJoin, "", slack.NewTextBlockObject(slack.PlainTextType, hostButton(l), false, false))
		btn.URL = link
		btn.Style = slack.StylePrimary
		blocks = append(blocks, slack.NewActionBlock("host_block", btn))
	}
	return message{text: hostNote(l, plainTitle(l, rep), calling, withLink), blocks: blocks, lang: l}
}

// othersThan counts the invitees who are not the invitation's hosts.
func othersThan(inv commands.Invitation, invited []commands.Invitee) int {
	n := 0
	for _, iv := range invited {
		if iv.Person.ID == "" || !slices.Contains(inv.Hosts, iv.Person.ID) {
			n++
		}
	}
	return n
}
