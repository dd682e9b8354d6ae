"""German text analysis for the search index: the same steps for what is indexed and what is asked.

A word is folded (lower case, ``ß`` → ``ss``, umlauts and accents to their base letter) and stemmed with
the Snowball German stemmer (PyStemmer), which also reads ``ae``/``oe``/``ue`` as umlauts, so ``Bürger``,
``Buerger`` and ``Bürgern`` all become ``burg``. Compounds are not split by a dictionary: every stem of
:data:`PART_MIN_WORD` letters or more also yields its tails (the stem without its first 3, 4, … letters, down
to :data:`PART_MIN` letters) as *parts*. A part is what a compound ends in (``radverkehr`` → ``verkehr``);
a prefix search on the parts finds a word inside a compound too (``verkehr*`` in ``adverkehrskonzept``).

    >>> [t.term for t in tokens("Straßen für Bürger")]
    ['strass', 'fur', 'burg']
    >>> stem("Buerger") == stem("Bürgern")
    True
    >>> parts("radverkehr")
    ['verkehr', 'erkehr', 'rkehr']
    >>> drucksache_keys("B/16/5505-01")
    ['b16550501', '16550501']
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

#: Shortest stem that yields parts, shortest part, and letters a part leaves of the word at least.
PART_MIN_WORD = 8
PART_MIN = 5
PART_LEFT = 3
#: Longest word indexed (longer runs are ids, hashes or garbage, and would only bloat the parts).
MAX_WORD = 40

WORD = re.compile(r"\w+", re.UNICODE)
#: A Drucksache (council paper) number: B/16/5505-01, A/17/123, 16/5505-01, B 16/5505 01.
DRUCKSACHE = re.compile(r"(?<!\w)(?:[A-Za-z]{1,2}\s*[/ ]\s*)?\d{1,2}\s*/\s*\d{2,6}(?:\s*-\s*\d{1,3})?(?!\w)"
                        r"|(?<!\w)[A-Za-z]{1,2}/\d{1,2}/\d{2,6}(?:-\d{1,3})?(?!\w)")

_stemmer = Stemmer.Stemmer("german")
_FOLD = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l"})


def fold(text: str) -> str:
    """Lower case, ``ß`` as ``ss``, accents and umlauts dropped to the base letter."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c))


@lru_cache(maxsize=500_000)
def stem(word: str) -> str:
    """The index term of one word (cached: a text repeats its words, a corpus its vocabulary)."""
    return _stemmer.stemWord(fold(word))


def parts(term: str) -> list[str]:
    """The tails of a long stem (its possible compound heads), longest first."""
    if len(term) < PART_MIN_WORD or term.isdigit():
        return []
    return [term[i:] for i in range(PART_LEFT, len(term) - PART_MIN + 1)]


@dataclass(frozen=True)
class Token:
    """One word of a text: its place in the text (for snippets) and its index term."""

    start: int
    end: int
    term: str


def tokens(text: str) -> Iterator[Token]:
    """The words of ``text`` with their stems (a word longer than :data:`MAX_WORD` is skipped)."""
    for match in WORD.finditer(text):
        word = match.group()
        if len(word) <= MAX_WORD:
            yield Token(match.start(), match.end(), stem(word))


def drucksache_keys(number: str) -> list[str]:
    """The one-word forms a Drucksache number is found by: letters and digits only, with and without the
    letter in front (``B/16/5505-01`` → ``b16550501``, ``16550501``)."""
    key = "".join(c for c in fold(number) if c.isalnum())
    bare = key.lstrip("abcdefghijklmnopqrstuvwxyz")
    return [key] if bare == key or not bare else [key, bare]


def analysed(text: str, forms: dict[str, str] | None = None) -> tuple[str, str]:
    """(terms, parts) of a text, each space-separated, as the index stores them: the terms keep the
    words' order (phrases are looked up by position), the parts are a bag. ``forms`` collects the first
    spelling of each term (the words "did you mean" shows)."""
    found = list(tokens(text))
    if forms is not None:
        for t in found:
            if t.term not in forms:
                forms[t.term] = text[t.start:t.end]
    terms = [t.term for t in found]
    return " ".join(terms), " ".join(p for t in dict.fromkeys(terms) for p in parts(t))


def edits(word: str) -> set[str]:
    """Every string one edit (delete, swap of neighbours, replace, insert) away from ``word``."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in letters}
    inserts = {a + c + b for a, b in splits for c in letters}
    return (deletes | swaps | replaces | inserts) - {word}
