package preflight

// ManifestScopes are the bot scopes manifest.yml asks for, in its order. A
// test reads manifest.yml and fails when the two differ.
var ManifestScopes = []string{
	"commands",
	"chat:write",
	"chat:write.public",
	"users:read",
	"users:read.email",
	"usergroups:read",
	"channels:read",
	"groups:read",
	"channels:history",
	"groups:history",
	"im:read",     // conversations.info on a DM: is it the invoker's own with the bot?
	"calls:write", // the call card (calls.add…); without it posts go without one
}

// OptionalScopes are those of ManifestScopes the bot works without: it
// only leaves out what they are for.
var OptionalScopes = []string{"calls:write"}
