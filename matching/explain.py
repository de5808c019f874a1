"""The words of a plan: why each referral, why each unmet need, the case-note summary.

:mod:`matching.match` decides (candidates, the exact cover, the next best plan without each
chosen pathway, how far each near miss got); this module only words those decisions, from plain
values, so every sentence an officer reads can be checked on its own. Nothing here names the
person's age, gender, cohort, offence or place.

>>> and_list(["housing", "debt", "drugs"])
'housing, debt and drugs'
>>> referral_reason("by phone", key=(0, 1, 1, 0, -3), other=(0, 2, 2, 0, -5), lost=[])
'by phone; without it the plan needs 2 agencies, not 1'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from directory.models import Directory
    from matching.assessment import Assessment
    from matching.capacity import Availability
    from matching.plan import AlreadyMet, Objective, Referral, Unmet, UnmetReason

__all__ = ["and_list", "full_reason", "referral_reason", "summary", "unmet_explanation"]


def and_list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``.

    >>> and_list([]), and_list(["a"]), and_list(["a", "b"])
    ('', 'a', 'a and b')
    """
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def full_reason(av: Availability) -> str:
    """Why a pathway takes no referral this period, from its availability.

    >>> from matching.capacity import Availability
    >>> full_reason(Availability(4, 2, "closed", "2026-11", False))
    'closed to referrals'
    >>> full_reason(Availability(4, 0, "open", "2026-11", False))
    'no place left in 2026-11'
    """
    if av.status == "closed":
        return "closed to referrals"
    if av.status == "waitlist":
        return "waitlist only"
    return f"no place left in {av.period}"


def referral_reason(
    how: str,
    *,
    key: Sequence[int],
    other: Sequence[int],
    lost: Sequence[str],
    engaged: bool = False,
    waitlisted: bool = False,
    youth_justice: bool = False,
) -> str:
    """How a chosen pathway is delivered, and why it was chosen.

    ``key`` is the plan's objective (needs not met, agencies, fit points not earned, pathways,
    metres, minus places spare; :data:`matching.cover.CoverKey` without the ids) and ``other`` the next best plan's
    without this pathway, as far as it is known: the first level where it is worse is named.
    ``lost`` holds the labels of the needs no other candidate can take (when ``other`` is worse
    at level 1).

    >>> referral_reason("online", key=(0, 1, 0, 1, 0, 0), other=(1,), lost=["debt"])
    'online; the only candidate that can take debt'
    >>> referral_reason("in person, 2.0 km away", key=(0, 1, 0, 1, 2000, -4),
    ...                 other=(0, 1, 0, 1, 5500, -4), lost=[])
    'in person, 2.0 km away; the nearest choice: the next best plan travels 3.5 km more'
    >>> referral_reason("in person", key=(0, 1, 0, 2, 0, 0), other=(0, 1, 2, 1, 0, 0), lost=[])
    'in person; the most appropriate provision (fit): without it the plan loses 2 fit points (specialism, women-specific or youth provision, level)'
    >>> referral_reason("by phone", key=(0, 0, 0, 1, 0, -2), other=(0, 0, 0, 1, 0, -2), lost=[],
    ...                 engaged=True)
    'by phone; the agency already works with the person; as good as the next best plan on every count; chosen by id order'
    """  # noqa: E501
    parts = [how]
    if engaged:
        parts.append("the agency already works with the person")
    if youth_justice:
        parts.append("the youth justice service: every under-18's plan goes through it")
    if waitlisted:
        parts.append("waitlisted: no pathway with a place can take this need")
    if other[0] > key[0]:
        parts.append(f"the only candidate that can take {and_list(lost)}")
    elif other[1] > key[1]:
        parts.append(f"without it the plan needs {other[1]} agencies, not {key[1]}")
    elif other[2] > key[2]:
        parts.append(
            "the most appropriate provision (fit): without it the plan loses "
            f"{other[2] - key[2]} fit point{'s' if other[2] - key[2] != 1 else ''} "
            "(specialism, women-specific or youth provision, level)"
        )
    elif other[3] > key[3]:
        parts.append(f"without it the plan needs {other[3]} pathways, not {key[3]}")
    elif other[4] > key[4]:
        extra = (other[4] - key[4]) / 1000
        parts.append(f"the nearest choice: the next best plan travels {extra:.1f} km more")
    elif other[5] > key[5]:
        parts.append(f"more places free than the next best plan ({-key[5]} against {-other[5]})")
    else:
        parts.append("as good as the next best plan on every count; chosen by id order")
    return "; ".join(parts)


def unmet_explanation(
    label: str,
    *,
    stage: int,
    count: int,
    travel_km: float,
    accept_remote: bool,
    waitlist_refused: bool,
) -> tuple[UnmetReason, str]:
    """The reason code and sentence for a need no candidate takes.

    ``stage`` is how far the best pathway addressing the need got: 0 none in reach, 1 in reach
    but none accepts the person, 2 in reach and accepting but none has a place. ``count`` is
    how many pathways of the directory address the need (at least one; "none provided" is
    worded by the caller). ``waitlist_refused``: one of them keeps a waitlist the person did
    not accept.

    >>> unmet_explanation("Debt", stage=0, count=1, travel_km=10, accept_remote=False,
    ...                   waitlist_refused=False)
    ('not-in-reach', '1 pathway in the directory addresses debt, but none is in reach within 10 km (remote delivery not accepted).')
    >>> unmet_explanation("Debt", stage=2, count=3, travel_km=25, accept_remote=True,
    ...                   waitlist_refused=True)[1]
    'The pathways in reach that accept the person for debt have no place this period and a waitlist was not accepted.'
    """  # noqa: E501
    need = label.lower()
    if stage == 2:
        return "full", (
            f"The pathways in reach that accept the person for {need} have no place "
            "this period" + (" and a waitlist was not accepted." if waitlist_refused else ".")
        )
    if stage == 1:
        return "not-eligible", f"Pathways in reach address {need}, but none accepts the person."
    some = f"{count} pathway{'s' if count != 1 else ''} in the directory address"
    some += "es" if count == 1 else ""
    limit = f"within {travel_km:g} km"
    remote = "" if accept_remote else " (remote delivery not accepted)"
    return "not-in-reach", f"{some} {need}, but none is in reach {limit}{remote}."


def summary(
    a: Assessment,
    referrals: Sequence[Referral],
    already: Sequence[AlreadyMet],
    unmet: Sequence[Unmet],
    objective: Objective,
    d: Directory,
) -> str:
    """The plan in plain English for a case note: needs, agencies, pathways and why.

    Names no age, gender, cohort, offence or place of the person.
    """
    labels = [n.label.lower() for n in d.needs if n.id in a.needs]
    out = [f"Assessed needs: {'; '.join(labels)}."]
    if already:
        items = [f"{m.need_label.lower()} ({m.agency_name})" for m in already]
        out.append(f"Already met by an agency working with the person: {'; '.join(items)}.")
    if referrals:
        groups: dict[str, list[Referral]] = {}
        for r in referrals:
            groups.setdefault(r.pathway, []).append(r)
        n_ag, n_pw = objective.agencies, objective.pathways
        plural = "ies" if n_ag != 1 else "y"
        engaged = any(r.engaged for r in referrals)
        extra = " (not counting agencies already involved)" if engaged else ""
        out.append(
            f"Plan: {n_pw} pathway{'s' if n_pw != 1 else ''} with {n_ag} new agenc{plural}{extra}, "
            "the fewest that can meet the needs in reach."
        )
        for rows in groups.values():
            first = rows[0]
            needs = "; ".join(r.need_label.lower() for r in rows)
            if first.delivery == "in_person" and first.site_name and first.distance_km is not None:
                km = first.distance_km
                far = f"{km:g} km" if km >= 0.1 else "under 0.1 km"
                how = f"in person at {first.site_name}, {far}"
            elif first.delivery == "in_person":
                how = "in person at a venue arranged on referral"
            else:
                how = {"outreach": "by outreach", "phone": "by phone", "online": "online"}[
                    first.delivery
                ]
            status = "; waitlisted" if first.status == "waitlisted" else ""
            why = first.reason.split("; ")[-1]
            out.append(
                f"Refer to {first.agency_name}, {first.pathway_name}, for {needs} "
                f"({how}{status}): {why}."
            )
    elif not unmet:
        out.append("No referral is needed.")
    for u in unmet:
        line = f"Not met: {u.need_label.lower()}. {u.explanation}"
        if u.near_misses:
            line += " Nearest: " + "; ".join(m.reason for m in u.near_misses) + "."
        out.append(line)
    return " ".join(out)
