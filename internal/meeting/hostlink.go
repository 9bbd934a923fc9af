package meeting

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// SecretDigest is the digest under which a secret pasted by a user (a join
// link's key, a password in a link) is kept and compared: hex SHA-256. ""
// for "".
func SecretDigest(secret string) string {
	if secret == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// joinLinkKey returns the key of a join link of the form confDetail gives
// (meeting_21_0018: https://<site>/#/j/<ID>/<key>), or "".
func joinLinkKey(uri string) string {
	_, frag, ok := strings.Cut(uri, "#/j/")
	if !ok {
		return ""
	}
	_, key, _ := strings.Cut(strings.TrimSuffix(frag, "/"), "/")
	if strings.Contains(key, "/") {
		return ""
	}
	return key
}

// hostSecrets are the digests of what gives host rights in a meeting: its
// host link's key and its host password.
type hostSecrets struct {
	linkKey, password string
}

func newHostSecrets(chairJoinURI, hostPassword string) hostSecrets {
	return hostSecrets{linkKey: SecretDigest(joinLinkKey(chairJoinURI)), password: SecretDigest(hostPassword)}
}

func (h hostSecrets) match(digest string) bool {
	eq := func(a string) bool { return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(digest)) == 1 }
	return digest != "" && (eq(h.linkKey) || eq(h.password))
}

// IsHostSecret reports whether digest (SecretDigest of what a user pasted)
// is the key of the conference's host link (chairJoinUri) or its host
// password, as known from the last Prepare of conferenceID, or from
// CreateMeeting. A pasted host link must not be acted on: the bot refuses
// it and warns. False when the conference was not prepared.
func (c *Client) IsHostSecret(conferenceID, digest string) bool {
	c.confMu.Lock()
	defer c.confMu.Unlock()
	e, ok := c.confs[conferenceID]
	return ok && e.host.match(digest)
}
