# Two set-up commands: `make run` (serve the portal) and `make test` (run the suite).
# Both create .venv on a fresh clone; only Python 3.11+ and make needed. `make run` installs the
# runtime lock (requirements.txt, what production installs); `make test` and `make lint` add the
# development lock (requirements-dev.txt: test and lint tools).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
# One stamp per installed state, named after the lock files' checksums: editing a lock file
# (or switching to a branch with another) installs again.
STAMP := $(VENV)/.installed-run-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
LOCK_VENV := $(VENV)-lock
MANAGE := $(BIN)/python manage.py
PORT ?= 8000
# pytest arguments. By default two processes (pytest-xdist), each with its own test database
# and Redis database (tests/environment.py); `make test PYTEST_ARGS=` runs in one process.
PYTEST_ARGS ?= -n 2

# The clock sweep (tests/clock.py, `make test-clock`): the date-sensitive tests again, once per
# moment, with every test starting at that instant and the clock ticking on from there, so no
# test passes only in the month it was written and no code takes the UTC date for the local one.
#   2028-12-31 23:59      Sunday: the last minute of a week, a month and a leap year (day 366)
#   2029-01-01 00:00:30   Monday: the first minute of a week, month and year in Shanghai while
#                         UTC is still Sunday 31 December 2028, 16:00 (local and UTC disagree)
#   2032-02-29 12:00      a leap day, years after the tests were written (dates fixed as
#                         "in the future" have gone by)
# 23:59 rather than 23:59:59: a slow test must not cross midnight halfway through.
CLOCK_MOMENTS ?= 2028-12-31T23:59:00+08:00 2029-01-01T00:00:30+08:00 2032-02-29T12:00:00+08:00
# What is swept: the apps whose rules count days, weeks, months and years (points: voucher
# expiry, monthly caps; rota: duty weeks, reminders, swaps; services: activities, overdue
# requests, records; wishes: overdue and auto-confirmed wishes, digests; the ranking's months
# and years; the dashboard and the demo data dated from today), and the members' and audit
# files that check birth dates, exports and purge cut-offs; invitations and login codes
# (expiry), member projects (deadlines, rating windows), /me/ (this month's points), the
# staff workspace (overdue queues) and the notices (expiring vouchers, tomorrow's activities,
# overdue claims, duty reminders in the inbox). Not swept: the role matrix and the
# foundation (permissions and configuration, no dates; a third of the suite), the browser
# journeys, and the Celery worker tests (the worker is another process on the real clock).
CLOCK_TESTS ?= tests/points tests/rota tests/services tests/wishes tests/ranking tests/dashboard \
	tests/audit tests/members/test_validators.py tests/members/test_validator_properties.py \
	tests/members/test_lockouts_and_login_logs.py tests/members/test_me_export.py \
	tests/members/test_member_admin.py tests/members/test_round_trip.py tests/members/test_demo.py \
	tests/members/test_invite_member.py tests/members/test_login_by_code.py \
	tests/members/test_sign_up_by_mobile.py tests/projects tests/me tests/roles/test_workspace.py \
	tests/notices
CLOCK_SKIP := -m "not browser" --ignore=tests/rota/test_celery_worker.py \
	--ignore=tests/wishes/test_celery_worker.py --ignore=tests/notices/test_celery_worker.py

.PHONY: install install-dev run test test-clock lint format worker beat bench messages lock browser clean

install: $(STAMP)

install-dev: $(DEV_STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-*
	touch $@

# Local secrets, generated once; real deployments set the environment instead.
.env:
	$(BIN)/python deqing_hub/local_env.py > .env
	@echo "Wrote .env with generated local secrets (DJANGO_DEBUG=true)."

messages: install
	$(BIN)/python deqing_hub/catalogues.py compile

run: install .env messages
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) create_local_staff
	@if [ -n "$$REDIS_URL" ] || grep -q '^REDIS_URL=.\+' .env; then \
		echo "REDIS_URL set: starting web, worker and beat (Procfile)"; \
		PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev; \
	else \
		echo "Serving http://127.0.0.1:$(PORT)/ (tasks run in-process; set REDIS_URL for a worker)"; \
		$(MANAGE) runserver 127.0.0.1:$(PORT); \
	fi

# Debian's Chromium and a CJK font for the browser journeys (never `playwright install`).
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'wenquanyi\|wqy' || { \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
		else echo "Browser tests need: sudo apt-get install chromium fonts-wqy-microhei"; fi; }

test: install-dev messages browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# One pytest run per moment; every moment runs, then the failed ones are named.
test-clock: install-dev messages
	@failed=""; for moment in $(CLOCK_MOMENTS); do \
		echo "== clock sweep: every test starts at $$moment"; \
		$(BIN)/python -m pytest $(PYTEST_ARGS) $(CLOCK_SKIP) --clock=$$moment $(CLOCK_TESTS) \
			|| failed="$$failed $$moment"; \
	done; \
	if [ -n "$$failed" ]; then echo "clock sweep failed at:$$failed"; exit 1; fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates $(wildcard */templates) $(wildcard */*/templates) --lint --quiet
	$(BIN)/lint-imports
	DJANGO_TESTING=true $(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A deqing_hub worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A deqing_hub beat --loglevel=INFO

# Every page through gunicorn (4 sync workers, production settings) measured with wrk against a
# bare view in the same run, and the jobs against their calibrations, on a county's worth of
# synthetic data (loadscale) in its own database, BENCH_DATABASE_URL (default
# deqing_bench_scale; loaded once, kept for reruns). See docs/performance.md.
bench: install messages
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null; \
		else echo "make bench needs wrk: sudo apt-get install wrk"; exit 1; fi; }
	$(BIN)/python -m benchmarks

# Both lock files, resolved in a throwaway virtualenv so that the runtime lock holds only what
# requirements.in needs; the dev tools are resolved against the runtime pins (-c), never moving
# them. A name without a version in a .in file takes its newest release.
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.in
	{ echo "# Runtime lock file: every package production installs, at an exact version. Generated by"; \
	  echo "# 'make lock' from requirements.in; tools for tests and lint are in requirements-dev.txt."; \
	  $(LOCK_VENV)/bin/python -m pip freeze; } > requirements.txt.new
	mv requirements.txt.new requirements.txt
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r requirements-dev.in -c requirements.txt
	{ echo "# Development lock file: the runtime lock plus every test and lint tool at an exact version."; \
	  echo "# Generated by 'make lock' from requirements-dev.in; installed by 'make test' and 'make lint'."; \
	  echo "-r requirements.txt"; \
	  $(LOCK_VENV)/bin/python -m pip freeze | grep -v -x -F -f requirements.txt; } > requirements-dev.txt.new
	mv requirements-dev.txt.new requirements-dev.txt
	rm -rf $(LOCK_VENV)

clean:
	rm -rf $(VENV) $(LOCK_VENV) staticfiles .pytest_cache
