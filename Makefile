# The two entry points the README opens with. Each works on a fresh machine.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: demo test install install-test browser-deps test-unit test-aws test-notebooks test-browser bench

install:
	$(PIP) install -q .

demo: install
	metricwidgets demo

install-test:
	$(PIP) install -q '.[test]'

# Debian's chromium: Playwright never downloads a browser here.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

test: browser-deps install-test
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(PYTHON) -m pytest -p no:cacheprovider tests notebooks

test-unit:
	$(PYTHON) -m pytest tests/unit

test-aws:
	$(PYTHON) -m pytest tests/aws

test-notebooks:
	$(PYTHON) -m pytest notebooks

test-browser:
	$(PYTHON) -m pytest tests/browser

bench:
	$(PYTHON) -m tests.benchmarks
