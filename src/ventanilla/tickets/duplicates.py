"""The city's memory: an open ticket of the same category at the same place (≤ ~100 m, or the same address text)
filed in the last weeks, found before a new complaint is filed."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.text import fold
from ventanilla.tickets import repository
from ventanilla.tickets.models import Ticket

_WORD_RE = re.compile(r"[a-z0-9ñ]+")
_FILLER = frozenset(
    {
        *("a", "al", "altura", "av", "avda", "avenida", "b", "barrio", "bv", "boulevard", "calle", "casa", "de"),
        *("del", "el", "en", "esq", "esquina", "frente", "la", "las", "los", "n", "nro", "numero", "mi", "nuestra"),
        *("su", "vereda", "cuadra", "sobre", "por", "pje", "pasaje", "y", "e"),
    }
)
_EARTH_RADIUS_M = 6_371_000.0


def address_key(text: str | None) -> frozenset[str] | None:
    """The words that name a place, without filler ("Av. Godoy Cruz 850" = "godoy cruz al 850"; corners in
    either order); None when nothing is left."""
    if not text:
        return None
    words = [w for w in _WORD_RE.findall(fold(text[:300])) if w not in _FILLER]
    return frozenset(words) or None


def same_address(a: str | None, b: str | None) -> bool:
    """Two address texts name the same place: the same words, or one inside the other with the same number."""
    ka, kb = address_key(a), address_key(b)
    if ka is None or kb is None:
        return False
    if ka == kb:
        return True
    small, large = (ka, kb) if len(ka) <= len(kb) else (kb, ka)
    numbers_small = {w for w in small if w.isdigit()}
    numbers_large = {w for w in large if w.isdigit()}
    names = {w for w in small if not w.isdigit()}
    # "Mitre 700" inside "Mitre 700, frente a la plaza": the same street and number; without a number a place
    # of two words at least ("plaza bombal").
    if numbers_small != numbers_large:
        return False
    return small <= large and (bool(numbers_small) or len(names) >= 2) and bool(names)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class Place:
    """Where a new complaint is: its address text and/or its point."""

    direccion: str | None = None
    latitud: float | None = None
    longitud: float | None = None

    def near(self, ticket: Ticket, radius_m: float) -> bool:
        """The ticket is at this place: within the radius, or the same address text."""
        if None not in (self.latitud, self.longitud, ticket.latitud, ticket.longitud):
            assert self.latitud is not None and self.longitud is not None
            assert ticket.latitud is not None and ticket.longitud is not None
            if distance_m(self.latitud, self.longitud, ticket.latitud, ticket.longitud) <= radius_m:
                return True
        return same_address(self.direccion, ticket.direccion)


async def find_open_duplicate(
    session: AsyncSession,
    entity_id: int,
    categoria: str,
    place: Place,
    *,
    since: dt.datetime,
    radius_m: float,
) -> Ticket | None:
    """The newest open ticket of the category at the place, filed since `since`."""
    for ticket in await repository.open_of_category_since(session, entity_id, categoria, since):
        if place.near(ticket, radius_m):
            return ticket
    return None
