// Package store is the bot's durable state: what one process used to keep in
// memory (envelopes already handled, the "called recently" window, pending
// confirmation cards, posts being followed and their calls, missed-call
// messages still to send, which replica follows which meeting, requests
// acknowledged and not yet answered, each meeting's call in Slack with the
// process feeding it and the people it shows, each person's recent
// invitations for their Home tab, the key that signs buttons when none is
// configured), kept in a database so that a restart resumes and replicas
// act as one bot.
//
// Two backends sit behind one interface, Store, chosen by Open from the
// DATABASE_URL: an SQLite file (pure Go, modernc.org/sqlite; the default,
// meet-invite.db, needs nothing installed; ":memory:" for the sandbox and
// tests) and PostgreSQL (github.com/jackc/pgx/v5) for replicas.
//
// Everything that is taken once is taken once by the database, never by
// reading and then writing: unique keys with INSERT … ON CONFLICT, DELETE …
// RETURNING, a conditional UPDATE whose row count says who won, and
// FOR UPDATE (SKIP LOCKED for queues) on PostgreSQL (SQLite runs one writer
// at a time).
// Expiry is decided with the store's clock (WithClock), never by sleeping.
//
// The store knows nothing of Slack, Huawei or the invite use case: what the
// app needs to redraw a post or send a message travels as opaque payloads
// (JSON written by the caller), so dependencies point inward.
//
// Migrations are numbered SQL files embedded per backend (migrations/sqlite,
// migrations/postgres), applied at Open in one transaction each and recorded
// in schema_migrations; see migrate.go for why no migration library is used.
package store
