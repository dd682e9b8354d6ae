"""An external SPARQL 1.1 store as the backend: the backend (backend), its HTTP client (http), query
checks (query), journaled atomic writes (writes) and bulk loads (load)."""
