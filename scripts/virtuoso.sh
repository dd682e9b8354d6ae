#!/usr/bin/env bash
# A private Virtuoso for tests and benchmarks: own database and virtuoso.ini in DIR, 127.0.0.1 only.
#
#   scripts/virtuoso.sh start DIR PORT   HTTP on 127.0.0.1:PORT, SQL (isql) on 127.0.0.1:PORT+1
#   scripts/virtuoso.sh stop  DIR        shut it down (checkpoint-free; DIR may be deleted afterwards)
#
# It never touches the system-wide service or /var/lib/virtuoso-opensource-7. A new database gets the
# well-known default dba password unless VIRTUOSO_DBA_PASSWORD is set: fine for a throw-away test
# instance on loopback, never for a real one (see README, "Externer Speicher").
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }

virtuoso_bin=$(command -v virtuoso-t || true)
isql_bin=$(command -v isql-vt || command -v isql || true)

pid_of() {
  # Virtuoso writes its pid into the lock file while it runs.
  [ -f "$dir/virtuoso.lck" ] && sed -n 's/^VIRT_PID=//p' "$dir/virtuoso.lck" | head -n1 || true
}

start() {
  local port=${1:?PORT}
  local sql_port=$((port + 1))
  [ -n "$virtuoso_bin" ] || { echo "virtuoso-t not installed (apt-get install virtuoso-opensource)" >&2; exit 3; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  cat >"$dir/virtuoso.ini" <<EOF
; Written by scripts/virtuoso.sh: a private instance, loopback only.
[Database]
DatabaseFile    = $dir/virtuoso.db
ErrorLogFile    = $dir/virtuoso.log
LockFile        = $dir/virtuoso.lck
TransactionFile = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel   = 7
FileExtend      = 200
MaxCheckpointRemap = 2000
Striping        = 0
TempStorage     = TempDatabase

[TempDatabase]
DatabaseFile    = $dir/virtuoso-temp.db
TransactionFile = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping        = 0

[Parameters]
; host:port binds the SQL listener to loopback only.
ServerPort           = 127.0.0.1:$sql_port
LiteMode             = 0
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
O_DIRECT             = 0
CaseMode             = 2
MaxStaticCursorRows  = 5000
CheckpointAuditTrail = 0
AllowOSCalls         = 0
SchedulerInterval    = 10
; ld_dir (bulk load over isql) may read files from here only.
DirsAllowed          = ., $dir
ThreadCleanupInterval = 0
ThreadThreshold      = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize    = 100000
SingleCPU            = 0
PrefixResultNames    = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps        = 64
MaxQueryMem          = 1G
VectorSize           = 1000
MaxVectorSize        = 1000000
AdjustVectorSize     = 0
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 10
; ~1 GB of buffers: enough for the 1M-triple benchmark without swapping.
NumberOfBuffers      = 85000
MaxDirtyBuffers      = 65000
; Large replace_graphs transactions must not be cut by the default 50 MB after-image limit.
TransactionAfterImageLimit = 1500000000

[HTTPServer]
ServerPort           = 127.0.0.1:$port
ServerRoot           = $dir
MaxClientConnections = 10
DavRoot              = DAV
EnabledDavVSP        = 0
HTTPProxyEnabled     = 0
TempASPXDir          = 0
ServerThreads        = 10
MaxKeepAlives        = 10
KeepAliveTimeout     = 10
MaxCachedProxyConnections = 0
ProxyConnectionCacheTimeout = 15
HTTPThreadSize       = 280000
HttpPrintWarningsInOutput = 0
Charset              = UTF-8
EnabledGzipContent   = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[URIQA]
DynamicLocal = 0
DefaultHost  = 127.0.0.1:$port

[SPARQL]
; The backend pages through large results itself; the endpoint caps rows on its own.
ResultSetMaxRows           = 100000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 300
DefaultGraph               =
EOF
  if [ -n "$(pid_of)" ] && kill -0 "$(pid_of)" 2>/dev/null; then
    echo "already running (pid $(pid_of))" >&2
    exit 0
  fi
  (cd "$dir" && "$virtuoso_bin" +configfile "$dir/virtuoso.ini" +wait) >"$dir/start.log" 2>&1 || {
    cat "$dir/start.log" "$dir/virtuoso.log" 2>/dev/null | tail -n 30 >&2
    exit 1
  }
  # +wait returns once the server is initialised; the HTTP listener can still lag a moment.
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  if [ -n "${VIRTUOSO_DBA_PASSWORD:-}" ] && [ -n "$isql_bin" ] && [ ! -f "$dir/.password-set" ]; then
    "$isql_bin" "127.0.0.1:$sql_port" dba dba \
      exec="USER_SET_PASSWORD('dba', '${VIRTUOSO_DBA_PASSWORD}');" >/dev/null
    touch "$dir/.password-set"
  fi
  echo "virtuoso pid $(pid_of): http://127.0.0.1:$port/sparql, isql 127.0.0.1:$sql_port"
}

stop() {
  local pid
  pid=$(pid_of)
  [ -n "$pid" ] || { echo "not running" >&2; exit 0; }
  # The instance is disposable: SIGTERM ends it without waiting for a checkpoint.
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { echo "stopped"; return 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  echo "killed"
}

case "$cmd" in
  start) start "${3:-}" ;;
  stop) stop ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
