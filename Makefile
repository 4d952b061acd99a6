# The two entry points the README opens with. Each works on a fresh machine.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: lint demo test install install-test develop unlink-develop browser-deps test-unit test-ts test-aws test-notebooks test-browser bench

# The demo extra carries what notebooks 03-05 need (moto, the SageMaker stand-in).
install: unlink-develop
	$(PIP) install -q '.[demo]'

# `make demo ARGS="--no-browser --port 8890 --dir DIR"` on a headless machine. Run through
# $(PYTHON): the console script is on PATH only when the environment is activated.
demo: install
	$(PYTHON) -m metricwidgets demo $(ARGS)

# A regular (non-editable) install: the wheel build runs npm on labextension/ and ships the
# prebuilt JupyterLab extension and the server extension's config, as users get them.
install-test: unlink-develop
	$(PIP) install -q '.[test]'

# `make develop` links <prefix>/share/jupyter/labextensions/metricwidgets to a checkout. A
# regular install would write its files through that link into the checkout, or fail with
# "No such file or directory" once the checkout (or its built labextension) is gone: the install
# replaces the link with real files, so remove it first. Only a link is removed, never a folder.
unlink-develop:
	@$(PYTHON) -c "import os, sysconfig; p = os.path.join(sysconfig.get_path('data'), 'share', 'jupyter', 'labextensions', 'metricwidgets'); os.path.islink(p) and (os.unlink(p), print('removed the development link', p))"

# For working on the code: editable install, and the labextension linked to the tree
# (rebuild it with `npm --prefix labextension run build`, then reload the page).
develop:
	$(PIP) install -e '.[test]'
	$(PYTHON) -m jupyterlab.labextensions develop --overwrite .

# Debian's chromium: Playwright never downloads a browser here.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

test: browser-deps install-test lint test-ts
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(PYTHON) -m pytest -p no:cacheprovider tests notebooks

# The labextension's linters (eslint, prettier, stylelint) and jest unit tests. npm ci only
# when node_modules is older than the lock file (the wheel build usually installed it).
labextension/node_modules/.package-lock.json: labextension/package-lock.json
	npm --prefix labextension ci --no-audit --no-fund

test-ts: labextension/node_modules/.package-lock.json
	npm --prefix labextension run --silent lint:check
	npm --prefix labextension test --silent

test-unit:
	$(PYTHON) -m pytest tests/core tests/sources tests/widgets tests/cli tests/polling tests/test_magics.py tests/test_options.py

test-aws:
	$(PYTHON) -m pytest tests/aws

test-notebooks:
	$(PYTHON) -m pytest notebooks

test-browser:
	$(PYTHON) -m pytest tests/browser

bench:
	$(PYTHON) -m tests.benchmarks

# Python lint (ruff, configured in pyproject.toml) and the house limits: no function of the
# package above radon's grade C (cyclomatic complexity 20), no module over 500 lines, and the
# layout (tests/test_layout.py: import walls between layers and doors, no private name reached
# from outside what owns it, at most 8 entries at the top of core/ and widgets/).
lint:
	$(PYTHON) -m ruff check metricwidgets tests conftest.py
	@out=$$($(PYTHON) -m radon cc -n D metricwidgets); if [ -n "$$out" ]; then echo "$$out"; echo "functions above complexity 20 (radon grade D or worse)"; exit 1; fi
	@out=$$(find metricwidgets -name '*.py' -not -path '*/labextension/*' -exec awk 'END { if (NR > 500) print FILENAME ": " NR " lines" }' {} \;); if [ -n "$$out" ]; then echo "$$out"; echo "modules over 500 lines"; exit 1; fi
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/test_layout.py
