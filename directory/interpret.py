"""How typed words were read: a need word corrected, a postcode placed at its district's centre.

Resolving is done by :class:`~directory.taxonomy.Taxonomy` (needs) and
:class:`~directory.places.Gazetteer` (places); this module only says, as data, what a reading was,
so every face (the command line on stderr, ``--json`` as ``interpreted``, the web API) tells the
reader the same thing. An :class:`Interpretation` is *exact* when the words named the thing as it
is known (a need's id, label or synonym; a district, town or postcode district), and not exact
when they were corrected or placed approximately: those are the ones worth saying aloud.

>>> from directory.loading import load
>>> from directory.taxonomy import Taxonomy
>>> d = load()
>>> (typed, resolution), = Taxonomy.from_directory(d).readings("housng")
>>> reading = need_reading(d, typed, resolution)
>>> reading.exact, reading.read_as
(False, 'accommodation')
>>> reading.message()
"read 'housng' as accommodation (Housing and accommodation), the nearest spelling of 'housing'"
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from directory.errors import UnknownNeedError
from directory.taxonomy import Taxonomy, normalise

if TYPE_CHECKING:
    from directory.models import Directory
    from directory.places import Locality
    from directory.taxonomy import Resolution

__all__ = ["Interpretation", "need_reading", "place_reading", "resolve_need"]


@dataclass(frozen=True, slots=True)
class Interpretation:
    """One typed word or place and what it was read as.

    ``read_as`` is a need id or a district id; ``label`` names it in words; ``how`` says how the
    reading was made (``id``, ``label``, ``synonym``, ``spelling`` for needs; the locality kind,
    such as ``town`` or ``postcode``, for places); ``detail`` is the rest of the sentence.
    """

    kind: Literal["need", "place"]
    typed: str
    read_as: str
    label: str
    exact: bool
    how: str
    detail: str = ""

    def message(self) -> str:
        """The reading in one sentence, for stderr.

        >>> Interpretation("need", "drnk", "alcohol", "Alcohol misuse", False, "spelling",
        ...                "the nearest spelling of 'drink'").message()
        "read 'drnk' as alcohol (Alcohol misuse), the nearest spelling of 'drink'"
        """
        text = f"read {self.typed!r} as {self.read_as} ({self.label})"
        return f"{text}, {self.detail}" if self.detail else text

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` (the ``interpreted`` list)."""
        return asdict(self)


def need_reading(directory: Directory, typed: str, resolution: Resolution) -> Interpretation:
    """What a need word was read as, from the taxonomy's :class:`Resolution`."""
    need = directory.need_by_id[resolution.need]
    term = normalise(resolution.matched)
    if not resolution.exact:
        how, detail = "spelling", f"the nearest spelling of {resolution.matched!r}"
        if normalise(typed) != term and term in normalise(typed):
            how, detail = "phrase", f"from the words {resolution.matched!r}"
        return Interpretation("need", typed, need.id, need.label, False, how, detail)
    if term == normalise(need.id):
        return Interpretation("need", typed, need.id, need.label, True, "id")
    if term == normalise(need.label):
        return Interpretation("need", typed, need.id, need.label, True, "label")
    return Interpretation(
        "need", typed, need.id, need.label, True, "synonym", f"a word for {need.id}"
    )


def resolve_need(
    directory: Directory, text: str, *, taxonomy: Taxonomy | None = None
) -> Interpretation:
    """The one need ``text`` names, by the taxonomy's one rule (ids, labels, synonyms, spelling).

    Raises :class:`~directory.errors.UnknownNeedError` with the nearest needs suggested.

    >>> from directory.loading import load
    >>> resolve_need(load(), "housing").read_as
    'accommodation'
    """
    taxonomy = taxonomy or Taxonomy.from_directory(directory)
    if text in directory.need_by_id:
        need = directory.need_by_id[text]
        return Interpretation("need", text, need.id, need.label, True, "id")
    if not text.strip():
        error = UnknownNeedError(text)
        error.add_note("there are no words to resolve")
        raise error
    typed, resolution = taxonomy.readings([text])[0]
    return need_reading(directory, typed, resolution)


def place_reading(directory: Directory, typed: str, locality: Locality) -> Interpretation:
    """What a place was read as; not exact when the point is an approximation of what was typed.

    A full postcode is placed at the centre of its postcode district (the directory knows no
    finer); coordinates and geocoded places belong to the district of the nearest known place.
    A district, a town or a postcode district typed as such is exact.
    """
    district = directory.district_by_id[locality.district]
    where = f"{district.label} district"
    if locality.kind == "postcode":
        if " ".join(typed.split()).upper() != locality.label:
            return Interpretation(
                "place",
                typed,
                district.id,
                district.label,
                False,
                "postcode",
                f"placed at the centre of postcode district {locality.label} "
                f"({locality.lat:.4f}, {locality.lon:.4f}): full postcodes are not located "
                "more precisely, so distances are from that centre",
            )
        return Interpretation(
            "place", typed, district.id, district.label, True, "postcode", f"in {where}"
        )
    if locality.kind in ("coordinates", "geocoder"):
        return Interpretation(
            "place",
            typed,
            district.id,
            district.label,
            False,
            locality.kind,
            f"{locality.label}: in {where}, the district of the nearest known place",
        )
    detail = "distances are from the district centre" if locality.kind == "district" else ""
    if locality.kind == "town":
        detail = f"the town of {locality.label} in {where}"
    return Interpretation("place", typed, district.id, district.label, True, locality.kind, detail)
