package commands

import (
	"net/url"
	"strings"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// Huawei Cloud Meeting links that name a meeting. The formats, each with an
// example and its source, are in testdata/meeting-links.txt:
//
//   - Join links, as confDetail answers them in chairJoinUri and
//     guestJoinUri (meeting_21_0018's example) and as people share them:
//     https://<site>/#/j/<meeting ID>/<key>, where <site> is
//     meeting.huaweicloud.com or a host under it (c., intl.). The host's
//     and the guests' links have the same form and differ only in the key,
//     so which one was pasted can only be told by the meeting's own links:
//     see HostLinkSecret.
//   - The client's scheme links (scheme-meeting meeting_22_0609,
//     meeting_22_1216, LoginAndJoinConf):
//     cloudlink://welinksoftclient/h5page?page=joinConfByLink&conf_id=<ID>&enter_code=<password>&…,
//     where enter_code is the host password to join as host, else the
//     guest password.
//
// Links to other sites, and Huawei's internal or private deployments (an IP
// address, c.meeting.125339.com in the SDK's own docs), are not meeting
// links here: they stay unknown words.
const meetingSite = "meeting.huaweicloud.com"

// cloudlinkPages are the scheme pages that join a meeting by its ID.
var cloudlinkPages = map[string]bool{"joinConfByLink": true, "joinTmpConfByLink": true, "LoginAndJoinConf": true}

// MeetingLink is what a pasted meeting link says.
type MeetingLink struct {
	ID string // the meeting ID as written in the link (not yet validated)
	// Secret is the link's key or password: the host's or the guests'. It
	// is never logged or shown; Request keeps only its digest.
	Secret string
}

// ParseMeetingLink reads s as a Huawei Cloud Meeting link, bare or as Slack
// escapes it ("<https://…>", "<https://…|label>", "&amp;" for "&"). ok is
// false when s is not such a link.
func ParseMeetingLink(s string) (MeetingLink, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		s = s[1 : len(s)-1]
		if i := strings.IndexByte(s, '|'); i >= 0 {
			s = s[:i]
		}
	}
	s = strings.ReplaceAll(s, "&amp;", "&")
	u, err := url.Parse(s)
	if err != nil {
		return MeetingLink{}, false
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return joinLink(u)
	case "cloudlink":
		return schemeLink(u)
	}
	return MeetingLink{}, false
}

// joinLink reads https://<site>/#/j/<id>[/<key>].
func joinLink(u *url.URL) (MeetingLink, bool) {
	host := strings.ToLower(u.Hostname())
	if host != meetingSite && !strings.HasSuffix(host, "."+meetingSite) {
		return MeetingLink{}, false
	}
	if u.Path != "" && u.Path != "/" {
		return MeetingLink{}, false
	}
	rest, ok := strings.CutPrefix(u.Fragment, "/j/")
	if !ok {
		return MeetingLink{}, false
	}
	rest = strings.TrimSuffix(rest, "/")
	id, key, _ := strings.Cut(rest, "/")
	if id == "" || strings.Contains(key, "/") {
		return MeetingLink{}, false
	}
	return MeetingLink{ID: id, Secret: key}, true
}

// schemeLink reads cloudlink://welinksoftclient/h5page?page=…&conf_id=…&enter_code=….
func schemeLink(u *url.URL) (MeetingLink, bool) {
	if !strings.EqualFold(u.Host, "welinksoftclient") || u.Path != "/h5page" {
		return MeetingLink{}, false
	}
	q := u.Query()
	if !cloudlinkPages[q.Get("page")] || q.Get("conf_id") == "" {
		return MeetingLink{}, false
	}
	return MeetingLink{ID: q.Get("conf_id"), Secret: q.Get("enter_code")}, true
}

// SecretDigest is the digest under which a link's secret is kept and
// compared (meeting.SecretDigest, hex SHA-256). The secret itself never
// leaves the parser.
func SecretDigest(secret string) string { return meeting.SecretDigest(secret) }

// HostLinkSecret refuses a request made with a link that carries host
// rights: isHost reports whether a secret digest is the meeting's host key
// or host password (meeting.Client.IsHostSecret, once the meeting is
// prepared). The answer is a *ParseError with CodeHostLink, so that the
// user is warned instead of the people being rung.
func HostLinkSecret(req Request, isHost func(digest string) bool) error {
	if req.LinkDigest == "" || isHost == nil || !isHost(req.LinkDigest) {
		return nil
	}
	return &ParseError{Code: CodeHostLink}
}
