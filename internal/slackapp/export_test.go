package slackapp

// SignButton signs a Try again or Call again value as an App configured
// with ButtonSecret secret does, for tests that press a button the bot
// did not post.
func SignButton(secret []byte, value string) string { return newSigner(secret).sign(signRetry, value) }
