from django.core.management.base import BaseCommand

from kernel.jobs.scheduler import run_forever


class Command(BaseCommand):
    help = "Send the modules' periodic jobs to every tenant that has them enabled (runs until stopped)."

    def handle(self, *args, **options):
        run_forever()
