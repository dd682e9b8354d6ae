"""The SPARQL endpoint's read side, HTTP-free: protocol parsing (protocol), executors and runner processes
(executors), results (results), curated queries (curated), OpenAPI and the Service Description."""
