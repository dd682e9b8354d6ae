#!/usr/bin/env bash
# Tools the tests drive for real: Debian's headless chromium (browser tests) and Debian's Virtuoso
# (the remote-store tests start their own instance on 127.0.0.1 with scripts/virtuoso.sh).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    # The package's own system service must not start: it would listen on every interface with the
    # well-known dba password. Deny service starts during the install (unless a policy exists already)
    # and disable the service afterwards; the tests never use it.
    guard=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || status=$?
    [ -n "$guard" ] && rm -f /usr/sbin/policy-rc.d
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl disable --now virtuoso-opensource-7 >/dev/null 2>&1 || true
    fi
    [ -z "${status:-}" ] || exit "$status"
  else
    echo "missing ${need[*]}: browser and Virtuoso tests will be skipped" >&2
  fi
fi
exit 0
