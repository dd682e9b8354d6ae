"""Sources: each source read into records (one named graph each) with provenance.
Never imports the store, the gate, inference or anything above them; graph/loaders.py picks a reader per file."""
