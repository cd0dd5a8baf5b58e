# One-command set-up and tests. See README.md.
PYTHON ?= python3.11
VENV ?= .venv
PIP := $(VENV)/bin/python -m pip
# The mmcv wheel takes ~11 minutes to build on 2 idle cores: build it once per machine.
WHEEL_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/mmseg_synaug/wheels
MMCV_VERSION := $(shell sed -n 's/^mmcv==//p' requirements/mmcv.txt)

.PHONY: setup test benchmark clean-venv

setup:
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements/build.txt
	$(PIP) install -q -r requirements/torch.txt
	tools/misc/build_mmcv_wheel.sh $(VENV)/bin/python $(MMCV_VERSION) $(WHEEL_CACHE)
	$(PIP) install -q --no-deps $(WHEEL_CACHE)/mmcv-$(MMCV_VERSION)-*.whl
	$(PIP) install -q -r requirements/mmcv.txt -r requirements/torch.txt -r requirements/runtime.txt -r requirements/tests.txt -r requirements/demo.txt
	tools/misc/install_chromium.sh
	$(PIP) install -q --no-deps --no-build-isolation -e .
	$(VENV)/bin/python -c "import mmcv.ops, mmseg, mmagic.models, mmseg_synaug; print('set-up OK')"

test:
	$(VENV)/bin/python -m pytest tests -q

clean-venv:
	rm -rf $(VENV)
