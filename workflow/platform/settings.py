"""Settings read from HUITOU_* environment variables, with safe defaults for the embedded mode."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from workflow.platform.clock import parse_moment

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INSTANCE_DIR = Path(os.environ.get("HUITOU_INSTANCE_DIR", PROJECT_ROOT / "instance"))


class SettingsError(ValueError):
    """A HUITOU_* variable has a value huitou cannot use."""


def _int(env: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _secret_key(env: dict[str, str], instance_dir: Path) -> str:
    """Use HUITOU_SECRET_KEY, or a random key kept in the instance folder (never in the repo)."""
    if env.get("HUITOU_SECRET_KEY"):
        return env["HUITOU_SECRET_KEY"]
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    """Everything huitou reads from its environment, checked once at startup."""

    database_url: str
    secret_key: str
    database_replica_url: str = ""  # a read replica for reports and boards (PostgreSQL)
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_sender: str = "huitou@localhost"
    smtp_starttls: bool = False
    reminder_days: int = 7
    level2_after_days: int = 14
    level3_after_days: int = 30
    survey_county_after_days: int = 3
    tick_seconds: int = 60
    base_url: str = "http://127.0.0.1:5000"
    evidence_dir: str = ""  # where evidence files live (default: the instance folder)
    rehearsal_start: str = ""  # ISO moment: the clock runs on from there (demo and rehearsal)
    secure_cookies: bool = False  # send cookies only over HTTPS (set when served behind TLS)
    login_max_failures: int = 5  # failed logins for one name before it is locked for a while
    login_lock_minutes: int = 15

    def __post_init__(self) -> None:
        if self.database_replica_url:
            try:
                make_url(self.database_replica_url)
            except ArgumentError as exc:
                raise SettingsError(f"HUITOU_DATABASE_REPLICA_URL: {exc}") from exc
        if self.rehearsal_start:
            try:
                parse_moment(self.rehearsal_start)
            except ValueError as exc:
                raise SettingsError(f"HUITOU_REHEARSAL_START: {exc}") from exc

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read the HUITOU_* variables (from os.environ unless given)."""
        env = dict(os.environ if env is None else env)
        instance_dir = Path(env.get("HUITOU_INSTANCE_DIR", INSTANCE_DIR))
        default_db = f"sqlite:///{instance_dir / 'huitou.db'}"
        return cls(
            database_url=env.get("HUITOU_DATABASE_URL") or default_db,
            database_replica_url=env.get("HUITOU_DATABASE_REPLICA_URL", ""),
            secret_key=_secret_key(env, instance_dir),
            smtp_host=env.get("HUITOU_SMTP_HOST", ""),
            smtp_port=_int(env, "HUITOU_SMTP_PORT", 25, minimum=1),
            smtp_user=env.get("HUITOU_SMTP_USER", ""),
            smtp_password=env.get("HUITOU_SMTP_PASSWORD", ""),
            smtp_sender=env.get("HUITOU_SMTP_SENDER", "huitou@localhost"),
            smtp_starttls=env.get("HUITOU_SMTP_STARTTLS", "") in ("1", "true", "yes"),
            reminder_days=_int(env, "HUITOU_REMINDER_DAYS", 7),
            level2_after_days=_int(env, "HUITOU_LEVEL2_AFTER_DAYS", 14, minimum=1),
            level3_after_days=_int(env, "HUITOU_LEVEL3_AFTER_DAYS", 30, minimum=1),
            survey_county_after_days=_int(env, "HUITOU_SURVEY_COUNTY_AFTER_DAYS", 3, minimum=1),
            tick_seconds=_int(env, "HUITOU_TICK_SECONDS", 60, minimum=1),
            base_url=env.get("HUITOU_BASE_URL", "http://127.0.0.1:5000"),
            rehearsal_start=env.get("HUITOU_REHEARSAL_START", ""),
            evidence_dir=env.get("HUITOU_EVIDENCE_DIR") or str(instance_dir / "evidence"),
            secure_cookies=env.get("HUITOU_SECURE_COOKIES", "") in ("1", "true", "yes"),
            login_max_failures=_int(env, "HUITOU_LOGIN_MAX_FAILURES", 5, minimum=1),
            login_lock_minutes=_int(env, "HUITOU_LOGIN_LOCK_MINUTES", 15, minimum=1),
        )


_current: Settings | None = None


def get_settings() -> Settings:
    """The settings in force (read from the environment on first use)."""
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def use_settings(settings: Settings) -> None:
    """Put settings in force (the app factory and tests call this)."""
    global _current
    _current = settings
