"""The one settings object, read from ``CARDFILE_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class InsecureSettingsError(RuntimeError):
    """Raised when a deployment beyond the embedded default lacks a secret key."""


class Settings(BaseSettings):
    """Cardfile's configuration.

    The embedded default needs nothing set: SQLite and the secret key file live in
    ``data_dir``. A deployment on PostgreSQL must set ``CARDFILE_SECRET_KEY``, because a key
    file on one machine's disk cannot be shared by workers on several machines.

    Attributes (each read from ``CARDFILE_<NAME>``):
        redis_url: Put the job queue in Redis rather than the store's database.
        queue_name: The job queue's name (its Redis key prefix or table rows); deployments
            sharing one Redis or database keep apart by it.
        workers: Worker threads ``cardfile serve`` runs for background jobs (0: none, leave
            the jobs to ``cardfile worker`` processes).
        push_wait_seconds: A REST push the vendor's rate limit lets finish within this is
            answered when done; a longer one is answered at once with a job to poll.
        job_stale_seconds: A job whose worker has not beaten for this long is presumed dead
            and handed to another worker.
        metrics_token: A Bearer token ``/metrics`` asks of scrapers (unset: open, as the
            health check is).
        tracking_queue_events: Tracking events that may wait for the intake's next commit;
            a request that would overfill the queue is answered 429 with ``Retry-After``
            (at least 2,500: one full batch must fit).
        tracking_commit_events: Events the intake writes per transaction at most (group
            commit: the events of every request that arrived meanwhile, together).
        tracking_key_cache_seconds: How long a write key's lookup is trusted in-process, so
            how long a key revoked from another process keeps working here (0: no cache).
    """

    model_config = SettingsConfigDict(env_prefix="CARDFILE_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: SecretStr | None = None
    log_level: str = "info"
    public_url: str = "http://127.0.0.1:8000"
    redis_url: str | None = None
    queue_name: str = "cardfile"
    workers: int = 2
    push_wait_seconds: float = 20.0
    metrics_token: SecretStr | None = None
    job_stale_seconds: float = 300.0
    tracking_queue_events: int = Field(default=20_000, ge=2_500)
    tracking_commit_events: int = Field(default=5_000, ge=1)
    tracking_key_cache_seconds: float = Field(default=10.0, ge=0)

    def oauth_client(self, provider: str) -> tuple[str, str] | None:
        """The OAuth app Cardfile is registered as with ``provider``, from
        ``CARDFILE_<PROVIDER>_CLIENT_ID`` and ``CARDFILE_<PROVIDER>_CLIENT_SECRET`` (read when
        asked, so a provider added later needs no new field here); None when not set."""
        prefix = f"CARDFILE_{provider.upper()}_CLIENT_"
        client_id, secret = os.environ.get(prefix + "ID"), os.environ.get(prefix + "SECRET")
        return (client_id, secret) if client_id and secret else None

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to SQLite inside the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cardfile.db').resolve()}"

    @property
    def is_embedded(self) -> bool:
        """True when running on the embedded SQLite default."""
        return self.effective_database_url.startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The secret key: from the environment, or a 0600 key file in the embedded default."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if not self.is_embedded:
            raise InsecureSettingsError(
                "CARDFILE_SECRET_KEY must be set when CARDFILE_DATABASE_URL points beyond the "
                "embedded SQLite default"
            )
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # O_EXCL so two processes starting together cannot both write a different key.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return path.read_text().strip()
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
