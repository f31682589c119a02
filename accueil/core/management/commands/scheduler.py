import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from accueil.core.scheduler import enqueue_due_jobs


class Command(BaseCommand):
    help = "Enqueue periodic jobs. Several schedulers may run at once; each slot runs once."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue what is due, then exit.")

    def handle(self, *args, once=False, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            enqueue_due_jobs()
            if once or stopping:
                return
            deadline = time.monotonic() + settings.SCHEDULER_TICK_SECONDS
            while time.monotonic() < deadline and not stopping:
                time.sleep(0.5)
            if stopping:
                return
