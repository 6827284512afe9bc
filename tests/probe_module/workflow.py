"""A workflow subject that exists only in tests: outcomes are remembered here."""

OUTCOMES: list[tuple[int, str]] = []
OWNERS: dict[int, int] = {}


def outcome(subject_id: int, instance) -> None:
    OUTCOMES.append((subject_id, instance.status))


def owner_department(subject_id: int) -> int | None:
    return OWNERS.get(subject_id)
