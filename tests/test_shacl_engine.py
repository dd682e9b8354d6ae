"""The fast engine (Rust core constraints + pyoxigraph SPARQL) against plain pySHACL: the same findings on
a broken fixture world, on the shipped data and on a small synthetic graph with defects."""
from __future__ import annotations

import pyshacl
import pytest
import rdflib
from rdflib import BNode, Literal

from graph.gate import engine as shacl_engine
from graph.gate.validation import Validator
from graph.iris import Iris
from graph.loaders import load_paths
from graph.namespaces import SH
from tests.conftest import DATA
from tests.test_shapes import CASES, PREFIXES, WORLD


def pyshacl_keys(data: rdflib.Graph, shapes: rdflib.Graph) -> set[tuple]:
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=True)
    keys = set()
    for r in report.objects(None, SH.result):  # top level only, not the nested sh:detail results
        value = report.value(r, SH.value)
        keys.add((report.value(r, SH.focusNode), report.value(r, SH.resultPath), value,
                  report.value(r, SH.sourceShape), report.value(r, SH.sourceConstraintComponent),
                  report.value(r, SH.resultSeverity),
                  frozenset(str(m) for m in report.objects(r, SH.resultMessage))))
    return keys


def fast_keys(validator: Validator, data: rdflib.Graph) -> set[tuple]:
    store = shacl_engine.dataset(list(data))
    return {(*f.key(), frozenset(m for _, m in f.messages))
            for f in shacl_engine.validate(validator.shapes, store)}


def with_classes(validator: Validator, g: rdflib.Graph) -> rdflib.Graph:
    for t in validator.classes:
        g.add(t)
    return g


@pytest.fixture(scope="module")
def validator(settings) -> Validator:
    return Validator(settings)


def test_same_findings_as_pyshacl_on_a_broken_world(validator):
    """Every break of tests/test_shapes.py at once, blank nodes and SPARQL constraints included."""
    g = with_classes(validator, rdflib.Graph().parse(WORLD, format="turtle"))
    for case in CASES:
        g.update(PREFIXES + case.update)
    fast = fast_keys(validator, g)
    assert len(fast) > 60
    assert any(isinstance(k[2], BNode) for k in fast)  # blank nodes come back as themselves
    assert fast == pyshacl_keys(g, validator.shapes.graph)


@pytest.mark.slow
def test_same_findings_as_pyshacl_on_the_shipped_data(validator, settings):
    loaded = load_paths([DATA], Iris(settings.base_iri), root=DATA)
    g = with_classes(validator, rdflib.Graph())
    for record in loaded.records:
        for t in record.triples:
            g.add(t)
    fast = fast_keys(validator, g)
    assert fast == pyshacl_keys(g, validator.shapes.graph)
    assert not any(k[5] == SH.Violation for k in fast)


@pytest.mark.slow
def test_same_findings_as_pyshacl_on_a_synthetic_graph_with_defects(validator):
    from bench.synthetic import generate_records

    g = with_classes(validator, rdflib.Graph())
    for _, triples in generate_records(1500, seed=3, defect_rate=0.5):
        for t in triples:
            g.add(t)
    fast = fast_keys(validator, g)
    assert len({k[3] for k in fast if k[5] == SH.Violation}) >= 3  # several kinds of defect are in it
    assert fast == pyshacl_keys(g, validator.shapes.graph)


def test_numbers_read_back_from_the_store_still_conform(validator):
    """pyoxigraph stores xsd:positiveInteger as xsd:integer; a VOLFDNR read back must not become a violation."""
    g = rdflib.Graph().parse(WORLD, format="turtle")
    g.update(PREFIXES + 'DELETE { ?v ob:volfdnr ?n } INSERT { ?v ob:volfdnr "4711"^^xsd:integer } WHERE { ?v ob:volfdnr ?n }')
    assert validator.validate([], list(g)).findings == []


def test_a_broken_shapes_file_fails_at_load(tmp_path):
    from graph.errors import ConfigurationError
    from graph.gate.shapes import load_shapes

    (tmp_path / "x.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ; "
        'sh:message "nur deutsch"@de .', encoding="utf-8")
    with pytest.raises(ConfigurationError, match="sh:message"):
        load_shapes(tmp_path)
    (tmp_path / "x.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ; "
        'sh:message "de"@de , "en"@en ; sh:sparql [ sh:select "SELECT $this WHERE { $this ?p }" ] .',
        encoding="utf-8")
    with pytest.raises(ConfigurationError, match="SPARQL"):
        load_shapes(tmp_path)


def test_literal_values_keep_their_language(validator):
    g = rdflib.Graph().parse(WORLD, format="turtle")
    g.update(PREFIXES + 'DELETE { ?k ob:ziel ?z } INSERT { ?k ob:ziel ""@de } WHERE { ?k ob:ziel ?z }')
    (finding,) = validator.validate([], list(g)).findings
    assert finding.value == Literal("", lang="de")
