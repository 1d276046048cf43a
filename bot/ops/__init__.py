"""Operations: readiness checks, Prometheus metrics and the log context of each update."""
