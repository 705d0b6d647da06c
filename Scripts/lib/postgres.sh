# Sourced by Scripts/*: a throw-away PostgreSQL server on 127.0.0.1 for one run (TOOLCHAIN.md).
#   start_test_postgres     installs Debian's postgresql when missing (as root, starting no
#                           service), starts a cluster in a temporary folder on a free port and
#                           exports KAIBAN_TEST_POSTGRES=postgres://kaiban@127.0.0.1:PORT/kaiban;
#                           returns 1 (saying what to install) when it cannot. Also exports
#                           KAIBAN_TEST_POSTGRES_CONTROL: a script that stops (`stop`) and starts
#                           (`start`) the same server again, for the tests of a database restart.
#   stop_test_postgres      stops it and removes its folder (call it from the script's EXIT trap).
kaiban_pg_dir=""

kaiban_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

start_test_postgres() {
  local bin port
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
  kaiban_pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/kaiban-pg.XXXXXX")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # initdb refuses root: as root the cluster belongs to the postgres user.
  local run=()
  if [ "$(id -u)" = "0" ]; then
    chown postgres "$kaiban_pg_dir"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$kaiban_pg_dir/data" -A trust -U kaiban -E UTF8 --locale C.UTF-8 >"$kaiban_pg_dir/initdb.log" 2>&1 ||
    { echo "initdb failed:" >&2; cat "$kaiban_pg_dir/initdb.log" >&2; return 1; }
  "${run[@]}" "$bin/pg_ctl" -D "$kaiban_pg_dir/data" -l "$kaiban_pg_dir/log" -w \
    -o "-p $port -k $kaiban_pg_dir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null ||
    { echo "PostgreSQL did not start:" >&2; cat "$kaiban_pg_dir/log" >&2; return 1; }
  "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U kaiban kaiban
  cat >"$kaiban_pg_dir/control" <<EOF
#!/bin/sh
# The tests' PostgreSQL server on 127.0.0.1:$port: stop | start.
case "\$1" in
  stop) exec ${run[*]} "$bin/pg_ctl" -D "$kaiban_pg_dir/data" -m fast -w stop >/dev/null ;;
  start) exec ${run[*]} "$bin/pg_ctl" -D "$kaiban_pg_dir/data" -l "$kaiban_pg_dir/log" -w \\
    -o "-p $port -k $kaiban_pg_dir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null ;;
  *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
EOF
  chmod 755 "$kaiban_pg_dir/control"
  export KAIBAN_TEST_POSTGRES="postgres://kaiban@127.0.0.1:$port/kaiban"
  export KAIBAN_TEST_POSTGRES_CONTROL="$kaiban_pg_dir/control"
  echo "== PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests at $KAIBAN_TEST_POSTGRES" >&2
}

stop_test_postgres() {
  [ -n "$kaiban_pg_dir" ] || return 0
  local bin run=()
  bin=$(kaiban_pg_bin)
  [ "$(id -u)" = "0" ] && run=(runuser -u postgres --)
  "${run[@]}" "$bin/pg_ctl" -D "$kaiban_pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$kaiban_pg_dir"
  kaiban_pg_dir=""
}
