#!/usr/bin/env bash
# Tools the tests drive for real: Debian's headless chromium (browser tests) and Debian's Virtuoso
# (the remote-store tests start their own instance on 127.0.0.1 with scripts/virtuoso.sh), and Debian's
# MediaWiki 1.39 with PHP and SQLite (the harvest tests make their own wiki, served by php -S on 127.0.0.1).
set -euo pipefail
need=()
wiki=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
# Naming php8.2-cgi and micro-httpd keeps apt from choosing apache2 for mediawiki's web-server dependency.
if [ ! -f /usr/share/mediawiki/maintenance/install.php ] || ! command -v php >/dev/null 2>&1; then
  wiki=(mediawiki php8.2-cgi micro-httpd php-sqlite3 php-cli php-intl php-mbstring php-xml)
fi
if [ ${#need[@]} -gt 0 ] || [ ${#wiki[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    # The package's own system service must not start: it would listen on every interface with the
    # well-known dba password. Deny service starts during the install (unless a policy exists already)
    # and disable the service afterwards; the tests never use it.
    guard=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1
    fi
    apt-get update -qq || status=$?
    if [ -z "${status:-}" ] && [ ${#need[@]} -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || status=$?
    fi
    if [ -z "${status:-}" ] && [ ${#wiki[@]} -gt 0 ]; then  # only what is named: no Apache, no recommends
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wiki[@]}" >/dev/null \
        || status=$?
    fi
    [ -n "$guard" ] && rm -f /usr/sbin/policy-rc.d
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl disable --now virtuoso-opensource-7 >/dev/null 2>&1 || true
      systemctl disable --now apache2 >/dev/null 2>&1 || true  # in case a policy let it in after all
    fi
    [ -z "${status:-}" ] || exit "$status"
  else
    echo "missing ${need[*]} ${wiki[*]}: browser, Virtuoso or wiki harvest tests will be skipped" >&2
  fi
fi
exit 0
