#!/usr/bin/env bash
# Set up the workbook on a fresh machine: Fashion-MNIST offline, a virtual environment, the kernel.
# Idempotent: a second run only checks. Usage: bash scripts/setup.sh [venv-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${1:-.venv}"
PY="${PYTHON:-python3}"

# 1. Fashion-MNIST from Debian's package, when nothing provides it yet (no download needed).
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && [ -z "${FASHION_MNIST_DIR:-}" ] \
   && [ ! -f data/fashion-mnist/train-images-idx3-ubyte.gz ] && command -v apt-get >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
  echo "== installing Fashion-MNIST from Debian's dataset-fashion-mnist"
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dataset-fashion-mnist; }; then
    echo "   (apt-get failed; the loader will try data/, the Keras cache, then a download)"
  fi
fi

# 2. The virtual environment with the pinned-range requirements and the helpers package.
if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV"
  "$PY" -m venv "$VENV"
fi
# The lock pins the versions that made the committed results (Linux x86_64, Python 3.11); elsewhere the
# readable ranges of requirements.txt apply.
REQS=requirements.txt
if [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] && [ -f requirements.lock ] \
   && "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  REQS=requirements.lock
fi
echo "== installing $REQS into $VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -r "$REQS"
"$VENV/bin/python" -m pip install -q --no-deps -e .

# 3. The real foot-IMU walk with motion capture (gaitmap's example data, MIT), from its source distribution on
#    PyPI into data/reference/gaitmap/, SHA-256 checked. Without the registry: a warning, and the rest runs.
"$VENV/bin/python" -m helpers.lab.gait_reference fetch || true

# 4. A named Jupyter kernel for people who open the notebooks; papermill and nbval use the venv's python3.
"$VENV/bin/python" -m ipykernel install --user --name ae-lstm-workbook --display-name "Python (ae-lstm-workbook)" >/dev/null
"$VENV/bin/python" - <<'PY'
from helpers.fashion_mnist import load_fashion_mnist
d = load_fashion_mnist()
print(f"== Fashion-MNIST ready: {d.source} ({len(d.x_train):,} train / {len(d.x_test):,} test images, SHA-256 checked)")
PY
