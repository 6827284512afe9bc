import difflib
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation


class Command(BaseCommand):
    help = "Write the GraphQL schema to schema.graphql, or with --check fail if the file is out of date."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare instead of writing")
        parser.add_argument("--out", default=str(settings.BASE_DIR / "schema.graphql"))

    def handle(self, *args, check, out, **options):
        from kernel.graphql.schema import schema

        # Descriptions come from translatable labels: the committed schema is in English.
        with translation.override("en"):
            sdl = str(schema).rstrip() + "\n"
        path = Path(out)
        if not check:
            path.write_text(sdl, encoding="utf-8")
            self.stdout.write(f"wrote {path}")
            return
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != sdl:
            sys.stderr.writelines(
                difflib.unified_diff(current.splitlines(True), sdl.splitlines(True), str(path), "code")
            )
            self.stderr.write(f"{path.name} is out of date: run `make schema`")
            sys.exit(1)
        self.stdout.write(f"{path.name} matches the code")
