"""Settings, read from the environment (every variable is listed in the README)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from engine.attachments import AttachmentLimits, MiB
from engine.mail import Security, SmtpSettings
from engine.process_limits import ProcessLimits
from web.diagram import DiagramLimits

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
    analytics_rollup_interval: float  # seconds between the worker's analytics roll-ups
    web_workers: int
    web_threads: int = 1  # threads per gunicorn worker (more than 1: the gthread worker)
    smtp: SmtpSettings | None = None  # None: e-mail disabled, mails wait in the outbox
    development: bool = False  # plain-http cookies, for `make run` on localhost
    ratelimit_storage: str = "memory://"  # see _ratelimit_storage
    script_memory_limit_mb: float = 64.0  # what a script may add to the process's memory
    process_limits: ProcessLimits = field(default_factory=ProcessLimits)  # largest deployable
    diagram_limits: DiagramLimits = field(default_factory=DiagramLimits)  # largest drawn, how long
    timezone: str = "Europe/Athens"  # the one zone every page shows times in (stored in UTC)
    message_ttl: float = 86400.0  # seconds a message nobody waits for is kept; 0: refused
    connectors_file: Path | None = None  # the HTTP connectors (docs/connectors.md)
    attachment_limits: AttachmentLimits = field(default_factory=AttachmentLimits)
    attachment_dir: Path | None = None  # files on cases: this folder, or (None) the database

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance_dir = Path(env.get("RACIFLOW_INSTANCE_DIR", "instance")).resolve()
        web_workers = int(_number(env, "RACIFLOW_WEB_WORKERS", 2))
        return cls(
            database_url=_database_url(
                env.get("RACIFLOW_DATABASE_URL") or f"sqlite:///{instance_dir / 'raciflow.sqlite'}"
            ),
            instance_dir=instance_dir,
            bpmn_dir=Path(env.get("RACIFLOW_BPMN_DIR", PROJECT_ROOT / "bpmn")),
            secret_key=env.get("RACIFLOW_SECRET_KEY") or _instance_secret(instance_dir),
            script_time_limit=_number(env, "RACIFLOW_SCRIPT_TIME_LIMIT", 1.0),
            worker_interval=_number(env, "RACIFLOW_WORKER_INTERVAL", 5.0),
            audit_verify_interval=_number(env, "RACIFLOW_AUDIT_VERIFY_INTERVAL", 3600.0),
            analytics_rollup_interval=_number(env, "RACIFLOW_ANALYTICS_ROLLUP_INTERVAL", 60.0),
            web_workers=web_workers,
            web_threads=_count(env, "RACIFLOW_WEB_THREADS", 1),
            smtp=_smtp(env),
            development=_environment(env) == "development",
            ratelimit_storage=_ratelimit_storage(env, instance_dir, web_workers),
            script_memory_limit_mb=_number(env, "RACIFLOW_SCRIPT_MEMORY_LIMIT", 64.0),
            process_limits=ProcessLimits(
                max_elements=_count(env, "RACIFLOW_MAX_PROCESS_ELEMENTS", 500),
                max_parallel_branches=_count(env, "RACIFLOW_MAX_PARALLEL_BRANCHES", 25),
                max_instances=_count(env, "RACIFLOW_MAX_MULTI_INSTANCES", 100),
            ),
            diagram_limits=DiagramLimits(
                max_nodes=_count(env, "RACIFLOW_DIAGRAM_MAX_NODES", 500),
                timeout=_number(env, "RACIFLOW_DIAGRAM_TIMEOUT", 10.0),
            ),
            timezone=_timezone(env),
            message_ttl=_message_ttl(env),
            connectors_file=Path(
                env.get("RACIFLOW_CONNECTORS_FILE") or instance_dir / "connectors.yaml"
            ),
            attachment_limits=AttachmentLimits(
                max_file_bytes=int(_number(env, "RACIFLOW_ATTACHMENT_MAX_FILE_MB", 10.0) * MiB),
                max_case_bytes=int(_number(env, "RACIFLOW_ATTACHMENT_MAX_CASE_MB", 50.0) * MiB),
                max_files=_count(env, "RACIFLOW_ATTACHMENT_MAX_FILES", 10),
            ),
            attachment_dir=_folder(env.get("RACIFLOW_ATTACHMENT_DIR")),
        )

    def ratelimit_warning(self) -> str | None:
        """What to say at start-up when the sign-in limits are not shared by the workers."""
        if self.web_workers > 1 and self.ratelimit_storage.startswith("memory://"):
            return (
                f"RACIFLOW_RATELIMIT_STORAGE is memory:// with {self.web_workers} web workers: "
                "each worker counts sign-in attempts on its own, so a password guesser gets "
                f"{self.web_workers} times the attempts. Unset it (the workers then share "
                "a SQLite file in the instance folder) or use redis://HOST:6379"
            )
        return None

    def ensure_instance_dir(self) -> None:
        """Create the instance folder, private to its owner (it holds the database)."""
        self.instance_dir.mkdir(mode=0o700, parents=True, exist_ok=True)


def _database_url(url: str) -> str:
    """`url` if SQLAlchemy can connect with it: a known database and an installed driver."""
    try:
        make_url(url).get_dialect()
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as err:
        scheme = url.partition("://")[0] if "://" in url else url[:40]
        raise ConfigError(
            f"RACIFLOW_DATABASE_URL names no database raciflow can use ('{scheme}': "
            f"{' '.join(str(err).split())}); use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST/DB"
        ) from None
    return url


def _ratelimit_storage(env: Mapping[str, str], instance_dir: Path, web_workers: int) -> str:
    """Where sign-in attempts are counted: as configured; else shared by the workers.

    One worker counts in memory. Several share a SQLite file in the instance folder
    (web/ratelimit_store.py): memory:// would let each count apart.
    """
    configured = env.get("RACIFLOW_RATELIMIT_STORAGE")
    if configured:
        return configured
    if web_workers > 1:
        return f"raciflow-sqlite://{instance_dir / 'ratelimits.sqlite'}"
    return "memory://"


def _timezone(env: Mapping[str, str]) -> str:
    """The display time zone: an IANA name the system's tz database knows."""
    name = env.get("RACIFLOW_TIMEZONE") or "Europe/Athens"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"RACIFLOW_TIMEZONE must be a time zone name such as Europe/Athens, not {name!r}"
        ) from None
    return name


def _message_ttl(env: Mapping[str, str]) -> float:
    """RACIFLOW_MESSAGE_TTL: seconds a message nobody waits for is kept (0: refused)."""
    raw = env.get("RACIFLOW_MESSAGE_TTL", "")
    if raw.strip() == "0":
        return 0.0
    return _number(env, "RACIFLOW_MESSAGE_TTL", 86400.0)


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


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    value = _number(env, name, default)
    if value != int(value):
        raise ConfigError(f"{name} must be a whole number, not {env.get(name)!r}")
    return int(value)


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
    instance_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _folder(value: str | None) -> Path | None:
    """The attachment folder (created 0700 on first use), or None: files in the database."""
    return Path(value).resolve() if value else None
