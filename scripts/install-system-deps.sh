#!/usr/bin/env bash
# System libraries and fonts Boardroom needs beyond Python packages:
# Pango (WeasyPrint's text layout), fonts with Arabic glyphs for RTL board packs, poppler-utils
# (PDF text in tests) and postgresql-client (psql, as BI users connect, in tests and the README).
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core poppler-utils postgresql-client)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
