-- Times are Unix milliseconds (the store's clock), the same in both backends.

CREATE TABLE envelopes (
	id         TEXT PRIMARY KEY,
	expires_at BIGINT NOT NULL
);
CREATE INDEX envelopes_expiry ON envelopes (expires_at);

CREATE TABLE reservations (
	meeting    TEXT NOT NULL,
	kind       TEXT NOT NULL, -- 'person' or 'number'
	subject    TEXT NOT NULL, -- the chat user ID or the number called
	holder     TEXT NOT NULL, -- the request that reserved it
	expires_at BIGINT NOT NULL,
	PRIMARY KEY (meeting, kind, subject)
);
CREATE INDEX reservations_expiry ON reservations (expires_at);

CREATE TABLE pending (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL,
	payload    BYTEA NOT NULL,
	expires_at BIGINT NOT NULL
);

CREATE TABLE follows (
	post        TEXT PRIMARY KEY,
	meeting     TEXT NOT NULL,
	payload     BYTEA NOT NULL,
	created_at  BIGINT NOT NULL,
	expires_at  BIGINT NOT NULL,
	finished_at BIGINT,
	ended_at    BIGINT
);
CREATE INDEX follows_meeting ON follows (meeting);
CREATE INDEX follows_unfinished ON follows (created_at) WHERE finished_at IS NULL;

CREATE TABLE follow_calls (
	post     TEXT NOT NULL,
	position INTEGER NOT NULL,
	person   TEXT NOT NULL,
	state    TEXT NOT NULL,
	PRIMARY KEY (post, person)
);

CREATE TABLE missed (
	id            TEXT PRIMARY KEY,
	user_id       TEXT NOT NULL,
	payload       BYTEA NOT NULL,
	created_at    BIGINT NOT NULL,
	expires_at    BIGINT NOT NULL,
	claimed_by    TEXT,
	claimed_until BIGINT,
	sent_at       BIGINT
);
CREATE INDEX missed_unsent ON missed (created_at) WHERE sent_at IS NULL;

CREATE TABLE leases (
	meeting    TEXT PRIMARY KEY,
	owner      TEXT NOT NULL,
	expires_at BIGINT NOT NULL
);
