-- Each meeting's call in Slack is fed, and ended with the meeting, by one
-- process at a time: its holder, until held_until (a lease it renews). The
-- registrar holds it first; when the lease lapses (its holder stopped or
-- died) another process adopts the call: it follows the meeting again
-- (payload: what it needs to, the app's JSON), feeds the call and ends it.
-- Calls registered before this migration have no holder: they are adopted.
ALTER TABLE slack_calls ADD COLUMN holder TEXT NOT NULL DEFAULT '';
ALTER TABLE slack_calls ADD COLUMN held_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE slack_calls ADD COLUMN payload BLOB NOT NULL DEFAULT x'';
CREATE INDEX slack_calls_held ON slack_calls (held_until);

-- The Slack users a call is fed with (from every process's invitations into
-- the meeting), and whether the call shows them as its holder last told
-- Slack (shown: 0 or 1). Forgotten with their call.
CREATE TABLE slack_call_people (
	call_id  TEXT NOT NULL,
	person   TEXT NOT NULL,
	payload  BLOB NOT NULL,
	shown    INTEGER NOT NULL,
	added_at INTEGER NOT NULL,
	PRIMARY KEY (call_id, person)
);

-- Each person's recent invitations, for their Home tab: what came of each
-- (outcome, the app's words) and its post (a follows.post, '' for none),
-- whose rows tell how its calls went and whether its meeting ended.
CREATE TABLE home_history (
	user_id    TEXT NOT NULL,
	id         TEXT NOT NULL,
	made_at    INTEGER NOT NULL,
	outcome    TEXT NOT NULL,
	post       TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (user_id, id)
);
CREATE INDEX home_history_newest ON home_history (user_id, made_at);
CREATE INDEX home_history_expiry ON home_history (expires_at);
