"""The made-up people of a generated portfolio: who leads, owns and decides its projects.

Pure Python: no database, no Django. The same seed always gives the same people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FIRST_NAMES = (
    "Amara", "Bilal", "Chen", "Dalia", "Emil", "Farah", "Goran", "Hana", "Ines", "Jonas",
    "Kemi", "Lars", "Mei", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zofia", "Aiko", "Bruno", "Carmen", "Diego",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Bergstrom", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad",
    "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov",
    "Quispe", "Rossi", "Sato", "Tanaka", "Urquhart", "Varga", "Weber", "Xu", "Yilmaz",
    "Zhang", "Alvarez", "Brennan", "Costa", "Delgado",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str


@dataclass(frozen=True)
class Staff:
    """Who leads, owns and decides the projects.

    ``featured_share`` of the projects go to the first researcher and, drawn
    separately, to the first product manager: the demo gives its demo persons
    a fair load of work that way. The rest are spread evenly.
    """

    researchers: tuple[Person, ...]
    product_managers: tuple[Person, ...]
    executives: tuple[Person, ...]
    featured_share: float = 0.0

    def __post_init__(self) -> None:
        if not (self.researchers and self.product_managers and self.executives):
            raise ValueError("a portfolio needs researchers, product managers and executives")
        emails = [p.email.lower() for p in self.everyone]
        if len(set(emails)) != len(emails):
            raise ValueError("a person has one role in a generated portfolio")
        if not 0 <= self.featured_share <= 1:
            raise ValueError("featured_share is between 0 and 1")

    @property
    def everyone(self) -> tuple[Person, ...]:
        return self.researchers + self.product_managers + self.executives


def make_staff(
    seed: int,
    *,
    researchers: int = 40,
    product_managers: int = 10,
    executives: int = 3,
    domain: str = "example.org",
) -> Staff:
    """Made-up people with distinct names, the same for the same seed."""
    wanted = researchers + product_managers + executives
    names = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    if wanted > len(names):
        raise ValueError(f"at most {len(names)} generated people")
    chosen = random.Random(f"greenlight-staff:{seed}").sample(names, wanted)
    people = tuple(
        Person(f"{first}.{last}@{domain}".lower(), f"{first} {last}") for first, last in chosen
    )
    return Staff(
        researchers=people[:researchers],
        product_managers=people[researchers : researchers + product_managers],
        executives=people[researchers + product_managers :],
    )
