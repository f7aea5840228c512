// Package web is Boomerang's one HTTP server: each role mounts its routes on
// it (ingest mounts /webhooks/..., later roles the API, dashboard and
// customer-facing pages), and it serves the probes every role shares:
// GET /healthz (the process is alive), GET /readyz (every readiness check
// passes and the server is not draining) and GET /metrics (Prometheus).
package web
