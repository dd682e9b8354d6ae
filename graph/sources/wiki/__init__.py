"""The city's MediaWiki: page texts and XML exports (pages), the markup helpers (markup), the concept
and Themenfeld parsers (konzept, themenfeld) and the records built from them (records)."""
