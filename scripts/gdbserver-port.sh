#!/usr/bin/env bash
# Waits until 'rewind gdbserver --listen 0' names its port in its log (stderr), and prints it.
#   port=$(scripts/gdbserver-port.sh LOG SECONDS [PID])
# Exit status 1, with the log on stderr, when no port came within SECONDS or PID (the server) ended.
set -euo pipefail
log="$1" seconds="$2" pid="${3:-}"
for _ in $(seq 1 $((seconds * 10))); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" 2> /dev/null | head -n 1 || true)
  [ -n "$port" ] && { echo "$port"; exit 0; }
  [ -z "$pid" ] || kill -0 "$pid" 2> /dev/null || break
  sleep 0.1
done
echo "gdbserver did not start (log $log):" >&2
cat "$log" >&2 2> /dev/null || true
exit 1
