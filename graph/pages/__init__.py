"""View models for the HTML pages: resource descriptions (describe), browsing (browse), the home
overview (overview), concept pages (concept) and the synergy picture (synergy_map)."""
