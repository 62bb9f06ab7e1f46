#!/usr/bin/env bash
# Build People Zones' front-end assets.
#
#   frontend/build.sh        (or: make assets)
#
# - installs the pinned npm packages (npm ci; skipped when node_modules
#   already matches package-lock.json)
# - compiles frontend/sass/app.scss -> static/css/app.css (compressed)
# - mirrors it with rtlcss          -> static/css/app.rtl.css
# - vendors third-party browser files, one versioned folder per package,
#   each with its licence, into static/vendor/ (served) and
#   tests/browser/vendor/ (browser tests only), and writes
#   static/vendor/README.md
#
# Node and npm are needed only to rebuild; the built files are committed.
set -euo pipefail

FRONTEND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "${FRONTEND_DIR}/.." && pwd)"
NM="${FRONTEND_DIR}/node_modules"
CSS_DIR="${ROOT_DIR}/static/css"
VENDOR_DIR="${ROOT_DIR}/static/vendor"
TEST_VENDOR_DIR="${ROOT_DIR}/tests/browser/vendor"

say() { printf '==> %s\n' "$*"; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || die "node is not installed (needed only to rebuild assets)"
command -v npm >/dev/null 2>&1 || die "npm is not installed (needed only to rebuild assets)"

cd "${FRONTEND_DIR}"

# --- npm ci ------------------------------------------------------------------
# node_modules is current when the stamp written after the last `npm ci` holds
# the same checksum of package.json + package-lock.json.
lock_sum="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
stamp="${NM}/.pz-build-stamp"
if [[ -f "${stamp}" && "$(cat "${stamp}")" == "${lock_sum}" && "${PZ_FORCE_NPM_CI:-0}" != "1" ]]; then
  say "node_modules is current (skipping npm ci)"
else
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  printf '%s\n' "${lock_sum}" > "${stamp}"
fi

version_of() { node -p "require('${NM}/$1/package.json').version"; }
licence_of() { node -p "require('${NM}/$1/package.json').license"; }

GOVUK_VER="$(version_of govuk-frontend)"
LEAFLET_VER="$(version_of leaflet)"
CLUSTER_VER="$(version_of leaflet.markercluster)"
HTMX_VER="$(version_of htmx.org)"
AXE_VER="$(version_of axe-core)"

# --- Sass --------------------------------------------------------------------
say "compiling Sass (frontend/sass/app.scss -> static/css/app.css)"
mkdir -p "${CSS_DIR}"
"${NM}/.bin/sass" \
  --style=compressed \
  --no-source-map \
  --load-path="${NM}" \
  --quiet-deps \
  "${FRONTEND_DIR}/sass/app.scss" "${CSS_DIR}/app.css"

# Guard against GOV.UK branding creeping back in.
if grep -q -e 'GDS Transport' -e 'govuk-crest' -e '@font-face' -e '/assets/' "${CSS_DIR}/app.css"; then
  die "static/css/app.css contains GOV.UK branding (GDS Transport font, crest or /assets/ path)"
fi

# --- RTL ---------------------------------------------------------------------
say "mirroring for right-to-left languages (static/css/app.rtl.css)"
# (rtlcss prints "Saving: <file>" on stdout and a "No config present, using
# defaults" warning on stderr; drop both, keep real errors.)
"${NM}/.bin/rtlcss" "${CSS_DIR}/app.css" "${CSS_DIR}/app.rtl.css" >/dev/null 2> >(grep -v 'No config present' >&2)
cmp -s "${CSS_DIR}/app.css" "${CSS_DIR}/app.rtl.css" && die "app.rtl.css is identical to app.css"

# --- vendored files ----------------------------------------------------------
# fresh_dir PARENT NAME VERSION: remove every PARENT/NAME-<version> folder
# (older or current), create PARENT/NAME-VERSION and print its path.
fresh_dir() {
  local parent="$1" name="$2" ver="$3" d
  mkdir -p "${parent}"
  for d in "${parent}/${name}-"[0-9]*; do
    [[ -d "${d}" ]] && rm -rf -- "${d}"
  done
  mkdir -p "${parent}/${name}-${ver}"
  printf '%s\n' "${parent}/${name}-${ver}"
}

say "vendoring govuk-frontend ${GOVUK_VER}"
d="$(fresh_dir "${VENDOR_DIR}" govuk-frontend "${GOVUK_VER}")"
# The ES module bundle (needs <script type="module">) and its source map,
# which the bundle names in its sourceMappingURL comment. No images, fonts or
# manifest: those are GOV.UK branding.
cp "${NM}/govuk-frontend/dist/govuk/govuk-frontend.min.js" "${d}/"
cp "${NM}/govuk-frontend/dist/govuk/govuk-frontend.min.js.map" "${d}/"
# The npm package ships no licence file; use the package's own if a future
# version adds one, otherwise the upstream LICENSE.txt kept in frontend/licenses.
govuk_licence="$(find "${NM}/govuk-frontend" -maxdepth 1 -type f -iname 'licen[cs]e*' | head -n 1)"
cp "${govuk_licence:-${FRONTEND_DIR}/licenses/govuk-frontend-LICENSE.txt}" "${d}/LICENSE.txt"

say "vendoring leaflet ${LEAFLET_VER}"
d="$(fresh_dir "${VENDOR_DIR}" leaflet "${LEAFLET_VER}")"
cp "${NM}/leaflet/dist/leaflet.js" "${NM}/leaflet/dist/leaflet.js.map" "${NM}/leaflet/dist/leaflet.css" "${d}/"
mkdir -p "${d}/images"
cp "${NM}/leaflet/dist/images/"*.png "${d}/images/"
cp "${NM}/leaflet/LICENSE" "${d}/LICENSE"

say "vendoring leaflet.markercluster ${CLUSTER_VER}"
d="$(fresh_dir "${VENDOR_DIR}" leaflet.markercluster "${CLUSTER_VER}")"
cp "${NM}/leaflet.markercluster/dist/leaflet.markercluster.js" \
   "${NM}/leaflet.markercluster/dist/leaflet.markercluster.js.map" \
   "${NM}/leaflet.markercluster/dist/MarkerCluster.css" \
   "${NM}/leaflet.markercluster/dist/MarkerCluster.Default.css" "${d}/"
cp "${NM}/leaflet.markercluster/MIT-LICENCE.txt" "${d}/LICENSE"

say "vendoring htmx.org ${HTMX_VER}"
d="$(fresh_dir "${VENDOR_DIR}" htmx "${HTMX_VER}")"
cp "${NM}/htmx.org/dist/htmx.min.js" "${d}/"
cp "${NM}/htmx.org/LICENSE" "${d}/LICENSE"

say "vendoring axe-core ${AXE_VER} (browser tests only)"
d="$(fresh_dir "${TEST_VENDOR_DIR}" axe-core "${AXE_VER}")"
cp "${NM}/axe-core/axe.min.js" "${d}/"
cp "${NM}/axe-core/LICENSE" "${d}/LICENSE"
cp "${NM}/axe-core/LICENSE-3RD-PARTY.txt" "${d}/LICENSE-3RD-PARTY.txt"

# Plain file permissions (some packages ship their files executable).
find "${VENDOR_DIR}" "${TEST_VENDOR_DIR}" -type d -exec chmod 755 {} +
find "${VENDOR_DIR}" "${TEST_VENDOR_DIR}" -type f -exec chmod 644 {} +

# --- README ------------------------------------------------------------------
say "writing static/vendor/README.md"
cat > "${VENDOR_DIR}/README.md" <<EOF
# Vendored front-end files

Generated by \`frontend/build.sh\` — do not edit by hand.

Rebuild with \`make assets\` (runs frontend/build.sh; needs Node and npm only for rebuilding — the built files are committed).
Versions are pinned in \`frontend/package.json\` / \`frontend/package-lock.json\`.
Each package lives in a folder named with its version, next to its licence file.

| Package | Version | Licence | Folder | Files |
| --- | --- | --- | --- | --- |
| govuk-frontend | ${GOVUK_VER} | $(licence_of govuk-frontend) | \`static/vendor/govuk-frontend-${GOVUK_VER}/\` | \`govuk-frontend.min.js\` (ES module), \`LICENSE.txt\` |
| leaflet | ${LEAFLET_VER} | $(licence_of leaflet) | \`static/vendor/leaflet-${LEAFLET_VER}/\` | \`leaflet.js\`, \`leaflet.css\`, \`images/\`, \`LICENSE\` |
| leaflet.markercluster | ${CLUSTER_VER} | $(licence_of leaflet.markercluster) | \`static/vendor/leaflet.markercluster-${CLUSTER_VER}/\` | \`leaflet.markercluster.js\`, \`MarkerCluster.css\`, \`MarkerCluster.Default.css\`, \`LICENSE\` |
| htmx.org | ${HTMX_VER} | $(licence_of htmx.org) | \`static/vendor/htmx-${HTMX_VER}/\` | \`htmx.min.js\`, \`LICENSE\` |
| axe-core | ${AXE_VER} | $(licence_of axe-core) | \`tests/browser/vendor/axe-core-${AXE_VER}/\` | \`axe.min.js\`, \`LICENSE\`, \`LICENSE-3RD-PARTY.txt\` (browser tests only, never served) |

The \`.js.map\` files beside govuk-frontend, leaflet and leaflet.markercluster
are the packages' own source maps, named by the scripts' \`sourceMappingURL\`
comments (Django's ManifestStaticFilesStorage needs them to exist).

GOV.UK Frontend is compiled from Sass into \`static/css/app.css\` (and the
right-to-left mirror \`static/css/app.rtl.css\`) without GOV.UK branding: Arial
instead of the GDS Transport font, and none of the package's crown, crest,
favicon or font files are copied.
EOF

say "done: static/css/app.css ($(wc -c < "${CSS_DIR}/app.css") bytes), static/css/app.rtl.css, static/vendor/, tests/browser/vendor/"
