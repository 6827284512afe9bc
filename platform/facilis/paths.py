"""Where things are on disk; used by settings and entry points."""

import sys
from pathlib import Path

PLATFORM_DIR = Path(__file__).resolve().parent.parent
ROOT_DIR = PLATFORM_DIR.parent


def ensure_source_roots() -> None:
    """Put the project root and platform/ on sys.path (after the script's own folder).

    platform/ has no __init__.py, so it never shadows the standard library's
    `platform`; its packages (facilis, kernel, identity) import by their own names.
    """
    for path in (str(ROOT_DIR), str(PLATFORM_DIR)):
        if path not in sys.path:
            sys.path.append(path)
