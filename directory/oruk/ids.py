"""Open Referral UK ids and names: every ORUK id is a UUID 5 of one of our ids.

The namespace is :data:`NAMESPACE`; what ORUK has no field for travels under :data:`EXTENSION`.

>>> TAXONOMY_ID == oruk_id("taxonomy", "needs")
True
"""

from __future__ import annotations

import hashlib
import uuid

__all__ = ["EXTENSION", "NAMESPACE", "TAXONOMY_ID", "TAXONOMY_NAME", "UNIT_SCHEME", "oruk_id"]

#: The namespace of every UUID 5 this module derives from our ids. Never change it: other systems
#: store the ids derived from it.
NAMESPACE = uuid.UUID("32332cf0-178c-4d99-a634-6a46b8fead17")

#: The key of the object that carries, on organizations, services and locations, what Open Referral
#: UK 3.0 has no field for (agency kind, sources, delivery modes, full eligibility...).
EXTENSION = "x_pathways"

_NAMESPACE_BYTES = NAMESPACE.bytes
TAXONOMY_NAME = "Out-of-court diversion needs"
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy/needs"))
UNIT_SCHEME = "x-pathways"


def oruk_id(kind: str, *parts: str) -> str:
    """The stable ORUK id (a UUID 5 under :data:`NAMESPACE`) of one of our records.

    Equal to ``str(uuid.uuid5(NAMESPACE, "/".join((kind, *parts))))``, computed without building
    UUID objects (an export makes about fifteen ids per pathway).

    >>> oruk_id("agency", "outside-links") == str(uuid.uuid5(NAMESPACE, "agency/outside-links"))
    True
    >>> uuid.UUID(oruk_id("need", "drugs")).version
    5
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "/".join((kind, *parts)).encode()).digest())
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest[:16].hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
