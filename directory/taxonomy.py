"""The need taxonomy: resolving the words people type to needs, with "did you mean" when unsure.

A :class:`Taxonomy` indexes every need's id (underscores read as spaces), label and synonyms,
normalised by :func:`normalise`. :meth:`Taxonomy.resolve` tries an exact match first, then a fuzzy
one, and never guesses silently: below the threshold, when two different needs fit about equally
well, or when the text names two needs, it raises :class:`~directory.errors.UnknownNeedError`
with suggestions.

>>> from directory.models import Need
>>> taxonomy = Taxonomy([
...     Need(id="alcohol", label="Alcohol misuse", group="drugs_alcohol",
...          synonyms=("drink", "drink problem", "booze")),
...     Need(id="drugs", label="Drug misuse", group="drugs_alcohol",
...          synonyms=("drug", "cannabis", "drug problem")),
...     Need(id="accommodation", label="Housing and accommodation", group="accommodation",
...          synonyms=("housing", "homeless", "no fixed abode")),
... ])
>>> taxonomy.resolve("Drink problem")
Resolution(need='alcohol', score=100.0, matched='drink problem', exact=True)
>>> taxonomy.resolve("homless")
Resolution(need='accommodation', score=93.3, matched='homeless', exact=False)
>>> taxonomy.resolve_many("homeless; cannabis use, booze")
... # doctest: +NORMALIZE_WHITESPACE
(Resolution(need='accommodation', score=100.0, matched='homeless', exact=True),
 Resolution(need='drugs', score=95.0, matched='cannabis', exact=False),
 Resolution(need='alcohol', score=100.0, matched='booze', exact=True))
>>> taxonomy.resolve("banana")
Traceback (most recent call last):
...
directory.errors.UnknownNeedError: unknown need 'banana'; no need's words are close to it

How a text is scored
--------------------
The text and every indexed term are normalised. The score of a need is the best score of its
terms, and the score of a term is the largest of four similarities, each 0-100 and each computed
by rapidfuzz in C:

1. ``fuzz.ratio(text, term)``: the normalised Indel similarity of the whole strings. It carries
   spelling mistakes: one letter added or dropped in a word of 4+ letters ("drugz", "homless")
   scores above 88, one letter changed or two swapped in a word of 7+ letters ("alcahol") 85.7.
2. The same ratio over both strings with their words sorted (rapidfuzz's ``token_sort_ratio``,
   with the terms' sorted forms computed once): the same words in another order.
3. For every shorter run of consecutive words of the text, its ratio with the term times
   ``1 - 0.15 * (share of the text's characters outside the run)``: a known term inside a longer
   phrase ("cannabis use", "job seeking", "hate crime course"). The more of the text the term
   explains, the higher the score, so "domestic violence perpetrator" is read as
   ``domestic violence`` (domestic abuse) rather than ``violence`` (anger).
4. When the text (4 letters or more) is a run of whole words of the term: ``100 * (1 - 0.15 *
   (share of the term's characters outside the text))``. A part of one longer term ("knife" of
   "knife crime") resolves; a part of terms of several needs ("abuse", "victim", "help") is
   refused as ambiguous instead of being read as the nearest short word.

Why not ``fuzz.WRatio``: its partial matching scores any 2-3 letter term found inside a word at 90
("abi" in "cannabis use", "x" in "anxiety") and it is ten times slower over these ~450 terms.
Plain ``token_set_ratio`` scores 100 whenever one side's words are a subset of the other's, so
"help" or "the" would resolve to whichever need has a term containing them.

The threshold (:data:`THRESHOLD`, 85) accepts one letter added or dropped in a word of 4+ letters
and one changed or swapped in a word of 7+ letters, and refuses the same in shorter words, where
one letter turns one real word into another ("pills" is not "bills", "mental" is not "dental").
Two different needs whose scores are less than :data:`MARGIN` (3) apart are refused as ambiguous.
A text that also names a second need, in words the best match leaves out, is refused too: a run of
its words matching another need's term by a ratio of at least the threshold and sharing no word
with the best match ("alcohl and drugs", "gambling debts"). Several needs go in one string
separated by commas, for :meth:`Taxonomy.resolve_many`.

Cost (CPU time over the shipped ~450 terms): an exact term is a dictionary hit, about 3 µs; a
misspelt word about 15 µs; a phrase of two or three words 40-70 µs; a refusal with suggestions
about 90 µs.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from rapidfuzz import fuzz, process

from directory.errors import InvalidArgumentError, UnknownNeedError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from directory.models import Directory, Need

__all__ = ["MARGIN", "THRESHOLD", "Resolution", "Taxonomy", "normalise"]

THRESHOLD = 85.0
"""The default lowest score (0-100) that :meth:`Taxonomy.resolve` accepts without an exact match."""

MARGIN = 3.0
"""Two different needs scoring less than this far apart are refused as ambiguous."""

_PART_PENALTY = 0.15  # a term matching part of the text, or the text part of a term
_MIN_PART_LETTERS = 4  # the text must be this long to count as part of a longer term
_SUGGEST_POOL = 25  # terms per similarity looked at when making suggestions
_SUGGEST_FLOOR = 70.0  # a refusal suggests needs scoring this much or more (as places do)
_SUGGEST_SPREAD = 20.0  # and no more than this far below the best

_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bc]")
_NOT_WORD = re.compile(r"[^\w\s]|_")
_SEPARATORS = re.compile(r"[,;/\n\r]")


def normalise(text: str) -> str:
    """Return ``text`` folded for matching: lower case, accents and punctuation dropped.

    ``&`` reads as ``and``; apostrophes are removed ("can't" -> "cant"); hyphens, underscores and
    other punctuation become spaces; runs of spaces collapse to one.

    >>> normalise("  Drugs & Alcohol!! ")
    'drugs and alcohol'
    >>> normalise("Can't read / self-harm")
    'cant read self harm'
    >>> normalise("mental_health"), normalise("L&D"), normalise("Café")
    ('mental health', 'l and d', 'cafe')
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace("&", " and ")
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


@dataclass(frozen=True, slots=True)
class Resolution:
    """A need that a text resolved to.

    ``score`` is 0-100 (100 for an exact match); ``matched`` is the term it matched as written in
    the taxonomy (an id, a label or a synonym); ``exact`` says whether the normalised text equals
    that term.
    """

    need: str
    score: float
    matched: str
    exact: bool


class Taxonomy:
    """An immutable index of the needs' ids, labels and synonyms for resolving typed words.

    Build it once per directory (``Taxonomy.from_directory(directory)``) or from needs
    (``Taxonomy(needs)``); every look-up after that is a few rapidfuzz calls in C, tens of
    microseconds for a word or two. Pure: no I/O and no state beyond the index.

    A normalised term that two needs share is kept for both, so typing it is refused as
    ambiguous rather than given to the first.
    """

    __slots__ = (
        "_by_length",
        "_display",
        "_exact",
        "_lengths",
        "_needs",
        "_owners",
        "_parts",
        "_sorted_by_length",
        "_terms",
        "_terms_by_length",
    )

    _needs: tuple[Need, ...]
    _terms: tuple[str, ...]
    _terms_by_length: tuple[str, ...]
    _sorted_by_length: tuple[str, ...]
    _owners: tuple[tuple[str, ...], ...]
    _display: tuple[str, ...]
    _exact: Mapping[str, int]
    _parts: Mapping[str, tuple[int, ...]]
    _by_length: tuple[int, ...]
    _lengths: tuple[int, ...]

    def __init__(self, needs: Sequence[Need]) -> None:
        ids = [n.id for n in needs]
        if len(set(ids)) != len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise InvalidArgumentError(f"need ids appear more than once: {', '.join(twice)}")
        index: dict[str, int] = {}
        terms: list[str] = []
        owners: list[list[str]] = []
        display: list[str] = []
        for need in needs:
            for written in (need.id, need.label, *need.synonyms):
                term = normalise(written)
                if not term:
                    continue
                if term not in index:
                    index[term] = len(terms)
                    terms.append(term)
                    owners.append([])
                    display.append(written)
                if need.id not in owners[index[term]]:
                    owners[index[term]].append(need.id)
        parts: dict[str, list[int]] = {}
        for i, term in enumerate(terms):
            words = term.split()
            for size in range(1, len(words)):
                for start in range(len(words) - size + 1):
                    part = " ".join(words[start : start + size])
                    if len(part) >= _MIN_PART_LETTERS and i not in parts.setdefault(part, []):
                        parts[part].append(i)
        by_length = sorted(range(len(terms)), key=lambda i: (len(terms[i]), i))
        self._set("_needs", tuple(needs))
        self._set("_terms", tuple(terms))
        self._set("_terms_by_length", tuple(terms[i] for i in by_length))
        self._set("_sorted_by_length", tuple(" ".join(sorted(terms[i].split())) for i in by_length))
        self._set("_owners", tuple(tuple(o) for o in owners))
        self._set("_display", tuple(display))
        self._set("_exact", MappingProxyType(index))
        self._set("_parts", MappingProxyType({k: tuple(v) for k, v in parts.items()}))
        self._set("_by_length", tuple(by_length))
        self._set("_lengths", tuple(len(terms[i]) for i in by_length))

    @classmethod
    def from_directory(cls, directory: Directory) -> Taxonomy:
        """The taxonomy of a directory's needs."""
        return cls(directory.needs)

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return f"<Taxonomy of {len(self._needs)} needs, {len(self._terms)} terms>"

    def __reduce__(self) -> tuple[type[Taxonomy], tuple[tuple[Need, ...]]]:
        """Pickle as the needs and rebuild the index on loading (for worker processes)."""
        return (Taxonomy, (self._needs,))

    @property
    def needs(self) -> tuple[Need, ...]:
        """The needs indexed, in the order given."""
        return self._needs

    # ------------------------------------------------------------------------------ scoring
    def _window(self, text: str, cutoff: float) -> tuple[int, int]:
        """The slice of the terms by length that can reach ``cutoff`` by ratio with ``text``."""
        if cutoff <= 0:
            return 0, len(self._lengths)
        # ratio = 2 * matches / (len(a) + len(b)) <= 2 * min / (len(a) + len(b))
        share = min(cutoff, 100.0) / 100.0
        shortest = len(text) * share / (2.0 - share)
        longest = len(text) * (2.0 - share) / share
        return (
            bisect_left(self._lengths, shortest - 1e-9),
            bisect_right(self._lengths, longest + 1e-9),
        )

    def _scores(self, text: str, cutoff: float, strong: float = 101.0) -> _Scores:
        """Score every need reaching ``cutoff`` (every need at 0); see the module's notes.

        Also collects, need by need, the runs of words that match one of its terms by a raw
        ratio of at least ``strong``: evidence that the text names that need somewhere in it.
        With ``cutoff`` 0 only the best few terms of each similarity are kept: enough for
        suggestions, which need not be exhaustive.
        """
        words = text.split()
        whole = (0, len(words))
        best: dict[str, _Match] = {}
        named: dict[str, list[tuple[int, int]]] = {}
        limit = _SUGGEST_POOL if cutoff <= 0 else None

        def add(score: float, term: int, span: tuple[int, int]) -> None:
            for need in self._owners[term]:
                held = best.get(need)
                if held is None or score > held.score:
                    best[need] = _Match(need, score, term, span)

        def run(query: str, pool: tuple[str, ...], span: tuple[int, int]) -> None:
            weight = 1.0 - _PART_PENALTY * (1.0 - len(query) / len(text))
            raw_cutoff = min(cutoff / weight, strong)
            if raw_cutoff > 100.0:
                return
            lo, hi = self._window(query, raw_cutoff)
            found = process.extract(
                query,
                pool[lo:hi],
                scorer=fuzz.ratio,
                processor=None,
                limit=limit,
                score_cutoff=raw_cutoff,
            )
            for _, score, position in found:
                term = self._by_length[lo + position]
                if score * weight >= cutoff:
                    add(score * weight, term, span)
                if score >= strong:
                    for need in self._owners[term]:
                        named.setdefault(need, []).append(span)

        run(text, self._terms_by_length, whole)
        if len(words) > 1:
            run(" ".join(sorted(words)), self._sorted_by_length, whole)
        for size in range(len(words) - 1, 0, -1):
            for first in range(len(words) - size + 1):
                part = " ".join(words[first : first + size])
                run(part, self._terms_by_length, (first, first + size))
        for term in self._parts.get(text, ()):
            score = 100.0 * (1.0 - _PART_PENALTY * (1.0 - len(text) / len(self._terms[term])))
            if score >= cutoff:
                add(score, term, whole)
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.need))
        return _Scores(tuple(ranked), MappingProxyType({k: tuple(v) for k, v in named.items()}))

    # ------------------------------------------------------------------------------ public
    def suggest(self, text: str, limit: int = 3) -> list[tuple[str, float]]:
        """The ``limit`` needs nearest to ``text`` with their scores (0-100), best first.

        >>> from directory.models import Need
        >>> taxonomy = Taxonomy([Need(id="debt", label="Debt", group="money", synonyms=("bills",)),
        ...                      Need(id="drugs", label="Drug misuse", group="drugs")])
        >>> taxonomy.suggest("pills", limit=1)
        [('debt', 80.0)]
        """
        if limit < 1:
            raise InvalidArgumentError(f"limit must be 1 or more, not {limit}")
        query = normalise(text)
        if not query:
            return []
        ranked = [(m.need, round(m.score, 1)) for m in self._scores(query, 0.0).ranked]
        hit = self._exact.get(query)
        if hit is not None:
            exact = self._owners[hit]
            ranked = [(n, 100.0) for n in exact] + [(n, s) for n, s in ranked if n not in exact]
        return ranked[:limit]

    def _near(self, text: str) -> list[str]:
        """Up to three needs worth suggesting for refused ``text``: scoring at least
        ``_SUGGEST_FLOOR`` and within ``_SUGGEST_SPREAD`` of the best; none for nonsense."""
        ranked = self.suggest(text, 3)
        best = ranked[0][1] if ranked else 0.0
        return [n for n, score in ranked if score >= max(_SUGGEST_FLOOR, best - _SUGGEST_SPREAD)]

    def resolve(self, text: str, *, threshold: float = THRESHOLD) -> Resolution:
        """The one need ``text`` means, or :class:`~directory.errors.UnknownNeedError`.

        An exact match of the normalised text with an id, label or synonym scores 100. Otherwise
        the best fuzzy score (see the module's notes) must reach ``threshold``, be at least
        :data:`MARGIN` above every other need's, and the text must not also name another need in
        words that the match leaves out ("alcohl and drugs"). Refusals carry up to three
        suggested need ids, best first; a text that fits several needs suggests those needs.
        Empty or blank text is refused with no suggestions: it is an unknown need, not misuse.

        >>> from directory.models import Need
        >>> taxonomy = Taxonomy([
        ...     Need(id="anger_management", label="Anger management", group="behaviour",
        ...          synonyms=("violence",)),
        ...     Need(id="domestic_abuse_perpetrator", label="Domestic abuse", group="behaviour",
        ...          synonyms=("domestic violence", "abuser")),
        ...     Need(id="domestic_abuse_victim", label="Victim support", group="women",
        ...          synonyms=("sexual abuse", "victim of domestic abuse")),
        ... ])
        >>> taxonomy.resolve("anger managment").need
        'anger_management'
        >>> taxonomy.resolve("domestic violence perpetrator").need
        'domestic_abuse_perpetrator'
        >>> taxonomy.resolve("abuse")
        Traceback (most recent call last):
        ...
        directory.errors.UnknownNeedError: unknown need 'abuse'; did you mean ...?
        """
        if not 0.0 <= threshold <= 100.0:
            raise InvalidArgumentError(f"threshold must be between 0 and 100, not {threshold}")
        query = normalise(text)
        text = " ".join(text.split())  # as typed, for messages
        if not query:
            error = UnknownNeedError(text)
            error.add_note("there are no words to resolve")
            raise error
        hit = self._exact.get(query)
        if hit is not None:
            owners = self._owners[hit]
            if len(owners) == 1:
                return Resolution(owners[0], 100.0, self._display[hit], exact=True)
            error = UnknownNeedError(text, owners[:3])
            error.add_note(
                f"ambiguous: {self._display[hit]!r} is a term of "
                + " and ".join(repr(n) for n in owners)
            )
            raise error
        scores = self._scores(query, max(threshold - MARGIN, 0.0), strong=threshold)
        ranked = scores.ranked
        if not ranked or ranked[0].score < threshold:
            raise UnknownNeedError(text, self._near(text))
        top = ranked[0]
        close = [top, *(m for m in ranked[1:] if top.score - m.score < MARGIN)][:3]
        if len(close) > 1:
            error = UnknownNeedError(text, [m.need for m in close])
            error.add_note(
                f"ambiguous: {text!r} fits "
                + " and ".join(
                    f"{m.need!r} ({m.score:.0f}, via {self._display[m.term]!r})" for m in close
                )
                + " about equally; separate several needs with commas"
            )
            raise error
        covered = [top.span, *scores.named.get(top.need, ())]
        others = [
            need
            for need, spans in scores.named.items()
            if need != top.need and any(all(_apart(s, c) for c in covered) for s in spans)
        ]
        if others:
            error = UnknownNeedError(text, [top.need, *others][:3])
            error.add_note(
                f"{text!r} names more than one need: "
                + " and ".join(repr(n) for n in [top.need, *others])
                + "; separate several needs with commas"
            )
            raise error
        return Resolution(top.need, round(top.score, 1), self._display[top.term], exact=False)

    def resolve_many(
        self, text_or_items: str | Iterable[str], *, threshold: float = THRESHOLD
    ) -> tuple[Resolution, ...]:
        """Resolve several needs; a string is split on commas, semicolons, slashes and newlines.

        A string is not split on "and" ("drunk and disorderly", "reading and writing" are
        terms): "drugs and alcohol" is one item, refused because it names two needs. Items of an
        iterable are resolved whole. Blank items are skipped; a need reached twice is kept once,
        where it was first seen.

        Every item is tried. One unknown item raises its own
        :class:`~directory.errors.UnknownNeedError`. Several raise one ``UnknownNeedError`` whose
        message lists each bad item with its suggestions; its ``text`` and ``suggestions`` are
        the first bad item's, and its ``__cause__`` is an :class:`ExceptionGroup` holding each
        item's own error.

        >>> from directory.models import Need
        >>> taxonomy = Taxonomy([
        ...     Need(id="alcohol", label="Alcohol", group="drugs_alcohol", synonyms=("drink",)),
        ...     Need(id="drugs", label="Drugs", group="drugs_alcohol", synonyms=("cannabis",)),
        ... ])
        >>> [r.need for r in taxonomy.resolve_many(["drink", "alcahol", "canabis"])]
        ['alcohol', 'drugs']
        >>> taxonomy.resolve_many("drink / xyzzy\\nqwerty")
        Traceback (most recent call last):
        ...
        directory.errors.UnknownNeedError: 2 unknown needs: 'xyzzy' (no need is close); 'qwerty' ...
        """
        found: dict[str, Resolution] = {}
        for _, resolution in self.readings(text_or_items, threshold=threshold):
            found.setdefault(resolution.need, resolution)
        return tuple(found.values())

    def readings(
        self, text_or_items: str | Iterable[str], *, threshold: float = THRESHOLD
    ) -> tuple[tuple[str, Resolution], ...]:
        """Each item as typed with the need it resolved to, in order (duplicates kept).

        Split, resolved and refused exactly as :meth:`resolve_many`; use it to tell a reader
        how their words were read ("read 'housng' as accommodation").

        >>> from directory.models import Need
        >>> taxonomy = Taxonomy([Need(id="debt", label="Debt", group="money", synonyms=("bills",))])
        >>> [(typed, r.need, r.exact) for typed, r in taxonomy.readings("bills, bils")]
        [('bills', 'debt', True), ('bils', 'debt', False)]
        """
        if isinstance(text_or_items, str):
            items: list[str] = _SEPARATORS.split(text_or_items)
        else:
            items = list(text_or_items)
            for item in items:
                if not isinstance(item, str):
                    raise InvalidArgumentError(f"needs must be strings, not {item!r}")
        found: list[tuple[str, Resolution]] = []
        errors: list[UnknownNeedError] = []
        for item in items:
            if not item.strip():
                continue
            try:
                resolution = self.resolve(item, threshold=threshold)
            except UnknownNeedError as error:
                errors.append(error)
                continue
            found.append((" ".join(item.split()), resolution))
        if len(errors) == 1:
            raise errors[0]
        if errors:
            first = errors[0]
            combined = UnknownNeedError(first.text, first.suggestions)
            combined.args = (
                f"{len(errors)} unknown needs: " + "; ".join(_describe(e) for e in errors),
            )
            raise combined from ExceptionGroup("unknown needs", errors)
        return tuple(found)


class _Match(NamedTuple):
    need: str
    score: float
    term: int  # index into the terms
    span: tuple[int, int]  # the words of the text it explains, [start, end)


class _Scores(NamedTuple):
    ranked: tuple[_Match, ...]  # one per need, best first; ties by need id
    named: Mapping[str, tuple[tuple[int, int], ...]]  # need -> runs of words naming it


def _apart(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two runs of words [start, end) share no word."""
    return a[1] <= b[0] or b[1] <= a[0]


def _describe(error: UnknownNeedError) -> str:
    if error.suggestions:
        hint = ", ".join(repr(s) for s in error.suggestions)
        return f"{error.text!r} (did you mean {hint}?)"
    return f"{error.text!r} (no need is close)"
