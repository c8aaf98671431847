"""A bad configuration stops start-up with one sentence that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(**overrides: str) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"DJANGO_DEBUG": "false", "FIELD_ENCRYPTION_KEY": "x" * 44}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "s" * 50}, "FIELD_ENCRYPTION_KEY"),
        ({"DJANGO_DEBUG": "true", "DATABASE_URL": "not a url at all"}, "DATABASE_URL"),
        ({"DJANGO_DEBUG": "true", "DATABASE_URL": "mongodb://127.0.0.1/x"}, "DATABASE_URL"),
    ],
)
def test_bad_configuration_stops_with_one_sentence_naming_the_variable(overrides, variable):
    result = run_check(**overrides)
    assert result.returncode == 2
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
            },
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "k3" * 30 + "-Zq9!",
            "FIELD_ENCRYPTION_KEY": "bG9jYWwtb25seS1rZXktZG8tbm90LWRlcGxveS0wMDA=",
            "DJANGO_ALLOWED_HOSTS": "dangqun.example.cn",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr + result.stdout
