#!/usr/bin/env bash
# Refresh the vendored front-end files under crates/bisidder/static/vendor/ from the
# npm registry, at the pinned versions below. Run it after changing a version, then
# review `git diff --stat` and commit the result (the files are served as they are;
# nothing is built at run time).
#
#   scripts/vendor-assets.sh
#
# What is kept, and why:
#   dkfds/    Det Fælles Designsystem: the default theme's minified CSS and JS, the font
#             and image files that CSS refers to (checked below), the icon sprite for
#             <svg><use href=".../all-svg-icons.svg#name"/></svg>, LICENSE.md and the
#             IBM Plex Sans licence (OFL-1.1).
#   htmx/     htmx.min.js and its LICENSE (0BSD).
# Source maps are not vendored, so their sourceMappingURL comments are removed.
set -euo pipefail
shopt -s inherit_errexit

DKFDS_VERSION="${DKFDS_VERSION:-11.2.0}"
HTMX_VERSION="${HTMX_VERSION:-2.0.11}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vendor="$root/crates/bisidder/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

log() { printf '==> %s\n' "$*"; }

# npm pack fetches the published tarball (verified against the registry's integrity
# hash) without running any install script or resolving dependencies.
fetch() { # name version -> prints the unpacked package directory
    local name="$1" version="$2" tarball dir
    tarball="$(cd "$work" && npm pack --silent "$name@$version" 2>/dev/null | tail -n 1)"
    dir="$work/${name//\//_}"
    mkdir -p "$dir"
    tar -xzf "$work/$tarball" -C "$dir"
    printf '%s\n' "$dir/package"
}

strip_source_map_comment() { # file
    sed -i -E '/^\/[*\/]# sourceMappingURL=.*$/d' "$1"
}

# Every url(...) in a CSS file must point to a vendored file (data: URIs excepted).
check_css_urls() { # css_file
    local css="$1" dir url missing=0
    dir="$(dirname "$css")"
    while IFS= read -r url; do
        url="${url#url(}"; url="${url%)}"
        url="${url//\"/}"; url="${url//\'/}"
        url="${url%%[?#]*}"
        case "$url" in data:*|'') continue ;; esac
        if [[ ! -f "$dir/$url" ]]; then
            echo "missing file for url($url) in $css" >&2
            missing=1
        fi
    done < <(grep -o 'url([^)]*)' "$css" | sort -u)
    return "$missing"
}

vendor_dkfds() {
    local pkg dest css url
    log "dkfds $DKFDS_VERSION"
    pkg="$(fetch dkfds "$DKFDS_VERSION")"
    dest="$vendor/dkfds"
    rm -rf "$dest"
    mkdir -p "$dest/css" "$dest/js" "$dest/img" "$dest/fonts/IBMPlexSans"

    cp "$pkg/dist/css/dkfds.min.css" "$dest/css/"
    cp "$pkg/dist/js/dkfds.min.js" "$dest/js/"
    cp "$pkg/dist/img/all-svg-icons.svg" "$dest/img/"
    cp "$pkg/LICENSE.md" "$dest/LICENSE.md"
    cp "$pkg/dist/fonts/IBMPlexSans/complete/woff2/license.txt" "$dest/fonts/IBMPlexSans/LICENSE-OFL.txt"
    strip_source_map_comment "$dest/css/dkfds.min.css"
    strip_source_map_comment "$dest/js/dkfds.min.js"

    # Copy exactly the fonts and images the stylesheet refers to, keeping their
    # relative paths (../fonts/..., ../img/...).
    css="$dest/css/dkfds.min.css"
    while IFS= read -r url; do
        url="${url#url(}"; url="${url%)}"
        url="${url//\"/}"; url="${url//\'/}"
        url="${url%%[?#]*}"
        case "$url" in data:*|'') continue ;; ../*) ;; *)
            echo "unexpected url($url) in $css" >&2; return 1 ;;
        esac
        mkdir -p "$(dirname "$dest/${url#../}")"
        cp "$pkg/dist/${url#../}" "$dest/${url#../}"
    done < <(grep -o 'url([^)]*)' "$css" | sort -u)
    check_css_urls "$css"

    printf '%s\n' "$DKFDS_VERSION" >"$dest/VERSION"
}

vendor_htmx() {
    local pkg dest
    log "htmx.org $HTMX_VERSION"
    pkg="$(fetch htmx.org "$HTMX_VERSION")"
    dest="$vendor/htmx"
    rm -rf "$dest"
    mkdir -p "$dest"
    cp "$pkg/dist/htmx.min.js" "$dest/"
    cp "$pkg/LICENSE" "$dest/LICENSE"
    strip_source_map_comment "$dest/htmx.min.js"
    printf '%s\n' "$HTMX_VERSION" >"$dest/VERSION"
}

vendor_dkfds
vendor_htmx

log "vendored files"
( cd "$vendor" && du -sh dkfds htmx && find dkfds htmx -type f | wc -l | sed 's/$/ files/' )
