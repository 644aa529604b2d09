#!/usr/bin/env bash
# Install everything LandGuard needs on a Debian 12 machine, idempotently:
# system libraries (apt), a .venv from Debian's python3 (pyenv builds cannot load SpatiaLite),
# pinned Python packages, pinned front-end packages (npm) copied into static/vendor, and
# compiled translations. Safe to run on every `make run` / `make test`: each step is skipped
# when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3 python3-venv                      # Debian's interpreter: sqlite extension loading
  libsqlite3-mod-spatialite gdal-bin libgdal32 libgeos-c1v5 libproj25 binutils   # GeoDjango
  gettext                                   # compilemessages
  chromium fonts-noto-cjk                   # browser tests, PDF, Chinese glyphs
  nodejs npm                                # front-end packages (skipped when node is present)
)

need_apt=()
for pkg in "${APT_PACKAGES[@]}"; do
  case "$pkg" in
    nodejs|npm) command -v "$pkg" >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_apt[@]}"
fi

# Python: Debian's /usr/bin/python3, never pyenv's (no enable_load_extension).
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import sqlite3; sqlite3.connect(':memory:').enable_load_extension" 2>/dev/null; then
  rm -rf .venv
  /usr/bin/python3 -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi

# Front-end: exact versions from package.json / package-lock.json, then copy the dist files we serve.
stamp=node_modules/.lock.sha
want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing front-end packages"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
vendor=landguard/web/static/vendor
mkdir -p "$vendor/maplibre-gl" "$vendor/echarts" "$vendor/htmx"
cp node_modules/maplibre-gl/dist/{maplibre-gl.mjs,maplibre-gl-shared.mjs,maplibre-gl-worker.mjs,maplibre-gl.css} "$vendor/maplibre-gl/"
cp node_modules/echarts/dist/echarts.min.js "$vendor/echarts/"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx/"

mkdir -p var
.venv/bin/python manage.py compilemessages -v 0 --ignore=.venv --ignore=node_modules
