#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.8-3.10, not on 3.11+).
set -euo pipefail
for cand in "${PYTHON310:-}" python3.10 "$(command -v pyenv >/dev/null 2>&1 && echo "$(pyenv root)/versions/$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | tail -1)/bin/python")"; do
  [ -n "$cand" ] || continue
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    command -v "$cand"; exit 0
  fi
done
for dir in "$HOME"/.pyenv/versions/3.10.* /usr/local/bin /usr/bin; do
  [ -x "$dir/bin/python" ] && "$dir/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null && { echo "$dir/bin/python"; exit 0; }
done
if command -v uv >/dev/null 2>&1; then
  uv python install 3.10 >&2 && uv python find 3.10 && exit 0
fi
echo "Python 3.10 not found. Install it (e.g. 'pyenv install 3.10' or 'uv python install 3.10') or set PYTHON310=/path/to/python3.10." >&2
exit 1
