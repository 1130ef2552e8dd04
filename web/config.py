"""Settings, read from the environment (every variable is listed in the README)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast, get_args

from engine.mail import Security, SmtpSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """An environment variable holds a value raciflow cannot use."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    instance_dir: Path
    bpmn_dir: Path
    secret_key: str
    script_time_limit: float
    worker_interval: float
    audit_verify_interval: float  # seconds between the worker's checks of the hash chains
    web_workers: int
    smtp: SmtpSettings | None = None  # None: e-mail disabled, mails wait in the outbox
    development: bool = False  # plain-http cookies, for `make run` on localhost
    ratelimit_storage: str = "memory://"  # Redis URL when several workers share the limits

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance_dir = Path(env.get("RACIFLOW_INSTANCE_DIR", "instance")).resolve()
        return cls(
            database_url=env.get(
                "RACIFLOW_DATABASE_URL", f"sqlite:///{instance_dir / 'raciflow.sqlite'}"
            ),
            instance_dir=instance_dir,
            bpmn_dir=Path(env.get("RACIFLOW_BPMN_DIR", PROJECT_ROOT / "bpmn")),
            secret_key=env.get("RACIFLOW_SECRET_KEY") or _instance_secret(instance_dir),
            script_time_limit=_number(env, "RACIFLOW_SCRIPT_TIME_LIMIT", 1.0),
            worker_interval=_number(env, "RACIFLOW_WORKER_INTERVAL", 5.0),
            audit_verify_interval=_number(env, "RACIFLOW_AUDIT_VERIFY_INTERVAL", 3600.0),
            web_workers=int(_number(env, "RACIFLOW_WEB_WORKERS", 2)),
            smtp=_smtp(env),
            development=_environment(env) == "development",
            ratelimit_storage=env.get("RACIFLOW_RATELIMIT_STORAGE") or "memory://",
        )

    def ensure_instance_dir(self) -> None:
        self.instance_dir.mkdir(parents=True, exist_ok=True)


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be greater than zero, not {raw!r}")
    return value


def _environment(env: Mapping[str, str]) -> str:
    value = env.get("RACIFLOW_ENV") or "production"
    if value not in ("production", "development"):
        raise ConfigError(f"RACIFLOW_ENV must be production or development, not {value!r}")
    return value


def _smtp(env: Mapping[str, str]) -> SmtpSettings | None:
    host = env.get("RACIFLOW_SMTP_HOST")
    if not host:
        return None
    security = env.get("RACIFLOW_SMTP_SECURITY") or "none"
    if security not in get_args(Security):
        choices = ", ".join(get_args(Security))
        raise ConfigError(f"RACIFLOW_SMTP_SECURITY must be one of {choices}, not {security!r}")
    username = env.get("RACIFLOW_SMTP_USERNAME") or None
    password = env.get("RACIFLOW_SMTP_PASSWORD") or None
    if password and not username:
        raise ConfigError("RACIFLOW_SMTP_PASSWORD is set but RACIFLOW_SMTP_USERNAME is not")
    return SmtpSettings(
        host=host,
        port=_port(env, "RACIFLOW_SMTP_PORT", 465 if security == "ssl" else 25),
        sender=env.get("RACIFLOW_SMTP_SENDER") or SmtpSettings.sender,
        username=username,
        password=password,
        security=cast(Security, security),
    )


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if not 0 < value < 65536:
        raise ConfigError(f"{name} must be between 1 and 65535, not {raw!r}")
    return value


def _instance_secret(instance_dir: Path) -> str:
    """A development secret kept in the instance folder, so restarts keep sessions."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
