"""The plan: the answer to an assessment, with the reasons behind every choice.

A :class:`Plan` is a frozen pydantic model with stable field names; ``plan.model_dump(mode="json")``
is the JSON a force system stores. It lists one :class:`Referral` per need referred (a pathway
that takes several needs appears once per need), the needs :class:`AlreadyMet` by agencies
already working with the person, the needs :class:`Unmet` with a reason code and the nearest
:class:`NearMiss` pathways, the agencies involved, the :class:`Objective` values of the plan and
a plain-English ``summary`` an officer can paste into a case note.

The plan holds no personal data beyond what the officer typed and the library needs to show:
the opaque reference, the district and the needs. The summary names needs, agencies, pathways and
reasons, never age, gender, cohort or offence. Hidden sites (refuges) are never named or located:
their name reads :data:`HIDDEN_SITE` and their id is left out.

Reason codes of unmet needs
---------------------------
================= =================================================================
``none-provided`` no active pathway in the directory addresses the need
``not-in-reach``  pathways address it, but none reaches the person
``not-eligible``  pathways in reach address it, but none accepts the person
``full``          pathways in reach accept the person, but none has a place (and a
                  waitlist was not accepted, or none keeps one)
================= =================================================================
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from directory.interpret import Interpretation
from matching.conditional import Conditions

__all__ = [
    "HIDDEN_SITE",
    "UNMET_REASONS",
    "AlreadyMet",
    "Failed",
    "NearMiss",
    "Objective",
    "Plan",
    "PlanAgency",
    "Recorded",
    "Referral",
    "Unmet",
    "UnmetReason",
]

HIDDEN_SITE = "address withheld (refuge)"
"""The name shown for a hidden site."""

UnmetReason = Literal["none-provided", "not-in-reach", "not-eligible", "full"]
UNMET_REASONS: tuple[UnmetReason, ...] = ("none-provided", "not-in-reach", "not-eligible", "full")
Failed = Literal["not-in-reach", "not-eligible", "full"]
Delivery = Literal["in_person", "outreach", "phone", "online"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Referral(BaseModel):
    """One need referred to one pathway, and why that pathway."""

    model_config = _FROZEN
    need: str
    need_label: str
    pathway: str
    pathway_name: str
    agency: str
    agency_name: str
    site: str | None
    """The site id for in-person delivery at a known site (None for hidden sites)."""
    site_name: str | None
    distance_km: float | None
    """Travel to the site (or the estimate for a venue arranged on referral); None remote or by
    outreach."""
    delivery: Delivery
    status: Literal["referred", "waitlisted"]
    engaged: bool
    """The agency already works with the person."""
    reason: str


class AlreadyMet(BaseModel):
    """A need an agency already working with the person meets: not referred again."""

    model_config = _FROZEN
    need: str
    need_label: str
    agency: str
    agency_name: str


class NearMiss(BaseModel):
    """A pathway that addresses an unmet need, and every reason it could not be used."""

    model_config = _FROZEN
    pathway: str
    pathway_name: str
    agency: str
    agency_name: str
    distance_km: float | None
    """Distance to its nearest site (None without a site)."""
    failed: tuple[Failed, ...]
    reason: str
    """``"<pathway>, <agency>: <every reason>"``."""


class Unmet(BaseModel):
    """A need the plan cannot meet: the reason code, an explanation, and near misses."""

    model_config = _FROZEN
    need: str
    need_label: str
    reason: UnmetReason
    explanation: str
    near_misses: tuple[NearMiss, ...] = ()


class PlanAgency(BaseModel):
    """An agency of the plan: referred to, or already working with the person."""

    model_config = _FROZEN
    id: str
    name: str
    engaged: bool
    pathways: tuple[str, ...]
    needs: tuple[str, ...]
    """Needs it takes in this plan (referred or already met)."""


class Objective(BaseModel):
    """The values the plan is optimal for, in the order they are compared."""

    model_config = _FROZEN
    needs_met: int
    """Needs referred (including waitlisted); needs already met are not counted."""
    needs_unmet: int
    agencies: int
    """Distinct agencies referred to, not counting agencies already working with the person."""
    fit_points_missed: int = 0
    """Fit points the plan does not earn that some candidate could (specialism, women's or
    youth provision, L4 for an urgent need; see :meth:`matching.match.Matcher._fits`)."""
    pathways: int
    travel_km: float
    """Total travel to the pathways used (0 for remote and outreach), km."""
    spare: int
    """Total places left in the pathways used (places not recorded count 0)."""


class Recorded(BaseModel):
    """The assessment's levels and recorded facts the plan was made with (shown with --json)."""

    model_config = _FROZEN
    urgent: tuple[str, ...] = ()
    """Needs assessed urgent (residential, crisis or refuge provision considered)."""
    victim: bool = False
    admitted: bool = False
    consents: bool = False
    victim_views: bool = False
    victim_willing: bool = False


class Plan(BaseModel):
    """The answer to an assessment. See the module notes."""

    model_config = _FROZEN
    reference: str | None
    district: str
    referrals: tuple[Referral, ...]
    already_met: tuple[AlreadyMet, ...]
    unmet: tuple[Unmet, ...]
    agencies: tuple[PlanAgency, ...]
    objective: Objective
    summary: str
    interpreted: tuple[Interpretation, ...] = ()
    """How the typed words and place were read (filled in by the faces that read them; see
    :mod:`directory.interpret`): empty when the plan was made from ids."""
    conditions: Conditions | None = None
    """For a conditional disposal: the conditions to agree and what is still to record."""
    recorded: Recorded = Recorded()

    @property
    def pathways(self) -> tuple[str, ...]:
        """The distinct pathway ids referred to, sorted."""
        return tuple(sorted({r.pathway for r in self.referrals}))
