# Boomerang — `make help` lists the targets.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

GO            ?= go
BIN           := $(CURDIR)/bin
GOLANGCI_VER  := v2.15.0
GOLANGCI      := $(BIN)/golangci-lint
KUSTOMIZE_VER := v5.8.2
KUSTOMIZE     := $(BIN)/kustomize
FUZZTIME      ?= 30s
BENCHTIME     ?= 3s
# Arguments for `make run`, e.g. make run ARGS="--http-addr 127.0.0.1:9090"
ARGS          ?=

.PHONY: help run build test test-go test-faults lint fuzz bench bench-timers tools golden check-go deps kustomize

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

check-go:
	@command -v $(GO) >/dev/null 2>&1 || { echo "make: Go is not installed: get Go 1.26 or newer from your package manager or go.dev/dl" >&2; exit 1; }

deps: check-go
	@$(GO) mod download

run: deps ## run Boomerang with embedded defaults (JetStream embedded, demo shop) on 127.0.0.1:8080
	$(GO) run ./cmd/boomerang serve $(ARGS)

build: deps ## build bin/boomerang
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/boomerang ./cmd/boomerang

test: deps tools ## all tests (race detector, fuzz seed corpora) against a private redis-server, then the lint
	@state=$$(mktemp -d); \
	url=$$(deploy/dev/ensure-redis.sh start "$$state") || exit 1; \
	trap 'deploy/dev/ensure-redis.sh stop "$$state"; rm -rf "$$state"' EXIT; \
	echo "redis-server for the tests: $$url"; \
	REDIS_URL="$$url" $(GO) test -race -count=1 ./... && $(MAKE) --no-print-directory lint

test-go: deps ## only the Go tests, against REDIS_URL as set
	$(GO) test -race -count=1 ./...

test-faults: deps ## the roles on a 3-node JetStream cluster and a 6-node Redis Cluster, under faults (docs/faults.md; ~3 min)
	@deploy/faults/ensure-redis-tools.sh
	$(GO) test -tags faults -count=1 -v -timeout 10m ./deploy/faults/...

lint: tools ## golangci-lint with .golangci.yml, then kustomize build of each deploy/ overlay and their checks
	$(GOLANGCI) run ./...
	@for o in deploy/overlays/*/; do $(KUSTOMIZE) build "$$o" >/dev/null || exit 1; done
	$(GO) test -count=1 ./deploy/deploytest

fuzz: deps ## run every fuzz target for FUZZTIME each (default 30s)
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

bench: deps ## benchmarks: ingest against raw JetStream publish (figures in docs/performance.md)
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -benchmem ./...

bench-timers: deps ## 10 million pending timers on a private redis-server: ~3 GB, several minutes (docs/scaling.md)
	$(GO) test -tags scale -run '^$$' -bench '^BenchmarkTenMillionTimers$$' -benchtime 1x -timeout 60m ./adapters/redis/

golden: deps ## rewrite the golden files from the current output (review the diff!)
	UPDATE_GOLDEN=1 $(GO) test -count=1 ./adapters/... ./flows/...

tools: $(GOLANGCI) $(KUSTOMIZE) ## install the pinned tools into bin/

kustomize: $(KUSTOMIZE) ## install kustomize $(KUSTOMIZE_VER) into bin/ (deploy/ validation)

$(GOLANGCI): | check-go
	@echo "installing golangci-lint $(GOLANGCI_VER) into bin/ (about a minute the first time)"
	GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VER)

$(KUSTOMIZE): | check-go
	@echo "installing kustomize $(KUSTOMIZE_VER) into bin/ (v5.8.3 and later need Go 1.27)"
	GOBIN=$(BIN) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VER)
