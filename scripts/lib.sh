# Shared by scripts/ci.sh and scripts/start.sh. Needs only bash, Node 20 and npm on the machine.
PNPM_VERSION=10.34.8

pnpm() { npx -y "pnpm@${PNPM_VERSION}" "$@"; }

step() {
  local name=$1; shift
  echo "::: ${name}"
  local start=$SECONDS
  "$@"
  echo "::: ${name} done in $((SECONDS - start)) s"
}

# Debian packages the build and tests use (chromium for the browser tests, libdnnl-dev for the native kernels);
# installed only when missing.
ensure_apt_packages() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=''
  [ "$(id -u)" -ne 0 ] && sudo='sudo'
  echo "::: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_pnpm_install() {
  step "install" pnpm install --frozen-lockfile
}
