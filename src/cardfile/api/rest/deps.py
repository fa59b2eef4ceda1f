"""What every REST route needs, declared once: the caller's workspace and the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from cardfile.jobs.tasks import Jobs
from cardfile.settings import Settings
from cardfile.store import api_keys
from cardfile.store.vault import Vault

MISSING_KEY = "Missing Authorization header. Use: Authorization: Bearer <api_key>"


@dataclass(frozen=True)
class Caller:
    """An authenticated request: its workspace, the store, and the credentials vault."""

    workspace_id: int
    sessions: sessionmaker[Session]
    settings: Settings
    jobs: Jobs

    def vault(self) -> Vault:
        """The vault vendor credentials are sealed with."""
        return Vault(self.settings.resolved_secret_key())


def _workspace_of(sessions: sessionmaker[Session], secret: str) -> int | None:
    with sessions() as session:
        key = api_keys.authenticate(session, secret)
        return key.workspace_id if key is not None else None


async def current_caller(request: Request) -> Caller:
    """The caller behind the request's Bearer key, or 401 in graph8's words."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise HTTPException(401, MISSING_KEY)
    sessions: sessionmaker[Session] = request.app.state.store.sessions
    workspace_id = await run_in_threadpool(_workspace_of, sessions, secret.strip())
    if workspace_id is None:
        raise HTTPException(401, "Invalid or revoked API key")
    return Caller(workspace_id, sessions, request.app.state.settings, request.app.state.jobs)


CurrentCaller = Annotated[Caller, Depends(current_caller)]
