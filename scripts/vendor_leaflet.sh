#!/usr/bin/env bash
# Vendor Leaflet into the site (docs/assets/leaflet) from the npm registry, pinned and checked.
# The files are committed, so the site builds offline; run this only to change the version:
# update VERSION and INTEGRITY (`npm view leaflet@X dist.integrity`), then run it and commit.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.9.4
INTEGRITY="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
TARGET=docs/assets/leaflet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "leaflet@${VERSION}" >/dev/null)
tarball="$work/leaflet-${VERSION}.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
  echo "leaflet-${VERSION}.tgz: integrity $got, expected $INTEGRITY" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work"
rm -rf "$TARGET"
mkdir -p "$TARGET/images"
cp "$work/package/dist/leaflet.js" "$work/package/dist/leaflet.css" "$work/package/LICENSE" "$TARGET/"
cp "$work/package/dist/images/"*.png "$TARGET/images/"
cat > "$TARGET/README.txt" <<TXT
Leaflet ${VERSION} (BSD 2-Clause, see LICENSE), copied unchanged from the npm package
leaflet@${VERSION} (${INTEGRITY}) by scripts/vendor_leaflet.sh. Used by the map page only.
TXT
(cd "$TARGET" && sha256sum leaflet.js leaflet.css LICENSE images/*.png > SHA256SUMS)
echo "vendored leaflet ${VERSION} into ${TARGET}"
