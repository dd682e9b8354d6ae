"""Operations: JSON logs (logs), Prometheus metrics (metrics) and readiness (health). metrics fixes
prometheus' multiprocess mode when first imported: serving sets PROMETHEUS_MULTIPROC_DIR before that."""
