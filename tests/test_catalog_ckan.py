"""The catalog harvested by CKAN with ckanext-dcat, as GovData and Open.NRW run it: every dataset of every
page is read, and CKAN's package schema takes each one (tags, names, resources)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
HARVEST = Path(__file__).parent / "fixtures" / "ckan_harvest.py"


@pytest.fixture(scope="module")
def small_pages(start_live_server):
    return start_live_server(workers=1, catalog_page_size=5)


def ckan_harvest(url: str, rdf_format: str, profile: str) -> dict:
    done = subprocess.run([sys.executable, str(HARVEST), url, rdf_format, profile], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("profile", ["euro_dcat_ap_2", "euro_dcat_ap_3"])
@pytest.mark.parametrize(("fmt", "rdf_format"), [("turtle", "turtle"), ("rdfxml", "xml"), ("jsonld", "json-ld")])
def test_ckan_takes_every_dataset_on_every_page(small_pages, fmt, rdf_format, profile):
    result = ckan_harvest(f"{small_pages.url}/catalog?format={fmt}", rdf_format, profile)
    datasets = result["datasets"]
    assert result["pages"] == 4 and len(datasets) == 17
    assert len({d["title"] for d in datasets}) == 17
    refused = {d["title"]: d["errors"] for d in datasets if d["errors"]}
    assert refused == {}
    for d in datasets:
        assert d["spatial_uri"] == "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05119000", d["title"]
        assert d["resources"] and all(r["format"] for r in d["resources"]), d
    tags = {t for d in datasets for t in d["tags"]}
    assert {"Alstaden-Lirich", "Bildung und Kultur"} <= tags
