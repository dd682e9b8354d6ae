"""Reference data (YAML files kept by the city's stewards): units, places, indicators, glossary; the
section table (sections), the entry builders (entries) and the loader (loader)."""
