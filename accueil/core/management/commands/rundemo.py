import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

PROCESSES = {
    "web": ["runserver", "{addr}", "--noreload"],
    "worker": ["db_worker", "--queue-name", "*", "--no-reload", "--interval", "1"],
    "scheduler": ["scheduler"],
}


class Command(BaseCommand):
    help = "Run web server, task worker and scheduler as one supervised group (Ctrl-C stops all)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr, **options):
        children: dict[str, subprocess.Popen] = {}
        restarts: dict[str, list[float]] = {name: [] for name in PROCESSES}
        stopping = False

        def start(name):
            argv = [sys.executable, "manage.py", *[a.format(addr=addr) for a in PROCESSES[name]]]
            children[name] = subprocess.Popen(argv, env=os.environ.copy())  # noqa: S603
            self.stdout.write(f"[rundemo] started {name} (pid {children[name].pid})")

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        for name in PROCESSES:
            start(name)
        self.stdout.write(f"[rundemo] Accueil is running at http://{addr}/ — press Ctrl-C to stop.")
        try:
            while not stopping:
                time.sleep(0.5)
                for name, proc in list(children.items()):
                    code = proc.poll()
                    if code is None or stopping:
                        continue
                    # Restart a crashed process, but give up if it crashes in a loop.
                    now = time.monotonic()
                    restarts[name] = [t for t in restarts[name] if now - t < 60] + [now]
                    if len(restarts[name]) > 5:
                        self.stderr.write(
                            f"[rundemo] {name} keeps crashing (exit {code}); stopping."
                        )
                        stopping = True
                        break
                    self.stderr.write(f"[rundemo] {name} exited with {code}; restarting.")
                    time.sleep(min(2 ** len(restarts[name]), 10) / 4)
                    start(name)
        finally:
            for proc in children.values():
                if proc.poll() is None:
                    proc.terminate()
            deadline = time.monotonic() + 10
            for proc in children.values():
                try:
                    proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    proc.kill()
            self.stdout.write("[rundemo] stopped.")
