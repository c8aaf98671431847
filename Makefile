# Two set-up commands: `make run` (serve the portal) and `make test` (run the suite).
# Both create .venv and install the lock file on a fresh clone; only Python 3.11+ and make needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
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
# files that check birth dates, exports and purge cut-offs. Not swept: the role matrix and the
# foundation (permissions and configuration, no dates; a third of the suite), the browser
# journeys, and the Celery worker tests (the worker is another process on the real clock).
CLOCK_TESTS ?= tests/points tests/rota tests/services tests/wishes tests/ranking tests/dashboard \
	tests/audit tests/members/test_validators.py tests/members/test_validator_properties.py \
	tests/members/test_lockouts_and_login_logs.py tests/members/test_me_export.py \
	tests/members/test_member_admin.py tests/members/test_round_trip.py tests/members/test_demo.py
CLOCK_SKIP := -m "not browser" --ignore=tests/rota/test_celery_worker.py \
	--ignore=tests/wishes/test_celery_worker.py

.PHONY: install run test test-clock lint format worker beat bench messages lock browser ci clean

install: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
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

test: install messages browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# One pytest run per moment; every moment runs, then the failed ones are named.
test-clock: install messages
	@failed=""; for moment in $(CLOCK_MOMENTS); do \
		echo "== clock sweep: every test starts at $$moment"; \
		$(BIN)/python -m pytest $(PYTEST_ARGS) $(CLOCK_SKIP) --clock=$$moment $(CLOCK_TESTS) \
			|| failed="$$failed $$moment"; \
	done; \
	if [ -n "$$failed" ]; then echo "clock sweep failed at:$$failed"; exit 1; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates $(wildcard */templates) --lint --quiet
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A deqing_hub worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A deqing_hub beat --loglevel=INFO

bench: install messages
	$(BIN)/python -m benchmarks

lock:
	$(BIN)/python -m pip install --quiet -r requirements.in
	{ echo "# Lock file: every package at an exact version. Regenerate with 'make lock' after editing requirements.in."; $(BIN)/python -m pip freeze --exclude pip; } > requirements.txt

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
