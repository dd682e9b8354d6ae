"""The search text as people type it, read into clauses and written as an SQLite FTS5 query.

Words are all required; ``"…"`` is a phrase; ``-wort`` or ``-"…"`` excludes; ``OR`` (or ``ODER``) between
two items accepts either. A Drucksache number (``B/16/5505-01``, ``16/5505-01``) is one item. Everything
else people type (``+``, ``*``, ``:``, brackets) is treated as a word separator. What cannot be read is a
:class:`~graph.errors.SearchSyntaxError` (400) that names the problem and where it is.

    >>> [str(c) for c in parse('"wohnungslose Menschen" Quartier -Sport').clauses]
    ['"wohnungslos mensch"', 'quarti', '-sport']
    >>> parse("B/16/5505-01").clauses[0].kind
    'drucksache'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph.errors import SearchSyntaxError
from graph.search.analysis import DRUCKSACHE, PART_MIN, WORD, drucksache_keys, fold, stem, tokens

#: Longest search text (characters) and most items it may have.
MAX_LENGTH = 200
MAX_ITEMS = 12
#: A word shorter than this is not looked for inside compounds (``rad`` would match half the city).
COMPOUND_MIN = PART_MIN - 1
OR_WORDS = {"OR", "ODER"}


@dataclass(frozen=True)
class Clause:
    """One item: ``word`` (one term), ``phrase`` (terms in order) or ``drucksache`` (a paper's number)."""

    kind: str
    terms: tuple[str, ...]
    text: str  # as typed
    negated: bool = False
    keys: tuple[str, ...] = ()

    def __str__(self) -> str:
        body = " ".join(self.terms)
        body = f'"{body}"' if self.kind == "phrase" else body
        return f"-{body}" if self.negated else body

    def fts(self) -> str:
        """This clause in FTS5's query language (every term quoted: no term is read as an operator)."""
        if self.kind == "word":
            term = self.terms[0]
            exact = f'{{title body keys}} : "{term}"'
            if len(term) >= COMPOUND_MIN and not term.isdigit():
                return f'({exact} OR {{title body parts}} : "{term}"*)'
            return exact
        phrase = f'{{title body}} : "{" ".join(self.terms)}"'
        if self.kind == "drucksache":
            keys = " OR ".join(f'{{keys}} : "{k}"' for k in self.keys)
            return f"({keys} OR {phrase})"
        return phrase


@dataclass
class Query:
    """A parsed search: groups of clauses (a group holds the alternatives joined by OR)."""

    text: str
    groups: list[list[Clause]] = field(default_factory=list)

    @property
    def clauses(self) -> list[Clause]:
        return [c for group in self.groups for c in group]

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negated]

    @property
    def terms(self) -> set[str]:
        """The terms a snippet marks."""
        return {t for c in self.positive for t in c.terms}

    def fts(self) -> str | None:
        """The FTS5 MATCH expression; None for an empty search (everything matches)."""
        wanted, unwanted = [], []
        for group in self.groups:
            if group[0].negated:
                unwanted.append(group[0].fts())
            else:
                wanted.append(group[0].fts() if len(group) == 1 else "(" + " OR ".join(c.fts() for c in group) + ")")
        if not wanted:
            return None
        expr = " AND ".join(wanted)
        if unwanted:
            expr = f"({expr}) NOT ({' OR '.join(unwanted)})"
        return expr


_ITEM = re.compile(r'(?P<neg>-)?(?:"(?P<phrase>[^"]*)"|(?P<ds>' + DRUCKSACHE.pattern + r')|(?P<word>[^\s"]+))')


def parse(text: str) -> Query:
    """:raises SearchSyntaxError: for an unclosed quote, an empty phrase, a dangling OR, a search that only
    excludes, a text longer than :data:`MAX_LENGTH` or with more than :data:`MAX_ITEMS` items."""
    if len(text) > MAX_LENGTH:
        raise SearchSyntaxError(f"Suchtext länger als {MAX_LENGTH} Zeichen / search text longer than {MAX_LENGTH} "
                                "characters", limit=MAX_LENGTH)
    if text.count('"') % 2:
        at = text.rindex('"')
        raise SearchSyntaxError(f"Anführungszeichen an Stelle {at + 1} wird nicht geschlossen / the quote at "
                                f"position {at + 1} is never closed", position=at + 1)
    query = Query(text)
    pending_or = False
    position = 0
    for match in _ITEM.finditer(text):
        position = match.start() + 1
        negated = bool(match.group("neg"))
        if match.group("word") in OR_WORDS and not negated:
            if not query.groups or pending_or:
                raise SearchSyntaxError(f"„{match.group('word')}“ an Stelle {position} verbindet nichts / "
                                        f"„{match.group('word')}“ at position {position} joins nothing",
                                        position=position)
            pending_or = True
            continue
        clauses = _clauses(match, negated, position)
        if not clauses:
            continue
        if pending_or:
            if negated or query.groups[-1][0].negated:
                raise SearchSyntaxError(f"OR an Stelle {position} verbindet einen Ausschluss / OR at position "
                                        f"{position} joins an exclusion", position=position)
            query.groups[-1].append(clauses[0])
            clauses = clauses[1:]
            pending_or = False
        query.groups.extend([c] for c in clauses)
        if len(query.clauses) > MAX_ITEMS:
            raise SearchSyntaxError(f"Mehr als {MAX_ITEMS} Suchbegriffe / more than {MAX_ITEMS} search terms",
                                    limit=MAX_ITEMS)
    if pending_or:
        raise SearchSyntaxError(f"OR am Ende an Stelle {position} verbindet nichts / OR at the end (position "
                                f"{position}) joins nothing", position=position)
    if query.groups and not query.positive:
        raise SearchSyntaxError("Die Suche schließt nur aus; nennen Sie mindestens ein Wort, das vorkommen soll / "
                                "the search only excludes; give at least one word to look for")
    return query


def _clauses(match: re.Match, negated: bool, position: int) -> list[Clause]:
    if match.group("phrase") is not None:
        terms = tuple(t.term for t in tokens(match.group("phrase")))
        if not terms:
            raise SearchSyntaxError(f"Leere Wortgruppe an Stelle {position} / empty phrase at position {position}",
                                    position=position)
        return [Clause("word" if len(terms) == 1 else "phrase", terms, match.group("phrase"), negated)]
    if match.group("ds") is not None:
        number = match.group("ds")
        terms = tuple(t.term for t in tokens(number))
        return [Clause("drucksache", terms, number, negated, keys=tuple(drucksache_keys(number)))]
    # One typed "word" may hold several (Stadt-Entwicklung, Wohnen/Arbeiten): each is required.
    words = WORD.findall(match.group("word"))
    return [Clause("word", (stem(w),), w, negated) for w in words if fold(w)]
