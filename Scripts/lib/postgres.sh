# Sourced by Scripts/*: throw-away PostgreSQL servers on 127.0.0.1 for one run (TOOLCHAIN.md).
#   start_test_postgres     installs Debian's postgresql when missing (as root, starting no
#                           service), starts a cluster in a temporary folder on a free port and
#                           exports KAIBAN_TEST_POSTGRES=postgres://kaiban@127.0.0.1:PORT/kaiban;
#                           returns 1 (saying what to install) when it cannot. Then starts a
#                           second cluster the tests may stop and start again (a database restart
#                           must not disturb the tests running on the first): exports
#                           KAIBAN_TEST_POSTGRES_RESTARTABLE (its address) and
#                           KAIBAN_TEST_POSTGRES_CONTROL (a script: `stop` | `start`).
#   stop_test_postgres      stops both and removes their folders (call it from the script's EXIT trap).
kaiban_pg_dirs=()

kaiban_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# kaiban_pg_cluster: starts one cluster; prints its folder then its port (two lines).
kaiban_pg_cluster() {
  local bin="$1" dir port run=()
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kaiban-pg.XXXXXX")
  # A free port below Linux's ephemeral range (32768-60999): one the kernel picked there could be
  # taken, while the restartable server is stopped, as the source port of a test's connection.
  port=$(python3 -c '
import random, socket
for _ in range(200):
    port = random.randrange(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("no free port between 20000 and 32000 on 127.0.0.1")') || { rm -rf "$dir"; return 1; }
  # initdb refuses root: as root the cluster belongs to the postgres user.
  if [ "$(id -u)" = "0" ]; then
    chown postgres "$dir"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$dir/data" -A trust -U kaiban -E UTF8 --locale C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { echo "initdb failed:" >&2; cat "$dir/initdb.log" >&2; rm -rf "$dir"; return 1; }
  # Room for the parameterised desk suites, which open and migrate many databases at once (each
  # migration holds a lock on every table it makes until it commits: "out of shared memory" else).
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300 -c max_locks_per_transaction=256" start >/dev/null ||
    { echo "PostgreSQL did not start:" >&2; cat "$dir/log" >&2; rm -rf "$dir"; return 1; }
  "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U kaiban kaiban
  cat >"$dir/control" <<CONTROL
#!/bin/sh
# The tests' PostgreSQL server on 127.0.0.1:$port: stop | start.
case "\$1" in
  stop) exec ${run[*]} "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
  start) exec ${run[*]} "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \\
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300 -c max_locks_per_transaction=256" start >/dev/null ;;
  *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
CONTROL
  chmod 755 "$dir/control"
  echo "$dir"
  echo "$port"
}

start_test_postgres() {
  local bin out dir port
  bin=$(kaiban_pg_bin)
  if [ -z "$bin" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
      echo "== installing postgresql (no service started)" >&2
      # A policy that forbids starting services: the package's own cluster must not start.
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        postgresql >/dev/null
      rm -f /usr/sbin/policy-rc.d
      bin=$(kaiban_pg_bin)
    fi
    if [ -z "$bin" ]; then
      echo "the PostgreSQL tests need a server: sudo apt-get install postgresql" >&2
      return 1
    fi
  fi
  out=$(kaiban_pg_cluster "$bin") || return 1
  dir=$(echo "$out" | sed -n 1p); port=$(echo "$out" | sed -n 2p)
  kaiban_pg_dirs+=("$dir")
  export KAIBAN_TEST_POSTGRES="postgres://kaiban@127.0.0.1:$port/kaiban"
  out=$(kaiban_pg_cluster "$bin") || return 1
  dir=$(echo "$out" | sed -n 1p); port=$(echo "$out" | sed -n 2p)
  kaiban_pg_dirs+=("$dir")
  export KAIBAN_TEST_POSTGRES_RESTARTABLE="postgres://kaiban@127.0.0.1:$port/kaiban"
  export KAIBAN_TEST_POSTGRES_CONTROL="$dir/control"
  echo "== PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests at $KAIBAN_TEST_POSTGRES (and one to restart at $KAIBAN_TEST_POSTGRES_RESTARTABLE)" >&2
}

stop_test_postgres() {
  local bin run=() dir
  bin=$(kaiban_pg_bin)
  [ "$(id -u)" = "0" ] && run=(runuser -u postgres --)
  for dir in "${kaiban_pg_dirs[@]}"; do
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  done
  kaiban_pg_dirs=()
}
