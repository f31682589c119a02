import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from accueil import env

ROOT = Path(__file__).resolve().parents[3]


def _run(*args, **extra_env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ACCUEIL_", "SECRET_KEY", "DEBUG", "DATABASE_URL"))
    }
    environment.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "ACCUEIL_ENV": "production",
    "SECRET_KEY": "p" * 30 + "-a-long-random-production-secret-key-value",
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "FIELD_HASH_KEY": "h" * 40,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "ALLOWED_HOSTS": "accueil.example.org",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SMS_BACKEND": "accueil.messaging.channels.sms.HttpProviderBackend",
    "SITE_URL": "https://accueil.example.org",
}


def test_it_reads_booleans_strictly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env.env_bool("X_FLAG", default=False) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG", default=False)


def test_it_reads_integers_strictly(monkeypatch):
    monkeypatch.setenv("X_NUMBER", "12")
    assert env.env_int("X_NUMBER", 3) == 12
    monkeypatch.setenv("X_NUMBER", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_NUMBER"):
        env.env_int("X_NUMBER", 3)


def test_it_reads_secrets_from_files(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_str("X_SECRET") == "from-a-file"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="X_SECRET_FILE"):
        env.env_str("X_SECRET")


def test_it_creates_keys_once_and_readable_only_by_the_owner(tmp_path):
    path = tmp_path / "var" / "key"
    first = env.read_or_create_key(path, lambda: "one")
    second = env.read_or_create_key(path, lambda: "two")
    assert first == second == "one"
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_it_refuses_production_with_the_default_secret():
    result = _run("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_production_with_debug_on():
    result = _run("check", **{**PRODUCTION, "DEBUG": "true"})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_it_passes_the_deploy_check_with_production_settings():
    result = _run("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "code"),
    [
        ("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend", "accueil.E002"),
        ("SMS_BACKEND", "accueil.messaging.channels.sms.ConsoleBackend", "accueil.E003"),
        ("SITE_URL", "http://127.0.0.1:8000", "accueil.E004"),
        ("DATABASE_URL", "sqlite:////tmp/accueil-prod.sqlite3", "accueil.E001"),
    ],
)
def test_it_fails_the_deploy_check_on_unsafe_production_values(variable, value, code):
    result = _run("check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert code in result.stderr + result.stdout


def test_it_refuses_a_malformed_encryption_key():
    result = _run("check", **{**PRODUCTION, "FIELD_ENCRYPTION_KEY": "not-a-key"})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr


def test_it_treats_an_empty_boolean_as_unset(monkeypatch):
    monkeypatch.setenv("X_FLAG", "")
    assert env.env_bool("X_FLAG", default=True) is True
