"""Factories for test directories: real YAML files in a temporary folder.

``make_directory(tmp_path)`` writes a small valid directory (3 needs, 2 districts, 2 agencies);
keyword overrides replace whole files, either as data (dumped to YAML) or as raw text/bytes, so
broken-directory tests can write exactly the bytes they need.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

NEEDS: dict[str, Any] = {
    "groups": [
        {"id": "accommodation", "label": "Accommodation", "number": 1},
        {"id": "drugs_alcohol", "label": "Drugs and alcohol", "number": 4},
    ],
    "needs": [
        {
            "id": "accommodation",
            "label": "Housing",
            "group": "accommodation",
            "synonyms": ["housing", "homeless"],
        },
        {
            "id": "drugs",
            "label": "Drug misuse",
            "group": "drugs_alcohol",
            "synonyms": ["drug problem", "cannabis"],
        },
        {
            "id": "alcohol",
            "label": "Alcohol misuse",
            "group": "drugs_alcohol",
            "synonyms": ["drink", "drinking"],
        },
    ],
}

LOCALITIES: dict[str, Any] = {
    "attribution": "Test localities.",
    "areas": [{"id": "north", "label": "North"}, {"id": "south", "label": "South"}],
    "districts": [
        {"id": "fenland", "label": "Fenland", "area": "north", "lat": 52.551, "lon": 0.088},
        {"id": "cambridge", "label": "Cambridge", "area": "south", "lat": 52.2, "lon": 0.117},
    ],
    "towns": [
        {"name": "Wisbech", "district": "fenland", "lat": 52.666, "lon": 0.159},
        {"name": "March", "district": "fenland", "lat": 52.551, "lon": 0.088},
        {"name": "Cambridge", "district": "cambridge", "lat": 52.2, "lon": 0.117},
    ],
    "postcode_districts": [
        {"code": "PE13", "district": "fenland", "lat": 52.67, "lon": 0.14},
        {"code": "CB1", "district": "cambridge", "lat": 52.2, "lon": 0.14},
    ],
}


def agency(ident: str = "housing-help", **overrides: Any) -> dict[str, Any]:
    """A valid agency record with one site and one pathway; overrides replace top-level keys."""
    base: dict[str, Any] = {
        "id": ident,
        "name": ident.replace("-", " ").title(),
        "kind": "voluntary",
        "sources": [{"title": "Test source", "evidence": "guess"}],
        "last_verified": "2026-10-01",
        "sites": [
            {
                "id": f"{ident}-office",
                "name": "Office",
                "district": "fenland",
                "lat": 52.66,
                "lon": 0.16,
            }
        ],
        "pathways": [
            {
                "id": f"{ident}-support",
                "name": "Support",
                "needs": ["accommodation"],
                "districts": ["fenland"],
                "delivery": ["in_person"],
                "sites": [f"{ident}-office"],
                "capacity": {
                    "places": 5,
                    "per": "month",
                    "status": "open",
                    "updated": "2026-10-01",
                    "illustrative": True,
                },
            }
        ],
    }
    base.update(overrides)
    return base


def drug_agency() -> dict[str, Any]:
    """A second valid agency covering drugs and alcohol in both districts."""
    return agency(
        "recovery-service",
        sites=[],
        pathways=[
            {
                "id": "recovery-service-treatment",
                "name": "Treatment",
                "needs": ["drugs", "alcohol"],
                "districts": "all",
                "delivery": ["in_person", "phone"],
            }
        ],
    )


def _write(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(
            yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )


def make_directory(
    tmp_path: Path,
    *,
    needs: Any = None,
    localities: Any = None,
    agencies: dict[str, Any] | None = None,
    extra_files: dict[str, Any] | None = None,
) -> Path:
    """Write a directory folder under ``tmp_path`` and return its path.

    ``agencies`` maps a file name (without ``.yaml``) to data or raw text; default two valid ones.
    """
    root = tmp_path / "directory"
    _write(root / "needs.yaml", copy.deepcopy(NEEDS) if needs is None else needs)
    _write(
        root / "localities.yaml", copy.deepcopy(LOCALITIES) if localities is None else localities
    )
    chosen = (
        agencies
        if agencies is not None
        else {"housing-help": agency(), "recovery-service": drug_agency()}
    )
    (root / "agencies").mkdir(parents=True, exist_ok=True)
    for name, content in chosen.items():
        _write(root / "agencies" / f"{name}.yaml", content)
    for rel, content in (extra_files or {}).items():
        _write(root / rel, content)
    return root


# ---------------------------------------------------------------------------------------------
# The website: hostile text (it must show as text, never run) and a refuge (never published)
# ---------------------------------------------------------------------------------------------

XSS_SCRIPT = "<script>window.__xss = 1; alert('xss-script')</script>"
XSS_IMG = "<img src=x onerror=\"window.__xss = 2; alert('xss-img')\">"
XSS_LINK = "[click me](javascript:alert('xss-link'))"
XSS_ANCHOR = "<a href=\"javascript:alert('xss-anchor')\">anchor</a>"
HOSTILE = f"Before {XSS_SCRIPT} middle {XSS_IMG} then {XSS_LINK} and {XSS_ANCHOR} *end* {{: #x }}"

REFUGE_SITE = {
    "id": "zeta-refuge-house",
    "name": "Zeta Secret Refuge House",
    "address": "7 Quillwort Hidden Lane, Chatteris",
    "postcode": "PE16 9QZ",
    "district": "fenland",
    "lat": 52.456789,
    "lon": 0.054321,
    "hidden": True,
}


def hostile_agency() -> dict[str, Any]:
    """An agency whose free-text fields hold script, an onerror image and javascript: links."""
    return agency(
        "hostile-agency",
        name="Evil <b>Agency</b> <img src=x onerror=alert('xss-name')>",
        operator=f"Operator {XSS_SCRIPT}",
        description=HOSTILE,
        contacts=[{"kind": "phone", "value": "01733 000000", "label": f"Desk {XSS_IMG}"}],
        sources=[{"title": f"Source {XSS_LINK}", "evidence": "read", "note": HOSTILE}],
        illustrative=HOSTILE,
        sites=[
            {
                "id": "hostile-agency-office",
                "name": f"Office {XSS_IMG}",
                "address": f"1 {XSS_SCRIPT} Street, March",
                "district": "fenland",
                "lat": 52.55,
                "lon": 0.09,
            }
        ],
        pathways=[
            {
                "id": "hostile-agency-course",
                "name": f"Course {XSS_SCRIPT}",
                "description": HOSTILE,
                "needs": ["alcohol"],
                "districts": ["fenland"],
                "delivery": ["in_person"],
                "sites": ["hostile-agency-office"],
                "eligibility": {"min_age": 18, "notes": HOSTILE},
                "referral": HOSTILE,
            }
        ],
    )


def refuge_agency() -> dict[str, Any]:
    """A women's aid agency with a hidden refuge site and a published office."""
    return agency(
        "zeta-womens-aid",
        name="Zeta Women's Aid",
        sites=[
            REFUGE_SITE,
            {
                "id": "zeta-womens-aid-office",
                "name": "Zeta Public Office",
                "address": "2 Market Place, Wisbech",
                "postcode": "PE13 1AB",
                "district": "fenland",
                "lat": 52.6661,
                "lon": 0.1581,
            },
        ],
        pathways=[
            {
                "id": "zeta-refuge",
                "name": "Refuge accommodation",
                "needs": ["accommodation"],
                "districts": ["fenland"],
                "delivery": ["in_person"],
                "sites": ["zeta-refuge-house"],
                "eligibility": {"min_age": 18, "genders": ["female"]},
            },
            {
                "id": "zeta-outreach",
                "name": "Outreach",
                "needs": ["accommodation"],
                "districts": ["fenland"],
                "delivery": ["outreach", "phone"],
                "sites": ["zeta-refuge-house", "zeta-womens-aid-office"],
            },
        ],
    )


def site_directory(tmp_path: Path) -> Path:
    """The default directory plus a hostile agency and a refuge: for the website's tests."""
    return make_directory(
        tmp_path,
        agencies={
            "housing-help": agency(),
            "recovery-service": drug_agency(),
            "hostile-agency": hostile_agency(),
            "zeta-womens-aid": refuge_agency(),
        },
    )
