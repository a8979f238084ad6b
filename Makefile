# Greenlight: `make run` serves a demo on http://127.0.0.1:8000, `make test` runs what CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# The demo identity provider of `make run-sso`.
SSO_PORT ?= 9400
# Extra arguments for pytest, e.g. make test-sqlite PYTEST_ARGS="-x -k dashboard"
PYTEST_ARGS ?=
# A marker expression for the pytest stages, ANDed with each stage's own (a -m in
# PYTEST_ARGS would replace the stage's), e.g. make test MARKERS="not browser"
MARKERS ?=
and_markers = $(if $(strip $(MARKERS)), and ($(MARKERS)))
# pytest-xdist worker processes for test-sqlite and test-postgres: one per CPU core by
# default; PYTEST_WORKERS=0 runs everything in one process (e.g. for --pdb), =3 on three.
# Tests of one xdist_group (races, timing) go to one worker, one after another.
PYTEST_WORKERS ?= auto
PARALLEL = -n $(PYTEST_WORKERS) --dist loadgroup
BENCH_ARGS ?=

NO_PG_BINARIES := PostgreSQL server binaries not found (install postgresql-15 / set DATABASE_URL)

# pytest exits 5 when it collected nothing; that is a warning here, not a failure.
pytest = rc=0; $(1) || rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; rc=0; fi; exit $$rc

.PHONY: help venv install run run-sso test test-sqlite test-postgres lint migrations-check \
	bench bench-smoke bench-servers fault-test cluster-test clean

help:
	@echo "make run               install, migrate, seed demo users and data, serve on 127.0.0.1:$(PORT)"
	@echo "make run-sso           the same, with single sign-on through a local demo identity provider"
	@echo "make test              lint, migrations check, pytest on SQLite, pytest on PostgreSQL"
	@echo "make test-sqlite       pytest on SQLite (tests marked postgres are left out)"
	@echo "make test-postgres     pytest on \$$DATABASE_URL, or on a throwaway local cluster"
	@echo "make lint              ruff check, ruff format --check and bandit -ll"
	@echo "make migrations-check  fail when models and migrations disagree"
	@echo "make bench             run bench/run;  make bench-smoke: its quick version"
	@echo "make fault-test        restart PostgreSQL under load; check nothing committed is lost"
	@echo "make cluster-test      two app servers, a task worker, Redis: the several-servers checks"
	@echo "make venv              create $(VENV) and install the project with its dev tools"
	@echo "make clean             remove $(VENV), caches and screenshots (keeps db.sqlite3)"

venv install: $(STAMP)

# Reinstalls when pyproject.toml changes; keeps a working $(VENV) otherwise.
$(STAMP): pyproject.toml
	@set -e; \
	if ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		python=$$(scripts/find-python); \
		echo "Creating $(VENV) with $$python ($$($$python -V 2>&1))"; \
		rm -rf $(VENV); \
		"$$python" -m venv $(VENV); \
	fi; \
	echo "Installing Greenlight and its dev tools into $(VENV)"; \
	$(PY) -m pip install --quiet -e '.[dev]'; \
	touch $(STAMP)

# The demo's e-mail goes to files in .demo-mail/ rather than the console, where the worker's
# first minute of it would push the sign-ins above off the screen.
run run-sso: export EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
run run-sso: export EMAIL_FILE_PATH ?= $(CURDIR)/.demo-mail
# Links in that e-mail point at the port served (make run PORT=8001).
run run-sso: export SITE_URL ?= http://127.0.0.1:$(PORT)
# New proposals are offered the demo's own keys (GL-0153 after its GL-0001 …), not PR-0001:
# portfolio/demo/simulation.py's DEMO_KEY_PREFIX. A real installation keeps its default, PR.
run run-sso: export PROPOSAL_KEY_PREFIX ?= GL
run: export DEBUG := true
run: $(STAMP)
	$(PY) manage.py migrate
	DEMO_URL=http://127.0.0.1:$(PORT) $(PY) manage.py seed_demo
	@# The Procfile's web (gunicorn) and worker (tasks: imports, e-mail, metrics refresh),
	@# side by side until Ctrl-C.
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start -f Procfile -p $(PORT)

# `make run` with single sign-on (docs/single-sign-on.md): a local OpenID provider on
# $(SSO_PORT) (oidc-provider-mock) knows the demo people, a newcomer whose groups give a
# role, and someone whose address is not verified.
run-sso: export DEBUG := true
run-sso: export SSO_PORT := $(SSO_PORT)
run-sso: export OIDC_ISSUER := http://127.0.0.1:$(SSO_PORT)
run-sso: export OIDC_CLIENT_ID := greenlight-demo
run-sso: export OIDC_CLIENT_SECRET := demo-secret
run-sso: export OIDC_PROVIDER_NAME := Demo ID
run-sso: export OIDC_GROUPS_CLAIM := groups
run-sso: export OIDC_GROUP_ROLES := research-staff=Researcher
run-sso: $(STAMP)
	$(PY) manage.py migrate
	DEMO_URL=http://127.0.0.1:$(PORT) $(PY) manage.py seed_demo
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start -f Procfile.sso -p $(PORT)

# Every stage runs even when an earlier one failed, so one run shows every problem.
test: $(STAMP)
	@failed=""; \
	$(MAKE) --no-print-directory lint || failed="$$failed lint"; \
	$(MAKE) --no-print-directory migrations-check || failed="$$failed migrations-check"; \
	$(MAKE) --no-print-directory test-sqlite || failed="$$failed test-sqlite"; \
	$(MAKE) --no-print-directory test-postgres PG_STAGE="$(BROWSER_ON_SQLITE)" || failed="$$failed test-postgres"; \
	echo; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	echo "make test: every stage passed"

lint: $(STAMP)
	@echo "== ruff check, ruff format --check, bandit -ll"
	@rc=0; \
	$(VENV)/bin/ruff check . || rc=1; \
	$(VENV)/bin/ruff format --check . || rc=1; \
	$(VENV)/bin/bandit -ll -q -c pyproject.toml -r . || rc=1; \
	exit $$rc

# An in-memory database: the check must not depend on (or create) a local db.sqlite3.
migrations-check: $(STAMP)
	@echo "== makemigrations --check"
	@DEBUG=true DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

# The browser tests (what the templates, CSS and JavaScript draw and do; the views behind
# them are tested on both databases) run on SQLite in `make test`. The PostgreSQL stage runs
# only those marked postgres_too (the imports and the board pack: the task worker, COPY),
# rather than draw every page twice; nor the tests marked no_database (their own processes
# on a SQLite file of their own, or no database at all: tests/pg_plugin.py marks every test
# that asks for none), which would run the same twice.
BROWSER_ON_SQLITE = (not browser or postgres_too) and not no_database
# The PostgreSQL stage's marker expression: make test's, or all tests when run alone.
PG_STAGE ?=
pg_markers = $(strip $(if $(strip $(PG_STAGE)),($(PG_STAGE))$(and_markers),$(MARKERS)))
PG_STAGE_ARGS = $(if $(pg_markers),-m "$(pg_markers)")

test-sqlite: $(STAMP)
	@echo "== pytest on SQLite"
	@$(call pytest,env -u DATABASE_URL $(PY) -m pytest $(PARALLEL) -m "not postgres$(and_markers)" $(PYTEST_ARGS))

# $DATABASE_URL when set; otherwise a throwaway cluster from the local server binaries,
# deleted afterwards whatever happens. Without binaries: skipped, except under CI=true.
test-postgres: $(STAMP)
	@if [ -n "$${DATABASE_URL:-}" ]; then \
		echo "== pytest on $$(sed -E 's#://([^:/@]*):[^@]*@#://\1:***@#' <<<"$$DATABASE_URL")"; \
		$(call pytest,$(PY) -m pytest $(PARALLEL) $(PG_STAGE_ARGS) $(PYTEST_ARGS)); \
	elif scripts/pg-throwaway bindir >/dev/null 2>&1; then \
		echo "== pytest on a throwaway PostgreSQL"; \
		$(call pytest,scripts/pg-throwaway run -- $(PY) -m pytest $(PARALLEL) $(PG_STAGE_ARGS) $(PYTEST_ARGS)); \
	elif [ "$${CI:-}" = true ]; then \
		echo "$(NO_PG_BINARIES): CI=true needs the PostgreSQL run" >&2; \
		exit 1; \
	else \
		echo "$(NO_PG_BINARIES): running SQLite only"; \
	fi

# The several servers' figures first: bench/run's report (bench/RESULTS.md) includes them.
bench: $(STAMP)
	$(MAKE) bench-servers
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bench/run $(BENCH_ARGS)

# Several servers at full size (5,000 projects, 1M spend rows): bench/SERVERS.md.
bench-servers: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/pg-throwaway run -- $(PY) bench/cluster_test.py \
		--projects 5000 --spend-rows 1000000 --deadline 1500 --out bench/SERVERS.md

bench-smoke: $(STAMP)
	@if [ -f bench/run ]; then \
		PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bench/run --smoke; \
	else \
		echo "bench/run is not written yet: benchmark smoke test skipped"; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/browser/screenshots *.egg-info
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
	scripts/pg-throwaway reap

# Two app servers, one task worker, PostgreSQL, Redis and an SMTP sink on the loopback
# (bench/cluster_test.py); results in bench/CLUSTER.md (CLUSTER_ARGS="--out FILE").
cluster-test: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/pg-throwaway run -- $(PY) bench/cluster_test.py $(CLUSTER_ARGS)

fault-test: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bench/fault-restart $(FAULT_ARGS)
