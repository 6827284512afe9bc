from django.core.management.base import BaseCommand

from tenants import demo


class Command(BaseCommand):
    help = "Create the demo operator and organisations with their buildings (idempotent)."

    def handle(self, *args, **options):
        logins = demo.seed(stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login['site']:<40} {login['user']:<22} {login['who']}")
