# One-command set-up and tests. See README.md.
PYTHON ?= python3.11
VENV ?= .venv
PIP := $(VENV)/bin/python -m pip
# The mmcv wheel takes ~11 minutes to build on 2 idle cores: build it once per machine.
WHEEL_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/mmseg_synaug/wheels
MMCV_VERSION := $(shell sed -n 's/^mmcv==//p' requirements/mmcv.txt)
# The full pinned stack: the core, every extra of setup.py, tests and lint.
REQUIREMENTS := mmcv.txt torch.txt runtime.txt synthesis.txt albu.txt demo.txt tests.txt lint.txt
# What `make lint` checks and `make format` rewrites (settings in setup.cfg).
LINT_PATHS := setup.py mmseg_synaug configs tools tests demo

.PHONY: setup test lint format clean-venv

setup:
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements/build.txt
	$(PIP) install -q -r requirements/torch.txt
	tools/misc/build_mmcv_wheel.sh $(VENV)/bin/python $(MMCV_VERSION) $(WHEEL_CACHE)
	$(PIP) install -q --no-deps $(WHEEL_CACHE)/mmcv-$(MMCV_VERSION)-*.whl
	$(PIP) install -q $(addprefix -r requirements/,$(REQUIREMENTS))
	tools/misc/install_chromium.sh
	$(PIP) install -q --no-deps --no-build-isolation -e .
	$(VENV)/bin/python -c "import mmcv.ops, mmseg, mmagic.models, mmseg_synaug; print('set-up OK')"

test:
	$(VENV)/bin/python -m pytest tests -q

lint:
	$(VENV)/bin/python -m flake8 $(LINT_PATHS)
	$(VENV)/bin/python -m isort --check-only --diff $(LINT_PATHS)
	$(VENV)/bin/python -m yapf --diff --recursive $(LINT_PATHS)

format:
	$(VENV)/bin/python -m isort $(LINT_PATHS)
	$(VENV)/bin/python -m yapf --in-place --recursive $(LINT_PATHS)

clean-venv:
	rm -rf $(VENV)
