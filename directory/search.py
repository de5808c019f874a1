"""Fuzzy search over the directory: agency and pathway names, descriptions and need synonyms.

A pathway is found by its own words and by the words of the needs it addresses, so "drink" finds
the alcohol pathways even when their names never say "drink".

>>> from directory.loading import load
>>> hits = search(load(), "drink")
>>> any(h.kind == "pathway" and "alcohol" in h.needs for h in hits)
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rapidfuzz import fuzz

from directory.errors import InvalidArgumentError, UnknownNeedError
from directory.taxonomy import Taxonomy

if TYPE_CHECKING:
    from directory.models import Directory

__all__ = ["MAX_QUERY_CHARS", "Hit", "search"]

#: Longest search text: fuzzy scoring costs grow with its length (100 KB took 28 s).
MAX_QUERY_CHARS = 200

_WORD = re.compile(r"[^a-z0-9]+")
_OTHER_NEED = 80.0  # the most a need scores when the text names another need


def _norm(text: str) -> str:
    return _WORD.sub(" ", text.casefold().replace("&", " and ")).strip()


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: what it is, its id and name, the score and the text that matched."""

    kind: Literal["need", "agency", "pathway"]
    id: str
    name: str
    score: float
    matched: str
    needs: tuple[str, ...] = ()


def _score(query: str, text: str) -> float:
    if not text:
        return 0.0
    if query == text:
        return 100.0
    if re.search(rf"\b{re.escape(query)}\b", text):
        return 95.0 if len(query) > 2 else 80.0
    # partial matching suits a short query against a long name; token sorting suits phrases
    return max(fuzz.partial_ratio(query, text) * 0.9, fuzz.token_set_ratio(query, text))


def _named_need(directory: Directory, text: str) -> tuple[str, float, str] | None:
    """The need the text names by the taxonomy's one rule (id, label, synonym, spelling)."""
    try:
        resolution = Taxonomy.from_directory(directory).resolve(text)
    except UnknownNeedError:
        return None
    return resolution.need, resolution.score, resolution.matched


def search(directory: Directory, text: str, *, limit: int = 20, cutoff: float = 75) -> list[Hit]:
    """Needs, agencies and pathways that match ``text``, best first (then kind and id).

    Scores are 0-100: 100 exact, 95 a whole-word match, else rapidfuzz partial/token ratios.
    When the text names a need (as :class:`~directory.taxonomy.Taxonomy` resolves needs
    everywhere: an id, label, synonym or near spelling), that need scores as resolved and other
    needs whose terms merely contain the words score at most 80, so "drink" ranks the alcohol
    pathways (95) above a course reached through another need's "drink driving awareness" (75).
    A pathway found through its needs scores 5 below the best of them.

    >>> from directory.loading import load
    >>> hits = {h.id: h.score for h in search(load(), "drink", limit=100)}
    >>> hits["alcohol"], hits["aspire-alcohol-treatment"], hits["offence_specific_awareness"]
    (100.0, 95.0, 80.0)
    """
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidArgumentError(
            f"a search of {len(text):,} characters; the limit is {MAX_QUERY_CHARS}"
        )
    query = _norm(text)
    if not query:
        return []
    named = _named_need(directory, text)
    hits: list[Hit] = []
    need_terms: dict[str, list[str]] = {}
    need_score: dict[str, tuple[float, str]] = {}
    for n in directory.needs:
        terms = [n.id.replace("_", " "), n.label, *n.synonyms]
        need_terms[n.id] = [_norm(t) for t in terms]
        best = max(((_score(query, t), t) for t in need_terms[n.id]), default=(0.0, ""))
        if named is not None:
            if n.id == named[0]:
                best = (max(named[1], best[0]), named[2])
            else:  # another need's term that merely contains the words ranks below
                best = (min(best[0], _OTHER_NEED), best[1])
        need_score[n.id] = best
        if best[0] >= cutoff:
            hits.append(Hit("need", n.id, n.label, best[0], best[1], (n.id,)))
    for a in directory.agencies:
        fields = [a.name, a.operator or "", a.description or ""]
        best = max((_score(query, _norm(t)), t) for t in fields)
        if best[0] >= cutoff:
            hits.append(Hit("agency", a.id, a.name, best[0], best[1]))
        for p in a.pathways:
            own = max((_score(query, _norm(t)), t) for t in (p.name, p.description or ""))
            via = max(
                ((need_score[n][0] - 5, need_score[n][1]) for n in p.needs if n in need_score),
                default=(0.0, ""),
            )
            score, matched = max(own, via)
            if score >= cutoff:
                hits.append(Hit("pathway", p.id, p.name, score, matched, p.needs))
    hits.sort(key=lambda h: (-h.score, h.kind, h.id))
    return hits[:limit]
