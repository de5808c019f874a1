"""Conditions of a conditional caution: what the officer agrees with the person, and what is
still to record.

A conditional caution (adult: Criminal Justice Act 2003, Part 3; the seed documents' *deferred
prosecution*), a youth conditional caution (Crime and Disorder Act 1998, s. 66A) and the
diversionary and community cautions of the Police, Crime, Sentencing and Courts Act 2022
(Part 6; not yet in force) attach conditions: rehabilitative, reparative, and punitive where
necessary. They must be appropriate, proportionate and achievable, agreed with the person, and
are normally completed within 16 weeks (20 in exceptional cases: the Code of Practice for Adult
Conditional Cautions and DPP guidance, research notes ``appropriateness.md`` section 5). Before
the caution the officer records the admission, the person's signed consent, and the victim's
views (sought since 20 October 2014).

:func:`conditions_of` turns a plan's referrals into those conditions. Pure; no I/O.

>>> from directory.models import Pathway
>>> p = Pathway(id="x", name="Drug awareness", needs=("drugs",), conditions=("rehabilitative",))
>>> c = conditions_of("conditional_caution", [("drugs", "Drug misuse", p)], recorded=set())
>>> c.conditions[0].kinds, c.complete_within_weeks, c.still_to_record
(('rehabilitative',), 16, ('the admission', "the person's consent", "the victim's views"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from directory.models import Pathway

__all__ = ["CONDITIONAL_DISPOSALS", "Condition", "Conditions", "conditions_of"]

CONDITIONAL_DISPOSALS: frozenset[str] = frozenset(
    {
        "conditional_caution",
        "youth_conditional_caution",
        "diversionary_caution",
        "community_caution",
    }
)
"""Disposals that carry conditions."""

_TO_RECORD = (
    ("admitted", "the admission"),
    ("consents", "the person's consent"),
    ("victim_views", "the victim's views"),
)

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Condition(BaseModel):
    """One condition to agree: attend a pathway for some needs; its kinds."""

    model_config = _FROZEN
    pathway: str
    pathway_name: str
    needs: tuple[str, ...]
    kinds: tuple[str, ...]
    """rehabilitative, reparative or punitive, as the pathway can be attached."""


class Conditions(BaseModel):
    """The conditions of a conditional disposal, for the officer to agree with the person."""

    model_config = _FROZEN
    disposal: str
    conditions: tuple[Condition, ...]
    voluntary: tuple[str, ...] = ()
    """Referrals that are not conditions (victims' services are offered, never imposed)."""
    complete_within_weeks: int = 16
    exceptional_weeks: int = 20
    still_to_record: tuple[str, ...] = ()
    in_force: bool = True
    """False for the 2022 Act's cautions, whose Part 6 is not yet commenced."""

    def words(self) -> str:
        """The conditions in plain words, for the case note.

        >>> Conditions(disposal="conditional_caution", conditions=(), still_to_record=()).words()
        'Conditions to agree with the person: none from this plan. Complete within 16 weeks (20 in exceptional cases).'
        """  # noqa: E501
        items = [
            f"attend {c.pathway_name} for {', '.join(c.needs)} ({' or '.join(c.kinds)})"
            for c in self.conditions
        ]
        out = [
            "Conditions to agree with the person: "
            + ("; ".join(items) if items else "none from this plan")
            + "."
        ]
        if self.voluntary:
            out.append(f"Offered, not conditions: {'; '.join(self.voluntary)}.")
        out.append(
            f"Complete within {self.complete_within_weeks} weeks "
            f"({self.exceptional_weeks} in exceptional cases)."
        )
        if self.still_to_record:
            out.append(f"Still to record: {', '.join(self.still_to_record)}.")
        if not self.in_force:
            out.append("This caution is not yet in force (PCSC Act 2022, Part 6).")
        return " ".join(out)


def conditions_of(
    disposal: str | None,
    referrals: Sequence[tuple[str, str, Pathway]],
    *,
    recorded: Collection[str],
) -> Conditions | None:
    """The conditions of ``disposal`` from a plan's ``(need, need label, pathway)`` referrals.

    None when the disposal carries no conditions. A pathway for victims is offered, never a
    condition; a pathway whose ``eligibility.disposals`` names other disposals only is left
    out as a condition too. ``recorded`` names the facts recorded so far (``admitted``,
    ``consents``, ``victim_views``).
    """
    if disposal not in CONDITIONAL_DISPOSALS:
        return None
    by_pathway: dict[str, tuple[Pathway, list[str]]] = {}
    voluntary: list[str] = []
    for _need, label, p in referrals:
        rules = p.eligibility
        if rules.role == "victim" or (rules.disposals and disposal not in rules.disposals):
            if p.name not in voluntary:
                voluntary.append(p.name)
            continue
        by_pathway.setdefault(p.id, (p, []))[1].append(label.lower())
    conditions = tuple(
        Condition(pathway=p.id, pathway_name=p.name, needs=tuple(needs), kinds=p.conditions)
        for p, needs in by_pathway.values()
    )
    return Conditions(
        disposal=disposal,
        conditions=conditions,
        voluntary=tuple(voluntary),
        still_to_record=tuple(words for fact, words in _TO_RECORD if fact not in recorded),
        in_force=disposal not in {"diversionary_caution", "community_caution"},
    )
