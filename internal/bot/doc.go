// Package bot is the production wiring of meet-invite: its configuration
// (LoadConfig, from the environment) and Serve, which builds the Huawei
// client, the Slack client, the inviter and the Slack app and runs them.
// cmd/bot and the benchmark both run the bot through it, so what is
// measured is what is shipped.
package bot
