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

.PHONY: install run test lint format worker beat bench messages lock browser ci clean

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
