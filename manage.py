#!/usr/bin/env python
"""Django's command-line utility for Facilis."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# platform/ is a source root, not a package: it must never shadow the standard
# library's `platform` module (docs/adr/0001-layout.md).
sys.path.insert(1, str(ROOT / "platform"))

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facilis.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
