# Sourced by Scripts/*: makes sure the system libraries Kaiban links against are installed.
# As root it installs what is missing with apt-get; otherwise it says exactly what to install.
# libxml2-utils and openssl: the command-line tools that tests use as independent checks (xmllint, openssl dgst).
kaiban_packages=(libsqlite3-dev libxml2-dev libssl-dev pkg-config libxml2-utils openssl)
missing=()
for p in "${kaiban_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "== installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "Kaiban needs these system packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
if ! command -v swift >/dev/null; then
  echo "Kaiban needs Swift 6.1 or later on the PATH (https://www.swift.org/install/)." >&2
  exit 1
fi

# require_optional_packages WHAT PACKAGE…: packages only some scripts or tests need (chromium and a
# CJK font to render pages). As root, installs what is missing; otherwise says what to install
# and returns 1. A package counts as present when its command (chromium) or, for fonts-noto-cjk,
# a Chinese font is found, whoever installed it.
require_optional_packages() {
  local what=$1
  shift
  local need=()
  for p in "$@"; do
    case "$p" in
      chromium) command -v chromium >/dev/null || command -v chromium-browser >/dev/null || need+=(chromium) ;;
      fonts-noto-cjk) fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk) ;;
      *) dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p") ;;
    esac
  done
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "== installing ${need[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    return 0
  fi
  echo "$what needs: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install ${need[*]}" >&2
  return 1
}
