-- Each meeting's call in Slack (the Calls API): registered once, whichever
-- process invites into the meeting first, and ended once when it ends.
-- call_id is '' while its registrar (owner, until claimed_until) registers it.

CREATE TABLE slack_calls (
	meeting       TEXT PRIMARY KEY,
	call_id       TEXT NOT NULL,
	owner         TEXT NOT NULL,
	claimed_until BIGINT NOT NULL,
	expires_at    BIGINT NOT NULL
);
CREATE INDEX slack_calls_expiry ON slack_calls (expires_at);
