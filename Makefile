# TQR — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: setup run serve test test-fast check samples bench clean demo browsers messages

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)  ## .venv with every dependency (idempotent)

run: setup  ## migrate, load the demo district if empty, serve on 127.0.0.1:$(PORT) with a task worker beside it
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Starting the background worker (manage.py db_worker), the schedule (run_schedule --loop 60) and the web server on http://127.0.0.1:$(PORT)"
	@echo "(demo: two-factor login for reviewers is off; TQR_REQUIRE_2FA=true make run turns it on)"
	$(PY) manage.py db_worker --interval 1 > var/worker.log 2>&1 & worker=$$!; \
	  $(PY) manage.py run_schedule --loop 60 > var/schedule.log 2>&1 & schedule=$$!; \
	  trap 'kill $$worker $$schedule 2>/dev/null' EXIT INT TERM; \
	  TQR_DEBUG=true TQR_REQUIRE_2FA=$${TQR_REQUIRE_2FA:-false} $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup  ## the whole suite (browser tests install Debian's Chromium and axe-core when they can)
	$(PY) scripts/ensure_chromium.py
	$(PY) scripts/ensure_axe.py
	$(PY) -m pytest -p no:cacheprovider -n $(or $(TEST_WORKERS),2) $(PYTEST_ARGS)

check: setup  ## ruff, deploy checks under production settings, migrations in sync
	$(VENV)/bin/ruff check .
	TQR_PRODUCTION=true TQR_DEBUG=false TQR_SECRET_KEY=check-only-$$(head -c 32 /dev/urandom | base64 | tr -d '/+=') \
	  TQR_FIELD_KEY=check-only-field-key TQR_ALLOWED_HOSTS=tqr.example.gov.cn \
	  $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

samples: setup  ## render every document and screenshot every page into build/samples/
	$(PY) scripts/ensure_chromium.py
	$(PY) scripts/samples.py

bench: setup  ## benchmarks (issue 10): bench/results.json and docs/performance.md, under 20 minutes (BENCH_QUICK=1: small and short)
	$(PY) bench/run.py

# The English catalogue (docs/i18n.md): every msgid from tqr/ and templates/ into locale/en/LC_MESSAGES/django.po
# (existing translations kept, vanished msgids dropped, one file reference per entry so diffs stay small), then
# django.mo compiled beside it. Both are committed: running the site needs no gettext tools.
MESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=build --ignore=bench --ignore=tests --ignore=scripts \
	--ignore=docs --ignore=static --ignore=node_modules
messages: setup  ## regenerate locale/en/LC_MESSAGES/django.po from the code and compile django.mo (needs GNU gettext)
	$(PY) manage.py makemessages --locale=en --domain=django --no-obsolete --add-location=file --no-wrap $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages --locale=en $(MESSAGES_IGNORE)

clean:
	rm -rf build var/tqr.sqlite3* .pytest_cache
