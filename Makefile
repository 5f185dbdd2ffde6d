# Outreach: `make run` serves the demo, `make test` runs the checks. Both set everything up.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := FLASK_APP=outreach $(VENV)/bin/flask
PORT ?= 5000
PYTHON ?= python3
AXE := .cache/axe/node_modules/axe-core/axe.min.js

.PHONY: run install install-test test test-sqlite test-postgresql lint bench load screenshots translations messages db-upgrade demo clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(VENV)/.installed-load: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[load]'
	touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test $(AXE)

# axe-core, from the npm registry, for the browser tests' accessibility checks only.
$(AXE):
	npm install --no-save --silent --prefix .cache/axe axe-core@4

# Flask-Babel reads compiled catalogs (*.mo, not committed) made from the committed *.po files;
# without them every page is in English.
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -d outreach/translations

# After adding or changing user-facing strings: refresh the template and the catalogs, then
# translate the new (empty) entries of outreach/translations/nl/LC_MESSAGES/messages.po.
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l --add-location=file --project=Outreach \
		--copyright-holder="Outreach contributors" -o outreach/translations/messages.pot .
	$(VENV)/bin/pybabel -q update -i outreach/translations/messages.pot -d outreach/translations \
		--no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel -q compile -d outreach/translations

# Secrets for this machine only, made once; production takes them from the environment.
instance/config.py:
	mkdir -p instance
	$(PY) -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}'); print(f'OUTREACH_CLIENT_KEY = {secrets.token_hex(32)!r}')" > $@
	chmod 600 $@

# The first key phones seal their records to (outreach/sealing/keys.py); `flask rotate-seal-key`
# adds more.
instance/seal-keys: | $(VENV)/.installed
	$(PY) -m outreach.sealing.keys $@

db-upgrade: install instance/config.py instance/seal-keys
	$(FLASK) db upgrade

demo: db-upgrade
	$(FLASK) demo-data

run: demo
	$(PY) -m outreach.devserver $(PORT)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The whole suite on SQLite, then again on PostgreSQL when OUTREACH_TEST_DATABASE_URL is set
# (in CI it must be: .ci/run starts PostgreSQL and sets it).
test: lint test-sqlite test-postgresql

test-sqlite: install-test translations
	env -u OUTREACH_TEST_DATABASE_URL $(VENV)/bin/pytest -m "not postgresql" $(PYTEST_ARGS)

test-postgresql: install-test translations
	@if [ -n "$$OUTREACH_TEST_DATABASE_URL" ]; then \
		$(VENV)/bin/pytest $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "CI needs OUTREACH_TEST_DATABASE_URL (PostgreSQL); .ci/run sets it." >&2; exit 1; \
	else \
		echo "PostgreSQL run skipped: set OUTREACH_TEST_DATABASE_URL=postgresql+psycopg://... to run it."; \
	fi

# The first run builds a 1,000,000-contact SQLite database under instance/bench/ (minutes).
bench: install-test
	$(PY) bench/field_shell.py
	$(PY) bench/field_seal.py
	$(PY) bench/reports.py
	$(PY) bench/ingest.py

# 50 phones syncing to gunicorn (4 workers) on PostgreSQL for two minutes, one worker killed.
# Without OUTREACH_LOAD_DATABASE_URL it sets up the local PostgreSQL (as .ci/run does) and uses
# its database outreach_load.
load: $(VENV)/.installed-load
	@if [ -z "$$OUTREACH_LOAD_DATABASE_URL" ]; then bash bench/local-postgresql.sh outreach_load; fi
	$(PY) bench/load.py $(LOAD_ARGS)

# The README's screenshots, taken by the browser tests and copied into docs/screenshots/.
screenshots: install-test
	$(PY) -m pytest -q tests/browser/test_reports.py tests/browser/test_accessibility.py
	mkdir -p docs/screenshots
	cp test-artifacts/dashboard-laptop.png docs/screenshots/dashboard.png
	cp test-artifacts/year-laptop.png docs/screenshots/year.png
	cp test-artifacts/contact-form-nl.png docs/screenshots/contact-form-nl.png
	cp test-artifacts/supplies.png docs/screenshots/supplies.png

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache *.egg-info
