"""How a model's rows relate to people, for data scopes.

A model declares `scope = Scope(module="spaces", department="department",
building="floor__building")`: which permission namespace governs it and which field
paths tie a row to an owner, a department and a building. identity.access.restrict()
reads it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    module: str
    owner: str | None = None  # path to the owning user ("pk" for User itself)
    department: str | None = None  # path to the department ("pk" for Department itself)
    building: str | None = None  # path to the building ("pk" for Building itself)
