"""Writing the store: the build from sources (build), writes by the Graph Store (writes), their audit
log (audit) and the write tokens (tokens)."""
