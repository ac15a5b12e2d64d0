# The two commands a new user needs:  make run  and  make test  (see README).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | sha1sum | cut -c1-12)
WEB := channels/web
NODE_STAMP := $(WEB)/node_modules/.installed-$(shell cat $(WEB)/package-lock.json | sha1sum | cut -c1-12)
export HOTLINE_PROFILE ?= anshan
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: setup browser services fuzz-tools train run test lint validate unit e2e stories bench backup restore clean

setup: $(STAMP) $(NODE_STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $$(scripts/python310.sh) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

# Front-end packages of the web page (rasa-webchat, socket.io-client, swagger-ui) from npm.
$(NODE_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	scripts/install_system.sh node
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@rm -f $(WEB)/node_modules/.installed-* && touch $@

# Schemathesis for the gateway's fuzz tests (tests/e2e/test_e2e_fuzz.py), in its own environment on the
# machine's python3: its pins conflict with Rasa's. hypothesis is pinned too: newer ones break 3.39.
FUZZ_VENV := .venv-fuzz
FUZZ_PINS := schemathesis==3.39.16 hypothesis==6.131.0
FUZZ_STAMP := $(FUZZ_VENV)/.installed-$(shell echo '$(FUZZ_PINS)' | sha1sum | cut -c1-12)

fuzz-tools: $(FUZZ_STAMP)

$(FUZZ_STAMP):
	@test -x $(FUZZ_VENV)/bin/python || python3 -m venv $(FUZZ_VENV)
	$(FUZZ_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(FUZZ_VENV)/bin/python -m pip install --quiet $(FUZZ_PINS)
	@rm -f $(FUZZ_VENV)/.installed-* && touch $@

# Debian's chromium and a Chinese font for the browser tests (the font the report's PDF embeds),
# and poppler-utils for the PDF's picture test.
browser:
	@scripts/install_system.sh browser

# PostgreSQL and Redis on loopback, for the tests against the production store.
services:
	@scripts/install_system.sh services

# Rasa itself skips training when data, domain and config are unchanged since the last model.
train: setup
	@mkdir -p models var
	$(BIN)/rasa train --fixed-model-name hotline --out models
	$(BIN)/python -m scripts.warm_caches

run: train
	@mkdir -p var
	@echo "Starting Rasa, the action server and the gateway (ready in about half a minute):"
	@echo "  the hotline's page:  http://localhost:$${GATEWAY_PORT:-8000}/"
	@echo "  Rasa REST format:    curl -s localhost:$${GATEWAY_PORT:-8000}/webhooks/rest/webhook -d '{\"sender\":\"me\",\"message\":\"你好\"}'"
	@echo "  API documentation:   http://localhost:$${GATEWAY_PORT:-8000}/api/docs"
	$(BIN)/honcho start -f Procfile

validate: setup
	$(BIN)/rasa data validate --fail-on-warnings --max-history 5

lint: setup
	$(BIN)/ruff check bot actions channels kb tests scripts
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -q -m "not e2e"

e2e: train browser
	$(BIN)/pytest -q -m e2e

stories: train
	$(BIN)/rasa test core --stories tests/stories --model models/hotline.tar.gz --fail-on-prediction-errors --out results/stories

test: train validate lint browser services fuzz-tools
	$(BIN)/pytest -q
	$(MAKE) --no-print-directory stories

bench: train
	$(BIN)/python -m scripts.bench --markdown BENCHMARKS.md

# The work-order store and Rasa's tracker store into var/backups/ (HOTLINE_BACKUP_DIR), and back:
# make restore BACKUP=hotline-20261123T020000Z [FORCE=1]. README, "Backups".
backup: setup
	$(BIN)/python -m bot.store.backup backup

restore: setup
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=<name or directory> [FORCE=1]; the backups: $(BIN)/python -m bot.store.backup list"; exit 2; }
	$(BIN)/python -m bot.store.backup restore "$(BACKUP)" $(if $(FORCE),--force)

clean:
	rm -rf models results var .pytest_cache
