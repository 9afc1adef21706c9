# One virtual environment per Keras line; see README.md.
#   make demo         train the course network on MNIST (.venv);
#                     ARGS='--epochs 5' passes options to train_mnist.py
#   make main N=0     run tests/0-main.py (N from 0 to 13) on .venv
#   make test         both test tiers on .venv, cross-line tests included
#   make test-fast    the fast tier on .venv
#   make test-keras2  both tiers on .venv-keras2 (TensorFlow 2.15, Keras 2)
#   make test-legacy  the fast tier on .venv-legacy (TF_USE_LEGACY_KERAS=1)
#   make lint         pycodestyle over the repository
#   make venvs        create or update the three environments
# An environment is (re)installed when it is missing or its requirements
# file is newer than its stamp.

PYTHON ?= python3

KERAS3_VENV := .venv
KERAS2_VENV := .venv-keras2
LEGACY_VENV := .venv-legacy

KERAS3_BIN := $(CURDIR)/$(KERAS3_VENV)/bin/python
KERAS2_BIN := $(CURDIR)/$(KERAS2_VENV)/bin/python
LEGACY_BIN := $(CURDIR)/$(LEGACY_VENV)/bin/python

STAMP := .installed
BOTH_TIERS := -m "slow or not slow"

# The cross-line variables, each set only when its interpreter exists
# (tests skip a line whose variable is unset). Expanded when a recipe runs,
# after the environments it depends on are made.
present = $(if $(shell test -x $(2) && echo yes),$(1)=$(2))
LINE_VARIABLES = $(strip \
	$(call present,KERAS3_PYTHON,$(KERAS3_BIN)) \
	$(call present,KERAS2_PYTHON,$(KERAS2_BIN)) \
	$(call present,KERAS2_LEGACY_PYTHON,$(LEGACY_BIN)))

# $(call install,VENV,REQUIREMENTS)
define install
test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
$(1)/bin/python -m pip install -r $(2)
touch $(1)/$(STAMP)
endef

.PHONY: demo main test test-fast test-keras2 test-legacy lint venvs clean

demo: $(KERAS3_VENV)/$(STAMP)
	$(KERAS3_BIN) train_mnist.py $(ARGS)

main: $(KERAS3_VENV)/$(STAMP)
	@test -f tests/$(N)-main.py || \
		{ echo 'Usage: make main N=<0 to 13>; got N=$(N)' >&2; exit 2; }
	$(KERAS3_BIN) tests/$(N)-main.py

test: venvs
	env $(LINE_VARIABLES) $(KERAS3_BIN) -m pytest $(BOTH_TIERS)

test-fast: $(KERAS3_VENV)/$(STAMP)
	env $(LINE_VARIABLES) $(KERAS3_BIN) -m pytest

test-keras2: $(KERAS2_VENV)/$(STAMP)
	env $(LINE_VARIABLES) $(KERAS2_BIN) -m pytest $(BOTH_TIERS)

test-legacy: $(LEGACY_VENV)/$(STAMP)
	env $(LINE_VARIABLES) TF_USE_LEGACY_KERAS=1 $(LEGACY_BIN) -m pytest

lint: $(KERAS3_VENV)/$(STAMP)
	$(KERAS3_BIN) -m pycodestyle --exclude='.venv*,.git,build,data' .

venvs: $(KERAS3_VENV)/$(STAMP) $(KERAS2_VENV)/$(STAMP) $(LEGACY_VENV)/$(STAMP)

$(KERAS3_VENV)/$(STAMP): requirements.txt
	$(call install,$(KERAS3_VENV),requirements.txt)

$(KERAS2_VENV)/$(STAMP): requirements-keras2.txt
	$(call install,$(KERAS2_VENV),requirements-keras2.txt)

$(LEGACY_VENV)/$(STAMP): requirements-legacy.txt
	$(call install,$(LEGACY_VENV),requirements-legacy.txt)

clean:
	rm -rf build
