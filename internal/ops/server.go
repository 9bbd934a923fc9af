package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// The paths Serve answers. Kubernetes probes and the README name them; a
// test checks deploy/kubernetes against these.
const (
	PathLive    = "/livez"   // liveness: the process and its loops are running
	PathReady   = "/readyz"  // readiness: Slack connected and the meeting service usable
	PathHealth  = "/healthz" // the readiness answer under its older name
	PathMetrics = "/metrics" // Prometheus
)

// shutdownGrace bounds how long Serve waits for scrapes in progress at shutdown.
const shutdownGrace = 5 * time.Second

// Serve listens on addr (e.g. "127.0.0.1:9090", or ":0" for any free port) and
// serves GET /livez, /readyz and /healthz from h and GET /metrics from m in the background until ctx
// ends, then shuts the server down gracefully. A nil h or m leaves its path out.
// It returns the address actually bound, or an error at once if it cannot listen.
func Serve(ctx context.Context, addr string, h *Health, m *Metrics, logger *slog.Logger) (string, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("ops server: listen on %s: %w", addr, err)
	}

	mux := http.NewServeMux()
	if h != nil {
		mux.Handle("GET "+PathLive, h.LiveHandler())
		mux.Handle("GET "+PathReady, h.Handler())
		mux.Handle("GET "+PathHealth, h.Handler())
	}
	if m != nil {
		mux.Handle("GET "+PathMetrics, m.Handler())
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	bound := ln.Addr().String()

	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("ops server stopped", "addr", bound, "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			logger.Warn("ops server shutdown", "addr", bound, "err", err)
		}
		logger.Info("ops server stopped", "addr", bound)
	}()
	logger.Info("ops server listening", "addr", bound)
	return bound, nil
}
