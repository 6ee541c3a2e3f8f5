# Two commands for a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# `make run` installs what running needs; `make test` (and the benchmarks) add the test tools.
RUN_STAMP := $(VENV)/.run-installed-$(HASH)
STAMP     := $(VENV)/.installed-$(HASH)
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install translations compile-translations bench bench-live bench-search soak chromium nginx vnu openapi-linters clean

$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.run-installed-*
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## Compiled catalogues (.mo, not committed) for every .po; rebuilt when a .po changes.
CATALOGUES := $(wildcard forum/translations/*/LC_MESSAGES/messages.po)
COMPILED   := $(CATALOGUES:.po=.mo)
$(COMPILED): %.mo: %.po $(RUN_STAMP)
	$(BIN)/pybabel compile -d forum/translations -l $(word 3,$(subst /, ,$<)) >/dev/null

compile-translations: $(COMPILED)

install: $(RUN_STAMP) compile-translations

## Set up, bring the database to the current schema, seed the demo when empty, serve; once the
## server answers, print the address and the demo accounts (forum/firstrun.py). Mail goes to
## instance/mail.log, not to the terminal.
run: $(RUN_STAMP) compile-translations
	@$(BIN)/python -m forum.firstrun --host $(HOST) --port $(PORT)

## Set up and run the whole test suite (SQLite, and PostgreSQL when reachable).
test: $(STAMP) compile-translations chromium nginx vnu openapi-linters
	$(BIN)/python -m pytest -q -n 2

## HTTP benchmark (wrk, 5 s per endpoint; python wsgi.py on SQLite and PostgreSQL, Gunicorn
## 2 workers x 4 threads on SQLite as issue #22 measured, Gunicorn 2 gevent workers + Redis on
## PostgreSQL), each ending with issue #22's table of ratios to a bare Flask route; then server
## memory holding 1,000 WebSockets and live delivery latency (one process; 5,000 subscribers
## over two processes + Redis). About 10 minutes.
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || apt-get install -y -qq wrk >/dev/null
	$(BIN)/python bench/http_bench.py --database sqlite --duration 5
	$(BIN)/python bench/http_bench.py --database postgresql --duration 5
	$(BIN)/python bench/http_bench.py --database sqlite --server gunicorn --workers 2 --threads 4 --duration 5
	$(BIN)/python bench/http_bench.py --database postgresql --server gunicorn --workers 2 --duration 5
	$(BIN)/python bench/socket_memory.py --sockets 1000
	$(BIN)/python bench/live_latency.py --processes 1 --subscribers 1,100,1000
	$(BIN)/python bench/live_latency.py --processes 2 --subscribers 5000 --batch 200

## A million posts on each database: `seed bench` time, then search timing (about 15 minutes).
bench-search: $(STAMP)
	$(BIN)/python bench/search_bench.py --database sqlite
	$(BIN)/python bench/search_bench.py --database postgresql

## Live delivery latency to 1/100/1000 WebSocket subscribers, one process, then two with Redis.
bench-live: $(STAMP)
	$(BIN)/python bench/live_latency.py --processes 1
	$(BIN)/python bench/live_latency.py --processes 2

## Soak: mixed reads, posts, reactions and live subscribers for SOAK_MINUTES against two
## processes on PostgreSQL + Redis; prints throughput, p99, errors and memory start/end.
SOAK_MINUTES ?= 10
soak: $(STAMP)
	$(BIN)/python bench/soak.py --minutes $(SOAK_MINUTES)

## The browser tests use Debian's Chromium; install it when missing and we may (root).
chromium:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "could not install chromium: the browser tests will say why they skip"

## The deployment test (tests/deploy/) runs Debian's nginx in front of two servers; install it
## when missing and we may (root). It is started by the test with its own configuration only.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || [ "$$(id -u)" != 0 ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	     --no-install-recommends nginx-light >/dev/null) || \
	  echo "could not install nginx: the deployment test will say why it skips"

## The Nu HTML Checker (npm's vnu-jar, run with Java) checks every main page in
## tests/web/test_html_valid.py; install it (and a Java runtime) when missing and we may (root).
VNU_VERSION := 26.9.27
VNU_JAR     := $(VENV)/vnu/node_modules/vnu-jar/build/dist/vnu.jar
vnu:
	@[ -f $(VNU_JAR) ] || [ "$$(id -u)" != 0 ] || \
	  ( (command -v java >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null)) && \
	    npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/vnu \
	      vnu-jar@$(VNU_VERSION) >/dev/null ) || \
	  echo "could not install vnu-jar: the HTML validity test will say why it skips"

## Redocly and Spectral lint the served OpenAPI document in tests/api/test_openapi_lint.py;
## installed from npm into tools/node_modules when npm is there (the test says why it skips).
openapi-linters:
	@[ -x tools/node_modules/.bin/redocly ] && [ -x tools/node_modules/.bin/spectral ] || \
	  ! command -v npm >/dev/null 2>&1 || \
	  npm install --silent --no-save --no-audit --no-fund --prefix tools \
	    @redocly/cli@2 @stoplight/spectral-cli@6 >/dev/null || \
	  echo "could not install Redocly and Spectral: the OpenAPI lint test will say why it skips"

## Extract every visible string into forum/translations/messages.pot and merge it into each
## language's messages.po (translators then fill the empty msgstr with Poedit or an editor).
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k Message \
	  --ignore-dirs=".*" \
	  --sort-by-file --project="Working Groups forum" --copyright-holder="Working Groups forum" \
	  --msgid-bugs-address="translations@workinggroups.example" \
	  -o forum/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i forum/translations/messages.pot -d forum/translations
	$(MAKE) compile-translations

clean:
	rm -rf $(VENV) .pytest_cache
