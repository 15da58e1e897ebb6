# Shared steps of scripts/run.sh and scripts/test.sh: the virtualenv, system packages, translations.
# Sourced, not run; expects to be in the project root.

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$PROJECT_ROOT/.venv}"
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3 python; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)." >&2
    return 1
}

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

APT_UPDATED=""
# apt_install PACKAGE...: install the Debian packages not yet installed; return non-zero if that fails.
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! can_apt; then
        warn "missing system packages: ${missing[*]} (install them as root with apt-get)"
        return 1
    fi
    say "Installing system packages: ${missing[*]}"
    if [ -z "$APT_UPDATED" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null || return 1
}

# ensure_venv [EXTRA]: create .venv and install the project (with an optional extra) when out of date.
ensure_venv() {
    local extra="${1:-}" python stamp spec="."
    [ -n "$extra" ] && spec=".[$extra]"
    stamp="$VENV/.sellerops-installed${extra:+-$extra}"
    if [ ! -x "$PY" ]; then
        python="$(find_python)"
        say "Creating $VENV with $("$python" --version)"
        if ! "$python" -m venv "$VENV"; then
            rm -rf "$VENV"
            apt_install python3-venv && "$python" -m venv "$VENV"
        fi
    fi
    if [ ! -f "$stamp" ] || [ "$PROJECT_ROOT/pyproject.toml" -nt "$stamp" ]; then
        say "Installing Python packages: pip install -e \"$spec\""
        "$PY" -m pip install --disable-pip-version-check -q -e "$PROJECT_ROOT/$spec"
        touch "$stamp"
    fi
}

has_translations() {
    find "$PROJECT_ROOT" -path "$VENV" -prune -o -path "$PROJECT_ROOT/.git" -prune \
        -o -name '*.po' -path '*/LC_MESSAGES/*' -print -quit | grep -q .
}

compile_messages() {
    has_translations || return 0
    if ! command -v msgfmt >/dev/null 2>&1 && ! apt_install gettext; then
        warn "gettext is missing: the interface stays in English"
        return 0
    fi
    say "Compiling translations"
    "$PY" manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
}

# WhiteNoise warns on every request handler it builds while STATIC_ROOT does not exist.
ensure_static_root() { mkdir -p "${STATIC_ROOT:-$PROJECT_ROOT/staticfiles}"; }

cd "$PROJECT_ROOT"
