#!/usr/bin/env sh
# Create a virtual environment with the project and its pinned packages (requirements.lock):
# what `make setup` (and so CI) and the Dockerfile (the production image) both run, so that
# the image holds exactly the packages the tests ran with.
#   scripts/install.sh VENV      (PYTHON: the interpreter to create it with; default python3)
set -eu
venv="${1:?usage: scripts/install.sh VENV}"
"${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.lock
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -e .
