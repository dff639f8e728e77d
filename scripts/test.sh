#!/usr/bin/env bash
# Sets everything up and runs every test: unit tests (with coverage), the real-browser test,
# and the six notebooks under nbval, twice, each time on a fresh kernel.
# This is the README's test command, and exactly what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

py="$(bash scripts/install.sh | tail -n 1)"
# Headless Chromium for the browser test (Debian's package; nothing else can be downloaded here).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export SDL_VIDEODRIVER=dummy MPLBACKEND=Agg

"$py" -c 'import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))'  # architecture contracts (pyproject.toml)
"$py" -m pytest tests --cov=bcolearn --cov-report=term -p no:cacheprovider
for run in 1 2; do
    echo "== notebooks under nbval, run $run of 2 =="
    "$py" -m pytest --nbval-lax --nbval-current-env notebooks -p no:cacheprovider
done
