"""Publishing for portals: the DCAT-AP.de catalog (catalog), VoID (void), dumps (dumps), vocabulary
documentation (vocab_docs) and a per-store-state cache of those documents (cache)."""
