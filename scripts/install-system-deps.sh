#!/usr/bin/env bash
# Install the Debian packages the portal needs, if they are missing and the machine allows it.
#   runtime: WeasyPrint's libraries (pango, harfbuzz subsetting) and fonts
#   test:    the same plus Debian's chromium for the browser tests
set -euo pipefail
mode="${1:-runtime}"
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext)
if [[ "$mode" == "test" ]]; then
  packages+=(chromium poppler-utils)
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Hinweis: fehlende Systempakete (${missing[*]}), kein apt-get vorhanden." >&2
  exit 0
fi
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Hinweis: fehlende Systempakete (${missing[*]}); bitte mit Administratorrechten installieren:" >&2
  echo "  apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "Installiere Systempakete: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
