"""Exact fewest-agencies cover of a person's needs, on bitmasks.

The problem
-----------
A diversion officer assesses a person's needs (accommodation, drugs, debt...). Each need is one bit
of an ``int``; the assessed needs form the *universe*. Each candidate pathway is an
:class:`Option`: the needs it can take (``mask``), the agency that runs it (``agency``, an index;
several options may share an agency), the travel to it in metres (``distance``, 0 online or by
phone) and a spare-capacity score (``spare``, higher is better). Options come in canonical order
(the caller sorts them by pathway id), so an option's index is its id rank.

The objective
-------------
:func:`best_cover` chooses the set of options that minimises, lexicographically, the key

1. the number of needs of the universe *not* met (some needs may be uncoverable);
2. the number of distinct agencies among the chosen options, not counting ``free_agencies``
   (agencies already working with the person);
3. the number of *fit points* not earned: each option may carry a ``fit`` mask of points (bits
   of their own, each belonging to one need the option meets: the need is its specialism, it is
   women's provision for a woman...); a point counts as earned when a chosen option carries it,
   and points no option carries are not counted. Without fit masks this level is 0;
4. the number of chosen options (pathways);
5. the total distance;
6. minus the total spare capacity;
7. the sorted tuple of chosen indices (lexicographically smallest),

so the answer is unique and the same input always gives the same plan. :func:`cover_key` computes
this key for any selection, :func:`is_cover` is the cheap checker beside the solver (as networkx
has ``is_edge_cover`` beside ``min_edge_cover``), and :func:`greedy_cover` is the textbook greedy
set cover, the peer the exact solver is compared against.

Facts the algorithm rests on
----------------------------
(F1) An optimal set meets every need in ``T = universe & (union of all masks)``: adding an option
that meets a missing need improves level 1.

(F2) An optimal set is *irredundant*: every chosen option meets a need of ``T`` that no other chosen
option meets. Dropping a redundant option keeps level 1, does not raise level 2, and lowers level 3.

(F3) Level 6 is additive. For two sets of the same size (level 3 equal), the sorted tuple of ``A``
is smaller than that of ``B`` exactly when the smallest index in the symmetric difference belongs to
``A``, that is when ``sum(2**(N-1-i) for i in A) > sum(2**(N-1-i) for i in B)`` (``N`` options,
``i`` an option's rank by index). So levels 3-6 are all sums of per-option weights, and a whole key
(from level 2 on) is one integer: ``agencies*W_AG + sum over chosen of (W_PW + distance*W_D +
(S - spare)*W_SP + 2**N - 2**(N-1-i))`` with ``S`` the largest spare and each radix larger than the
largest sum the level below can reach. The terms ``S`` and ``2**N`` only shift a level by a
multiple of the pathway count, which is equal whenever that level decides.

Fit points, and levels 1-2 and 4-7 below
-----------------------------------------
The notes below prove the search for levels 1, 2 and 4-7 (numbered there as 1-6: level 3 of the
notes is pathways). Level 3 (fit points not earned) is reduced to them: the fit points become
needs of their own (bits above the universe), each option meets its needs and its points, and
for each point a *stand-in* option meets that point alone, at no distance, of an agency that is
free, with a penalty of one at a level between agencies and pathways. Every selection of real
options, completed with the stand-ins of the points it does not earn, meets every point, and its
penalty is the number of points not earned; stand-ins are ranked after every real option, so
the real options' tie-break is unchanged, and a plan with as many stand-ins as another has as
many more pathways, so level 4 compares the real pathways. An option that only earns a point
another chosen option's need does not (a specialist beside a generalist of the same agency) is
then not redundant, and the search keeps it when that earns a point at no agency's cost.

:func:`best_cover` first searches without the fit points: when that optimum earns every point,
it is the optimum with them too (no plan meets more needs with fewer agencies; among plans
meeting as many with as many agencies, those missing no point are compared on the levels after
fit as the plain search compares them, and it is the first), so the wider search runs only
when some point is missed.

The algorithm
-------------
*Reduction.* Masks are restricted to the universe; options that then meet nothing are dropped
(F2). Then dominated options are dropped by this rule:

    Option ``B`` is dominated by option ``A != B`` when
    (a) ``mask(B) ⊆ mask(A)``;
    (b) ``distance(A) <= distance(B)`` and ``spare(A) >= spare(B)``;
    (c) ``agency(A) == agency(B)``, or ``agency(A)`` is free, or ``agency(B)`` is not free and
        ``B`` is the only option of ``agency(B)``;
    (d) ``distance(A) < distance(B)``, or ``spare(A) > spare(B)``, or ``index(A) < index(B)``.

*Proof that the rule is safe for the whole key, tie-break included.* Let ``S`` be the unique
optimum and suppose it contains a dominated ``B``, with dominator ``A``. If ``A`` is in ``S``, then
``S - {B}`` meets every need ``S`` meets by (a), so ``S`` is redundant, against (F2). Otherwise let
``S' = S - {B} + {A}``. By (a) ``S'`` meets every need ``S`` meets (level 1 equal). Its agencies are
those of ``S`` without, at most, ``agency(B)`` and with, at most, ``agency(A)``; by (c) the new one
is the same agency, or free, or replaces ``agency(B)``, which leaves with ``B`` because ``B`` was
its only option (level 2 not worse). It has as many options (level 3 equal), distance and spare no
worse by (b) (levels 4 and 5 not worse). By (d) either level 4 or 5 is strictly better, or all of
levels 1-5 are equal and ``S'`` swaps ``B`` for the smaller index ``A`` (level 6 strictly
better). So ``S'`` beats ``S``: a contradiction. Hence the optimum contains no dominated option.
Domination is transitive: given (b), condition (d) says that ``A`` comes strictly before ``B`` in
the order by ``(distance, -spare, index)``, which chains, as do (a) and (b); and if ``C``
dominates ``A`` and ``A`` dominates ``B``, either ``B`` is the only option of its non-free agency
(so (c) holds for ``C`` and ``B``), or ``agency(A)`` is ``agency(B)`` or free, so ``A`` is not the
only option of a non-free agency and ``agency(C)`` is ``agency(A)`` or free: again ``agency(B)``
or free. Having no cycles, every dropped option has an undominated dominator, whose mask contains
its own: ``T`` is unchanged, the optimum survives the reduction, and the reduced instance has no
other, better, selection. Note what the rule does *not* do: an option is never dropped for a
strictly larger mask alone (the smaller mask may win on distance or on the tie-break), and never
for a cheaper option of another, non-free agency when its own agency runs other candidate options
(it may ride along with them at no agency cost).

*Shortcut.* When ``T`` has two needs or more and one option meets all of ``T``, and the options
of free agencies together do not, every selection meeting ``T`` uses at least one non-free agency
and at least one pathway; that option alone uses one of each, so the optimum is a single option
meeting ``T``, the first by ``(distance, -spare, index)`` (levels 4-6). It is returned without
the reduction or the search.

*Search.* A* over states ``(needs met so far, open agency)``, with the one-integer key of (F3) as
the path cost. Needs are taken in a fixed order, those met by the fewest options first. From a
state, a move either adds another option of the open agency that meets a new need (no agency
cost), or opens another agency with one of its options that meets the *first* unmet need in that
order (agency cost ``W_AG``, or 0 for a free agency). Every irredundant set is reachable: take its
agencies one at a time, each time the one whose option meets the first unmet need, opening with
that option and then adding the rest of that agency's chosen options (each meets a need no other
meets, by irredundancy). A path never repeats an option, and a path that opens a non-free agency
twice pays for it twice, so a path costs at least the true key of the options on it; the optimum's
path costs exactly its key. The first goal state popped is therefore the optimum, and by (F3) it
is unique. The heuristic counts the pathways still needed (unmet needs divided by the largest
mask, rounded up) and the agencies still needed (unmet needs outside the free agencies and the
open agency, divided by the most needs one non-free agency meets, rounded up); each drops by at
most what a move pays at its level, so it is consistent and each state is expanded at most once.
The levels of the key are read back out of the optimal cost.

*Running time.* With ``t = popcount(T)`` needs, ``P`` options and ``A`` agencies left after the
reduction, there are at most ``1 + (2**t - 1) * A`` states, each expanded once with at most ``P``
moves: ``O(2**t * A * P * log(2**t * A * P))`` time and ``O(2**t * A)`` memory, plus ``O(P**2)``
for the reduction. Exponential in the number of needs (set cover is NP-hard), polynomial in the
number of options; subset enumeration would be ``O(2**P)``. At real size (1-8 needs, 3-40 options)
it expands a handful of states (median 2-3, 99th percentile under 30 in ``benchmarks/cover.py``)
and takes microseconds to tens of microseconds; on an adversarial family (8 needs, only two-need
pathways, 30 agencies with the same masks, every distance and spare equal) under 200 of the
7,651 possible states. It is correct, and slow, for 22 needs met only by small, overlapping
options.

*One search.* :func:`best_cover` is this module's Python search, with or without fit
points (:func:`best_cover_python` is the same function under its older name). On the
matcher's instances it takes microseconds to a few hundred microseconds
(``docs/performance.md``).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "Cover",
    "CoverKey",
    "Option",
    "OptionLike",
    "best_cover",
    "best_cover_python",
    "cover_key",
    "greedy_cover",
    "is_cover",
]

CoverKey = tuple[int, int, int, int, int, int, tuple[int, ...]]
"""(needs not met, agencies not free, fit points not earned, pathways, distance, -spare, sorted
chosen indices)."""

_NO_FREE: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Option:
    """One candidate pathway, reduced to what the solver needs.

    Attributes
    ----------
    mask : int
        The needs the pathway can take, one bit per need; positive.
    agency : int
        Index of the agency that runs it; several options may share an agency. Non-negative.
    distance : int
        Travel in metres, 0 for online or phone delivery. Non-negative.
    spare : int
        Spare-capacity score, higher is better. Non-negative.

    Raises
    ------
    ValueError
        If ``mask`` is not positive or another field is negative.
    TypeError
        If a field is not an ``int``.

    Examples
    --------
    >>> Option(mask=0b101, agency=2, distance=1500, spare=3)
    Option(mask=5, agency=2, distance=1500, spare=3)
    >>> Option(mask=0, agency=0, distance=0, spare=0)
    Traceback (most recent call last):
    ...
    ValueError: Option.mask must be a positive bitmask of needs, got 0
    """

    mask: int
    agency: int
    distance: int
    spare: int

    def __post_init__(self) -> None:
        for name, value in (
            ("mask", self.mask),
            ("agency", self.agency),
            ("distance", self.distance),
            ("spare", self.spare),
        ):
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"Option.{name} must be an int, got {value!r}")
        if self.mask <= 0:
            raise ValueError(f"Option.mask must be a positive bitmask of needs, got {self.mask}")
        if self.agency < 0:
            raise ValueError(f"Option.agency must be a non-negative index, got {self.agency}")
        if self.distance < 0:
            raise ValueError(f"Option.distance must be non-negative metres, got {self.distance}")
        if self.spare < 0:
            raise ValueError(f"Option.spare must be a non-negative score, got {self.spare}")


class OptionLike(Protocol):
    """What the solvers read of an option: any object with :class:`Option`'s four int fields.

    :class:`Option` checks its fields; a caller passing its own records (the matcher passes
    its working records, whose fields it made) vouches for the same: ``mask`` positive, the
    others non-negative.
    """

    @property
    def mask(self) -> int: ...
    @property
    def agency(self) -> int: ...
    @property
    def distance(self) -> int: ...
    @property
    def spare(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Cover:
    """The options chosen to meet a universe of needs.

    Attributes
    ----------
    chosen : tuple of int
        Indices into the options, sorted.
    covered : int
        The needs of the universe that the chosen options meet.
    key : CoverKey
        ``(needs not met, agencies not free, fit points not earned, pathways, distance, -spare,
        chosen)``; lower is better. See :func:`cover_key`.
    """

    chosen: tuple[int, ...]
    covered: int
    key: CoverKey


def _check_universe(universe: int) -> None:
    if not isinstance(universe, int) or isinstance(universe, bool):
        raise TypeError(f"universe must be an int bitmask of needs, got {universe!r}")
    if universe < 0:
        raise ValueError(f"universe must be a non-negative bitmask of needs, got {universe}")


def _check_chosen(options: Sequence[OptionLike], chosen: Sequence[int]) -> None:
    n = len(options)
    for i in chosen:
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < n:
            raise ValueError(f"chosen index {i!r} is not an index of the {n} options")


def _possible(universe: int, options: Sequence[OptionLike], fit: Sequence[int] | None) -> int:
    """The fit points any option meeting a need of ``universe`` carries."""
    points = 0
    if fit:
        for o, f in zip(options, fit, strict=True):
            if o.mask & universe:
                points |= f
    return points


def _key(
    universe: int,
    options: Sequence[OptionLike],
    picked: tuple[int, ...],
    free: frozenset[int],
    fit: Sequence[int] | None = None,
) -> CoverKey:
    """The key of ``picked`` (sorted, distinct, valid indices); no checks."""
    covered = 0
    distance = 0
    spare = 0
    earned = 0
    agencies: set[int] = set()
    for i in picked:
        o = options[i]
        covered |= o.mask
        distance += o.distance
        spare += o.spare
        if fit and o.mask & universe:  # an option meeting no need earns nothing
            earned |= fit[i]
        if o.agency not in free:
            agencies.add(o.agency)
    unfit = (_possible(universe, options, fit) & ~earned).bit_count()
    return (
        (universe & ~covered).bit_count(),
        len(agencies),
        unfit,
        len(picked),
        distance,
        -spare,
        picked,
    )


def _check_fit(options: Sequence[OptionLike], fit: Sequence[int] | None) -> None:
    if fit is None:
        return
    if len(fit) != len(options):
        raise ValueError(f"fit has {len(fit)} masks for {len(options)} options")
    for f in fit:
        if not isinstance(f, int) or isinstance(f, bool) or f < 0:
            raise ValueError(f"a fit mask must be a non-negative int, got {f!r}")


def cover_key(
    universe: int,
    options: Sequence[OptionLike],
    chosen: Sequence[int],
    *,
    free_agencies: frozenset[int] = _NO_FREE,
    fit: Sequence[int] | None = None,
) -> CoverKey:
    """The objective vector of any selection of options; lower is better.

    Parameters
    ----------
    universe : int
        The assessed needs, one bit each.
    options : sequence of Option
        The candidates, in canonical (pathway id) order.
    chosen : sequence of int
        Distinct indices into ``options``, in any order.
    free_agencies : frozenset of int, optional
        Agencies already working with the person; they do not count at level 2.
    fit : sequence of int, optional
        Each option's fit points (level 3); none by default.

    Returns
    -------
    CoverKey
        ``(needs of universe not met, distinct agencies not in free_agencies, fit points not
        earned, number of options, total distance, -total spare, sorted chosen indices)``.
        Compare keys with ``<``.

    Raises
    ------
    ValueError
        If an index is out of range or repeated, or ``universe`` is negative.

    Examples
    --------
    >>> opts = [Option(0b011, 0, 500, 1), Option(0b100, 0, 0, 2), Option(0b100, 1, 0, 9)]
    >>> cover_key(0b111, opts, [1, 0])
    (0, 1, 0, 2, 500, -3, (0, 1))
    >>> cover_key(0b111, opts, [2], free_agencies=frozenset({1}))
    (2, 0, 0, 1, 0, -9, (2,))
    >>> cover_key(0b111, opts, [1, 0], fit=[0b01, 0b00, 0b10])   # option 2's point not earned
    (0, 1, 1, 2, 500, -3, (0, 1))
    """
    _check_universe(universe)
    _check_chosen(options, chosen)
    _check_fit(options, fit)
    picked = tuple(sorted(chosen))
    if len(set(picked)) != len(picked):
        raise ValueError(f"chosen indices repeat: {picked}")
    return _key(universe, options, picked, free_agencies, fit)


def is_cover(
    universe: int,
    options: Sequence[OptionLike],
    chosen: Sequence[int],
    *,
    fit: Sequence[int] | None = None,
) -> bool:
    """Decide whether ``chosen`` is an irredundant cover of everything the options can meet.

    True when the chosen options together meet every need of ``universe`` that the union of
    *all* options meets, and none is redundant: removing any one of them loses a need of the
    universe. With ``fit``, an option that meets no need alone but earns a fit point no other
    chosen option earns is not redundant either (it may be the specialist beside a generalist).
    Every optimum of :func:`best_cover` passes (facts F1 and F2 of the module notes); tests use
    it as an oracle. Not an optimality check.

    Parameters
    ----------
    universe : int
        The assessed needs, one bit each.
    options : sequence of Option
        The candidates.
    chosen : sequence of int
        Indices into ``options``. A repeated index is redundant, so the answer is then False.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If an index is out of range, or ``universe`` is negative.

    Examples
    --------
    >>> opts = [Option(0b011, 0, 0, 0), Option(0b110, 1, 0, 0), Option(0b100, 2, 0, 0)]
    >>> is_cover(0b111, opts, [0, 2])
    True
    >>> is_cover(0b111, opts, [0])          # need 2 can be met and is not
    False
    >>> is_cover(0b111, opts, [0, 1, 2])    # option 2 adds nothing to 0 and 1
    False

    Notes
    -----
    ``O(len(options) + len(chosen))`` time: one pass for the union, then prefix and suffix unions
    of the chosen masks.
    """
    _check_universe(universe)
    _check_chosen(options, chosen)
    _check_fit(options, fit)
    if len(set(chosen)) != len(chosen):
        return False
    reach = 0
    for o in options:
        reach |= o.mask
    reach &= universe
    shift = universe.bit_length()
    masks = [
        (options[i].mask & universe)
        | ((fit[i] << shift) if fit and options[i].mask & universe else 0)
        for i in chosen
    ]
    suffix = [0] * (len(masks) + 1)
    for j in range(len(masks) - 1, -1, -1):
        suffix[j] = suffix[j + 1] | masks[j]
    if suffix[0] & universe != reach:
        return False
    prefix = 0
    for j, m in enumerate(masks):
        if not m & ~(prefix | suffix[j + 1]):
            return False
        prefix |= m
    return True


_NO_TABLE: Mapping[int, int] = MappingProxyType({})


def best_cover(
    universe: int,
    options: Sequence[OptionLike],
    *,
    free_agencies: frozenset[int] = _NO_FREE,
    stats: dict[str, int] | None = None,
    fit: Sequence[int] | None = None,
) -> Cover:
    """Choose the options that meet the most needs with the fewest agencies, exactly.

    Minimises, lexicographically: needs not met; distinct agencies not in ``free_agencies``;
    fit points not earned; pathways; total distance; minus total spare; the sorted tuple of
    indices. The answer is the unique optimum (exact, not approximate).

    Parameters
    ----------
    universe : int
        The assessed needs, one bit each.
    options : sequence of Option
        The candidates, in canonical (pathway id) order; an index is an id rank.
    free_agencies : frozenset of int, optional
        Agencies already working with the person; choosing them costs no agency.
    stats : dict, optional
        If given, filled with counters of the work done: ``options`` (given), ``kept`` (left by
        the reduction), ``agencies`` (among those kept), ``needs`` (``popcount(T)``),
        ``expanded`` (states expanded) and ``pushed`` (states queued). For tests and benchmarks;
        the answer does not depend on it.
    fit : sequence of int, optional
        Each option's fit points, bits of their own, each belonging to a need the option meets
        (the matcher: the need is its specialism; women's provision for a woman; youth
        provision for a child); level 3 counts the points no chosen option earns.

    Returns
    -------
    Cover
        ``chosen`` (sorted indices), ``covered`` (needs of ``universe`` met) and ``key`` (as
        :func:`cover_key` computes it).

    Raises
    ------
    ValueError
        If ``universe`` is negative. (An :class:`Option` checks its own fields.)

    Examples
    --------
    Greedy takes agency 0's three-need pathway first and then needs agency 1 as well; agency 1
    alone meets all four needs with two pathways:

    >>> opts = [
    ...     Option(0b0111, agency=0, distance=0, spare=0),
    ...     Option(0b0011, agency=1, distance=0, spare=0),
    ...     Option(0b1100, agency=1, distance=0, spare=0),
    ... ]
    >>> best_cover(0b1111, opts).chosen
    (1, 2)
    >>> greedy_cover(0b1111, opts).chosen
    (0, 2)

    Agencies already engaged are free, and needs nobody meets are reported, not fatal:

    >>> c = best_cover(0b11111, opts, free_agencies=frozenset({0}))
    >>> c.chosen, bin(c.covered), c.key
    ((0, 2), '0b1111', (1, 1, 0, 2, 0, 0, (0, 2)))

    Among plans with the fewest agencies, the one earning the most fit points: agency 0 runs a
    generalist pathway for both needs and a specialist for need 0, whose point is worth a
    second pathway of the same agency but not a second agency:

    >>> pair = [Option(0b11, 0, 0, 0), Option(0b01, 0, 0, 0), Option(0b10, 1, 0, 0)]
    >>> best_cover(0b11, pair, fit=[0b00, 0b01, 0b10]).chosen
    (0, 1)

    Ties go to nearer, then to more spare capacity, then to smaller indices:

    >>> twins = [Option(0b1, 0, 900, 1), Option(0b1, 1, 200, 0), Option(0b1, 2, 200, 4)]
    >>> best_cover(0b1, twins).chosen
    (2,)

    Notes
    -----
    Reduction (restriction to the universe, then dominance pruning: an option is dropped when
    another one of the same agency, or of a free agency, or any other one if its agency runs no
    other candidate, meets all its needs and is no further and has no less spare capacity, with
    distance, spare or index strictly breaking the tie), then A* over (needs met, open agency)
    states with the whole key as one integer cost. The module docstring proves the dominance rule
    and the search. Time ``O(P**2 + 2**t * A * P * log(2**t * A * P))`` for ``t`` coverable
    needs, ``P`` options and ``A`` agencies left after the reduction; exponential in the needs
    only. With fit points, ``t`` counts the points too (see the module notes).
    """
    _check_universe(universe)
    _check_fit(options, fit)
    if fit is None or not _possible(universe, options, fit):
        return _search(universe, options, free_agencies, stats, 0)
    # The optimum without fit points is the optimum with them when it earns every point: no
    # plan meets more needs with fewer agencies, and among those with as many, it comes first
    # on every later level (module notes, *Fit points*).
    plain = _search(universe, options, free_agencies, stats, 0)
    key = _key(universe, options, plain.chosen, free_agencies, fit)
    if not key[2]:
        return Cover(plain.chosen, plain.covered, key)
    return _search_fit(universe, options, free_agencies, stats, fit)


best_cover_python = best_cover
"""The old name of :func:`best_cover` (once the reference of a C twin)."""


@dataclass(frozen=True, slots=True)
class _Stand:
    """A stand-in option: meets one fit point alone (module notes, *Fit points*)."""

    mask: int
    agency: int
    distance: int = 0
    spare: int = 0


def _search_fit(
    universe: int,
    options: Sequence[OptionLike],
    free: frozenset[int],
    stats: dict[str, int] | None,
    fit: Sequence[int],
) -> Cover:
    """:func:`best_cover` with fit points, by the reduction of the module notes."""
    shift = universe.bit_length()
    points = _possible(universe, options, fit)
    stand_agency = 1 + max((o.agency for o in options), default=0)
    stand_agency = max(stand_agency, 1 + max(free, default=-1))
    wide: list[OptionLike] = [
        _Stand((o.mask & universe) | (f << shift), o.agency, o.distance, o.spare)
        if o.mask & universe
        else _Stand(0, o.agency, o.distance, o.spare)  # meets nothing: dropped by the search
        for o, f in zip(options, fit, strict=True)
    ]
    rest = points
    while rest:
        bit = rest & -rest
        wide.append(_Stand(bit << shift, stand_agency))
        rest ^= bit
    cover = _search(
        universe | (points << shift),
        wide,
        free | {stand_agency},
        stats,
        len(options),
    )
    picked = tuple(i for i in cover.chosen if i < len(options))
    return Cover(picked, cover.covered & universe, _key(universe, options, picked, free, fit))


def _search(
    universe: int,
    options: Sequence[OptionLike],
    free: frozenset[int],
    stats: dict[str, int] | None,
    stand_from: int,
) -> Cover:
    """The search of the module notes; options from ``stand_from`` on (when positive) are
    stand-ins, which pay a penalty of one at the fit level. Stand-ins come after every real
    option and have no distance or spare, so the dominance order puts them last (a stand-in is
    dominated only by a real option of a free agency earning its point from no further away)."""

    # 1. Restrict to the universe; drop options that meet nothing there (F2). Items are in index
    #    order, so an item's position r is its rank for the tie-break.
    items: list[tuple[int, int, int, int, int]] = []  # (distance, -spare, r, mask, agency)
    index: list[int] = []  # r -> option index
    per_agency: dict[int, int] = {}
    reach = spmax = dsum = 0
    for i, o in enumerate(options):
        m = o.mask & universe
        if m:
            a = o.agency
            d = o.distance
            sp = o.spare
            items.append((d, -sp, len(index), m, a))
            index.append(i)
            reach |= m
            dsum += d
            if sp > spmax:
                spmax = sp
            per_agency[a] = per_agency.get(a, 0) + 1
    n = len(items)
    if stats is not None:
        stats.update(options=len(options), needs=reach.bit_count(), expanded=0, pushed=0)
    if not reach & (reach - 1):
        # At most one need can be met: the optimum is one option (F2), the first by (new
        # agency, distance, -spare, index); or nothing.
        pick = min(((a not in free, d, nsp, r) for d, nsp, r, _, a in items), default=None)
        if stats is not None:
            stats.update(kept=len(items) and 1, agencies=len(items) and 1)
        picked: tuple[int, ...] = (index[pick[3]],) if pick else ()
        return Cover(picked, reach, _key(universe, options, picked, free))

    # Several needs, and one option meets them all: unless the free agencies' options meet them
    # all too, every plan uses at least one agency and one pathway, so the optimum is the first
    # such option by (distance, -spare, index). No reduction, no search.
    whole = min(((d, nsp, r, a) for d, nsp, r, m, a in items if m == reach), default=None)
    if whole is not None:
        free_reach = 0
        if free:
            for _, _, _, m, a in items:
                if a in free:
                    free_reach |= m
        if free_reach != reach:
            if stats is not None:
                stats.update(kept=1, agencies=1)
            picked = (index[whole[2]],)
            return Cover(picked, reach, _key(universe, options, picked, free))

    # 2. Weights (F3): one integer per option, its whole contribution to levels 3-6, and a
    #    penalty level between agencies and pathways for the stand-ins of fit points.
    top = 1 << n
    w_sp = n * top + 1
    w_d = w_sp * (n * spmax + 1)
    w_pw = w_d * (dsum + 1)
    w_pen = w_pw * (n + 1)
    w_ag = w_pen * (n + 1)

    # 3. Dominance. Sorted by (distance, -spare, rank), a dominator comes before what it
    #    dominates, and (transitivity) an undominated one does: compare with those kept only,
    #    and only with those meeting the dominated option's lowest need. The kept options go
    #    straight into the search's tables.
    items.sort()
    by_need: dict[int, list[tuple[int, int, int, int, int]]] = {}  # bit -> (m, w, r, a, -spare)
    by_agency: dict[int, list[tuple[int, int, int]]] = {}  # agency -> (m, w without agency, r)
    agency_mask: dict[int, int] = {}
    free_mask = 0
    largest = 1
    kept = 0
    # For the dominance test, the kept options' needs with the least -spare among them: any kept
    # option (by lowest need met), those of each agency, those of free agencies. An option is
    # dominated when one kept before it that it may be compared with meets all its needs with
    # no less spare; the least -spare per set of needs is enough to tell.
    any_kept: dict[int, dict[int, int]] = {}  # bit -> needs -> least -spare
    of_agency: dict[int, dict[int, int]] = {}  # agency -> needs -> least -spare
    of_free: dict[int, int] = {}  # needs -> least -spare, free agencies
    for d, nsp, r, m, a in items:
        if per_agency[a] == 1 and a not in free:  # sole: any kept option may dominate it
            tables: tuple[Mapping[int, int], ...] = (any_kept.get(m & -m, _NO_TABLE),)
        else:
            tables = (of_agency.get(a, _NO_TABLE), of_free)
        for table in tables:
            for km, knsp in table.items():
                if knsp <= nsp and not m & ~km:
                    break
            else:
                continue
            break
        else:
            kept += 1
            own = of_agency.setdefault(a, {})
            if own.get(m, nsp + 1) > nsp:
                own[m] = nsp
            if a in free and of_free.get(m, nsp + 1) > nsp:
                of_free[m] = nsp
            w = w_pw + d * w_d + (spmax + nsp) * w_sp + top - (top >> (r + 1))
            if stand_from and index[r] >= stand_from:
                w += w_pen
            if a in free:
                free_mask |= m
                entry = (m, w, r, a, nsp)
            else:
                entry = (m, w + w_ag, r, a, nsp)
            rest = m
            while rest:
                bit = rest & -rest
                if bit in by_need:
                    by_need[bit].append(entry)
                    least = any_kept[bit]
                    if least.get(m, nsp + 1) > nsp:
                        least[m] = nsp
                else:
                    by_need[bit] = [entry]
                    any_kept[bit] = {m: nsp}
                rest ^= bit
            if a in by_agency:
                by_agency[a].append((m, w, r))
                agency_mask[a] |= m
            else:
                by_agency[a] = [(m, w, r)]
                agency_mask[a] = m
            if m.bit_count() > largest:
                largest = m.bit_count()
    if stats is not None:
        stats.update(kept=kept, agencies=len(by_agency))
    if kept <= 1:
        picked = tuple(index[r] for v in by_agency.values() for _, _, r in v)
        return Cover(picked, reach, _key(universe, options, picked, free))
    widest = max((agency_mask[a].bit_count() for a in by_agency if a not in free), default=1)
    # Branch on the unmet need met by the fewest options (fewest moves), not just the lowest.
    order = sorted(by_need, key=lambda b: len(by_need[b]))
    # The heuristic by popcount: pathways still needed, agencies still needed (both rounded up).
    t = reach.bit_count()
    h_pw = [-(-k // largest) * w_pw for k in range(t + 1)]
    h_ag = [-(-k // widest) * w_ag for k in range(t + 1)]

    # 4. A*: state = needs met | (open agency + 1) << shift; cost = one integer (F3).
    shift = reach.bit_length()
    low_mask = (1 << shift) - 1
    best: dict[int, int] = {0: 0}
    parent: dict[int, tuple[int, int]] = {}
    heap: list[tuple[int, int]] = [(0, 0)]
    done: set[int] = set()
    push = heapq.heappush
    pop = heapq.heappop
    expanded = pushed = 0
    while True:
        st = pop(heap)[1]
        if st in done:
            continue
        s = st & low_mask
        if s == reach:
            break
        done.add(st)
        expanded += 1
        g = best[st]
        rest = reach & ~s
        bit = 0
        for bit in order:
            if rest & bit:
                break
        cur = (st >> shift) - 1
        if cur >= 0:
            stay = st & ~low_mask
            for m, w, r in by_agency[cur]:
                if m & rest:
                    nst = (s | m) | stay
                    ng = g + w
                    old = best.get(nst)
                    if old is None or ng < old:
                        best[nst] = ng
                        parent[nst] = (st, r)
                        left = rest & ~m
                        if left:
                            ng += (
                                h_pw[left.bit_count()]
                                + h_ag[(left & ~free_mask & ~agency_mask[cur]).bit_count()]
                            )
                        push(heap, (ng, nst))
                        pushed += 1
        for m, w, r, a, _ in by_need[bit]:
            if a != cur:
                nst = (s | m) | (a + 1) << shift
                ng = g + w
                old = best.get(nst)
                if old is None or ng < old:
                    best[nst] = ng
                    parent[nst] = (st, r)
                    left = rest & ~m
                    if left:
                        ng += (
                            h_pw[left.bit_count()]
                            + h_ag[(left & ~free_mask & ~agency_mask[a]).bit_count()]
                        )
                    push(heap, (ng, nst))
                    pushed += 1
    if stats is not None:
        stats.update(expanded=expanded, pushed=pushed)

    # The cost is the key (F3): read the levels back out of it.
    agencies, g = divmod(best[st], w_ag)
    penalty, g = divmod(g, w_pen)
    pathways, g = divmod(g, w_pw)
    distance, g = divmod(g, w_d)
    spare = pathways * spmax - g // w_sp
    ranks: list[int] = []
    while st:
        st, r = parent[st]
        ranks.append(index[r])
    chosen = tuple(sorted(ranks))
    unmet = universe.bit_count() - t
    return Cover(chosen, reach, (unmet, agencies, penalty, pathways, distance, -spare, chosen))


def greedy_cover(
    universe: int,
    options: Sequence[OptionLike],
    *,
    free_agencies: frozenset[int] = _NO_FREE,
    fit: Sequence[int] | None = None,
) -> Cover:
    """The textbook greedy set cover: the peer :func:`best_cover` is measured against.

    Repeatedly picks the option that meets the most needs not met yet; ties go to the option that
    adds no agency (its agency is already chosen or free), then to the one earning more fit
    points, then to the nearer, then to the smaller index. Stops when no option meets a new
    need. Approximate, not exact.

    Parameters
    ----------
    universe : int
        The assessed needs, one bit each.
    options : sequence of Option
        The candidates, in canonical order.
    free_agencies : frozenset of int, optional
        Agencies already working with the person.

    Returns
    -------
    Cover
        As :func:`best_cover`, with the key of the greedy choice; never smaller than the exact key.

    Raises
    ------
    ValueError
        If ``universe`` is negative.

    Examples
    --------
    >>> opts = [Option(0b0111, 0, 0, 0), Option(0b0011, 1, 0, 0), Option(0b1100, 1, 0, 0)]
    >>> greedy_cover(0b1111, opts).key[:4]   # needs not met, agencies, fit points, pathways
    (0, 2, 0, 2)
    >>> best_cover(0b1111, opts).key[:4]
    (0, 1, 0, 2)

    Notes
    -----
    Meets every need any option meets (level 1 is exact). The number of pathways is at most
    ``H(n) = 1 + 1/2 + ... + 1/n <= 1 + ln n`` times the fewest possible, ``n`` the largest number
    of universe needs one option meets (Johnson 1974, Lovász 1975, Chvátal 1979); no
    polynomial-time algorithm guarantees ``(1 - ε) ln n`` unless P = NP (Dinur and Steurer 2014).
    There is no bound on agencies: the greedy step does not see that one agency's small pathways
    together beat two agencies' larger ones. It may also keep an option that later ones made
    redundant. ``O(n * len(options))`` time.
    """
    _check_universe(universe)
    _check_fit(options, fit)
    free = free_agencies
    reach = 0
    for o in options:
        reach |= o.mask
    uncovered = reach & universe
    covered = 0
    used: set[int] = set()
    picked: list[int] = []
    while uncovered:
        best_i = -1
        best_rank = (0, 0, 0, 0, 0)
        for i, o in enumerate(options):
            gain = (o.mask & uncovered).bit_count()
            if not gain:
                continue
            points = -fit[i].bit_count() if fit else 0
            new = 0 if o.agency in used or o.agency in free else 1
            rank = (-gain, new, points, o.distance, i)
            if best_i < 0 or rank < best_rank:
                best_i, best_rank = i, rank
        o = options[best_i]
        picked.append(best_i)
        used.add(o.agency)
        covered |= o.mask & universe
        uncovered &= ~o.mask
    chosen = tuple(sorted(picked))
    return Cover(chosen, covered, _key(universe, options, chosen, free, fit))
