"""SHACL validation and the gate every write passes (placeholder until the stewards' issue lands)."""
from __future__ import annotations

from dataclasses import dataclass, field

import rdflib

from graph.records import Record
from graph.settings import Settings


@dataclass
class Refusal:
    record: Record
    findings: list = field(default_factory=list)


@dataclass
class Verdict:
    accepted: list[Record] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    warnings: int = 0


class Gate:
    def __init__(self, settings: Settings, ontology: rdflib.Graph | None = None) -> None:
        self.settings = settings

    def check(self, records: list[Record]) -> Verdict:
        return Verdict(accepted=list(records))
