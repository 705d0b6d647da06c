# Sourced by Scripts/*: makes sure the system libraries Kaiban links against are installed.
# As root it installs what is missing with apt-get; otherwise it says exactly what to install.
kaiban_packages=(libsqlite3-dev libxml2-dev libssl-dev openssl pkg-config)
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
