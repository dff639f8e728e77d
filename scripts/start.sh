#!/usr/bin/env bash
# Sets everything up (scripts/install.sh: a no-op when nothing changed) and opens the course in JupyterLab.
#
#   bash scripts/start.sh                                          # the notebooks folder
#   bash scripts/start.sh notebooks/03_behavioural_cloning.ipynb   # one notebook (or folder) of the course
#   bash scripts/start.sh --port=8890 --no-browser                 # any JupyterLab flag passes through
#
# JupyterLab serves the whole course folder (so the notebooks' diagrams, ../images/*.png, load) and opens
# notebooks/ (or the path given). Flags given here come after this script's own, so they win.
set -euo pipefail
here="$PWD"
cd "$(dirname "$0")/.."
root="$PWD"
py="$(bash scripts/install.sh | tail -n 1)"
export SDL_VIDEODRIVER=dummy

open="notebooks"
args=()
for arg in "$@"; do
    if [[ "$arg" != -* ]] && [ "$open" = notebooks ] && { [ -e "$arg" ] || [ -e "$here/$arg" ] || [ -e "$root/$arg" ]; }; then
        # A path: relative to where the command was typed, else to the course folder.
        if [[ "$arg" = /* ]]; then path="$arg"; elif [ -e "$here/$arg" ]; then path="$here/$arg"; else path="$root/$arg"; fi
        open="$("$py" -c 'import os, sys; print(os.path.relpath(os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])))' "$path" "$root")"
        if [[ "$open" = ..* ]]; then
            echo "start.sh: $arg is outside the course folder $root; JupyterLab here serves only that folder." >&2
            exit 2
        fi
    else
        args+=("$arg")
    fi
done

extra=()
[ "$(id -u)" = 0 ] && extra=(--allow-root)  # JupyterLab refuses root without it
echo "Opening $open in JupyterLab (serving $root)" >&2
exec "$py" -m jupyterlab --ServerApp.root_dir="$root" --LabApp.default_url="/lab/tree/$open" \
    ${extra[@]+"${extra[@]}"} ${args[@]+"${args[@]}"}
