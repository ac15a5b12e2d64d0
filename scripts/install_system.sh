#!/usr/bin/env bash
# System packages the project needs beyond Python, from Debian's repositories:
#   node     Node.js and npm, for the web widget's front-end packages (make setup)
#   browser  Debian's chromium and a Chinese font, for the browser tests (make test)
# Installs only what is missing; as root, or through sudo without a password prompt.
set -euo pipefail

need=()
case "${1:-}" in
  node)
    command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
    ;;
  browser)
    command -v chromium >/dev/null 2>&1 || need+=(chromium)
    fc-list 2>/dev/null | grep -qiE "wenquanyi|noto sans cjk" || need+=(fonts-wqy-microhei)
    ;;
  *)
    echo "usage: $0 node|browser" >&2
    exit 2
    ;;
esac
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "Missing system packages: ${need[*]}. Install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${need[*]} (no apt-get here: install them with your package manager)" >&2
  exit 1
fi
echo "Installing ${need[*]} from Debian's packages ..."
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${need[@]}" </dev/null \
  || { "${SUDO[@]}" apt-get update -q </dev/null && "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${need[@]}" </dev/null; }
