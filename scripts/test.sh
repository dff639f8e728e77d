#!/usr/bin/env bash
# Sets everything up and runs every test: unit tests (with coverage), the real-browser test,
# the course notebooks under nbval with strict checks, twice, each time on a fresh kernel, and the
# student edition, built fresh and run top to bottom.
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
# The unit tests look at failing checks' results, so they run without strict mode.
env -u BCOLEARN_STRICT_CHECKS "$py" -m pytest tests --cov=bcolearn --cov-report=term -p no:cacheprovider
# Strict checks: an exercise check that fails raises, so a wrong reference solution fails the build.
for run in 1 2; do
    echo "== notebooks under nbval with strict checks, run $run of 2 =="
    BCOLEARN_STRICT_CHECKS=1 "$py" -m pytest --nbval-lax --nbval-current-env notebooks -p no:cacheprovider
done
echo "== the student edition: built fresh, every notebook run top to bottom, every check not answered yet =="
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$py" -m bcolearn.course student "$work/student"
BCOLEARN_STRICT_CHECKS=1 "$py" scripts/execute_notebooks.py "$work"/student/notebooks/*.ipynb
"$py" -m bcolearn.course verify "$work/student"
