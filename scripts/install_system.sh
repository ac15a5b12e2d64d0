#!/usr/bin/env bash
# System packages the project needs beyond Python, from Debian's repositories:
#   node     Node.js and npm, for the web widget's front-end packages (make setup)
#   browser  Debian's chromium and a Chinese font, for the browser tests, and poppler-utils
#            (pdftoppm), which draws the monthly report's PDF as a picture in its test (make test;
#            the font is also the one the PDF embeds)
#   services PostgreSQL and Redis on loopback, for the tests against the production store (make
#            test): used where they already answer on 127.0.0.1:5432 / :6379, otherwise
#            installed, started, and PostgreSQL opened to local connections without a password
#            (a test machine's setting, not a server's)
# Installs only what is missing; as root, or through sudo without a password prompt.
set -euo pipefail

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

need=()
case "${1:-}" in
  node)
    command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
    ;;
  browser)
    command -v chromium >/dev/null 2>&1 || need+=(chromium)
    fc-list 2>/dev/null | grep -qiE "wenquanyi|noto sans cjk" || need+=(fonts-wqy-microhei)
    # the TrueType font the report's PDF embeds (bot/analytics/report_pdf.py: Noto CJK cannot be)
    [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || [[ " ${need[*]} " == *" fonts-wqy-microhei "* ]] \
      || need+=(fonts-wqy-microhei)
    command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
    ;;
  services)
    answers 5432 || need+=(postgresql)
    answers 6379 || need+=(redis-server)
    ;;
  *)
    echo "usage: $0 node|browser|services" >&2
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

if [ "$1" = services ]; then
  if [[ " ${need[*]} " == *" postgresql "* ]]; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    "${SUDO[@]}" sed -i -E 's/^(local|host)(\s+all\s+all\s+.*)\s(peer|scram-sha-256|md5)$/\1\2 trust/' "$hba"
    "${SUDO[@]}" pg_ctlcluster "$version" main start || "${SUDO[@]}" pg_ctlcluster "$version" main reload
  fi
  if [[ " ${need[*]} " == *" redis-server "* ]]; then
    "${SUDO[@]}" redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  fi
  for _ in $(seq 30); do answers 5432 && answers 6379 && exit 0; sleep 1; done
  echo "PostgreSQL or Redis did not come up on 127.0.0.1:5432 / :6379" >&2
  exit 1
fi
