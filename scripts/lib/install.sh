# shellcheck shell=bash
# Installs what a fresh Debian 12 machine lacks for scripts/test.sh. Each function
# does nothing when its part is already there. Sourced; needs lib/common.sh.

SYSTEM_PACKAGES=(postgresql chromium chromium-driver)

package_installed() { # name
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]
}

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    else
        sudo "$@"
    fi
}

install_system_packages() {
    local missing=() pkg
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        package_installed "$pkg" || missing+=("$pkg")
    done
    command -v curl >/dev/null || missing+=(curl)
    python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
    if ((${#missing[@]} == 0)); then
        note "system packages present: ${SYSTEM_PACKAGES[*]}"
        return 0
    fi
    note "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# install_python_venv DIR REQUIREMENTS: create the venv and install the pinned
# requirements, again only when the requirements file changed.
install_python_venv() {
    local venv="$1" requirements="$2" stamp want
    stamp="$venv/.requirements.sha256"
    want="$(file_hash "$requirements")"
    if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        note "python venv up to date: $venv"
        return 0
    fi
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    printf '%s\n' "$want" >"$stamp"
}

# install_node_modules DIR: `npm ci` when node_modules is missing or the lockfile
# changed. Browsers are never downloaded: the tests use Debian's /usr/bin/chromium.
install_node_modules() {
    local dir="$1" stamp want
    stamp="$dir/node_modules/.bisidder-lock.sha256"
    want="$(file_hash "$dir/package.json" "$dir/package-lock.json")"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        note "node_modules up to date: $dir"
        return 0
    fi
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
    printf '%s\n' "$want" >"$stamp"
}
