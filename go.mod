module github.com/meet-invite/meet-invite

go 1.26

require (
	github.com/gorilla/websocket v1.5.3
	github.com/joho/godotenv v1.5.1
	github.com/slack-go/slack v0.35.0
	github.com/stretchr/testify v1.12.1
)
