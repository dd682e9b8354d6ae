"""stadtgraph's library: sources → records → SHACL gate → store → inference → publishing. Never imports Flask."""
