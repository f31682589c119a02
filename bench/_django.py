"""Django set-up shared by the benches that need the database: the project on the path, the
test settings without debug (as in production: no query log), and a fresh SQLite file unless
DATABASE_URL names a database. Import it before anything from Django or the project."""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ACCUEIL_ENV", "test")
os.environ.setdefault("DEBUG", "false")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")

import django

django.setup()
