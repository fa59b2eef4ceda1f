"""A push to a CRM as a job: the task's body, and the hub half of every push.

Both the REST push answered at once and the push run as a job go through ``sync.pushes`` for
the vendor and ``ingest.pushes`` for the hub; this module joins the two, as neither may import
the other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.errors import ConnectorError, RetryLater
from cardfile.ingest.pushes import record_accepted
from cardfile.store import jobs
from cardfile.store.db import in_transaction, transaction
from cardfile.store.errors import StoreError
from cardfile.store.vault import Vault
from cardfile.sync.connections import open_connector
from cardfile.sync.pushes import Accepted, HubCounts, NoSuchEntity, PushTally, push

KIND = "push"
STALE_AFTER = timedelta(minutes=5)  # the default: no heartbeat this long, the worker is gone
MAX_ATTEMPTS = 8  # passing failures (a vendor down, a daily limit) before a job fails
log = logging.getLogger(__name__)


def hub_writer(
    sessions: sessionmaker[Session], workspace_id: int, provider: str, entity_type: str
) -> Callable[[list[Accepted]], Awaitable[HubCounts]]:
    """Write each chunk's accepted records to the hub, in a transaction of its own."""

    def write(accepted: list[Accepted]) -> HubCounts:
        with transaction(sessions) as session:
            outcome = record_accepted(session, workspace_id, provider, entity_type, accepted)
        return HubCounts(outcome.created, outcome.updated, outcome.unchanged, outcome.errors)

    async def in_thread(accepted: list[Accepted]) -> HubCounts:
        return await asyncio.to_thread(write, accepted)

    return in_thread


def push_params(
    connection: str,
    provider: str,
    entity_type: str,
    records: list[dict[str, Any]],
    renames: dict[str, str] | None,
) -> dict[str, Any]:
    """What a push job stores to run from."""
    return {
        "connection": connection,
        "provider": provider,
        "entity_type": entity_type,
        "records": records,
        "renames": renames,
    }


async def run_push(
    sessions: sessionmaker[Session],
    vault: Vault,
    job_id: str,
    *,
    stale_after: timedelta = STALE_AFTER,
) -> None:
    """Run (or go on with) the push job ``job_id``.

    Raises:
        RetryLater: a passing failure; the job is back in the store's queue state and the
            queue retries it later.
    """
    job = await asyncio.to_thread(
        in_transaction, sessions, lambda s: jobs.claim(s, job_id, stale_after=stale_after)
    )
    if job is None:
        return  # finished, or another worker has it
    attempt, params = job.attempts, job.params
    workspace_id, provider = job.workspace_id, str(params["provider"])

    async def keep(tally: PushTally) -> None:
        progress = tally.as_dict()
        await asyncio.to_thread(
            in_transaction, sessions, lambda s: jobs.save_progress(s, job_id, attempt, progress)
        )

    async def end(write: Callable[[Session], None]) -> None:
        await asyncio.to_thread(in_transaction, sessions, write)

    try:
        connector = await asyncio.to_thread(
            open_connector, sessions, workspace_id, params["connection"], vault
        )
        async with connector:
            records: list[dict[str, Any]] = params["records"]
            tally = await push(
                connector,
                params["entity_type"],
                records,
                renames=params.get("renames"),
                to_hub=hub_writer(sessions, workspace_id, provider, params["entity_type"]),
                tally=PushTally.from_dict(job.progress),
                chunk=connector.capabilities.batch_size * 10,
                on_chunk=keep,
            )
    except jobs.Superseded:
        return
    except RetryLater as error:
        reason = error.message
        if attempt >= MAX_ATTEMPTS:
            await end(lambda s: jobs.fail(s, job_id, attempt, reason))
            return
        await end(lambda s: jobs.requeue(s, job_id, attempt, reason))
        raise
    except (ConnectorError, NoSuchEntity, StoreError) as error:
        message = getattr(error, "message", None) or str(error)
        await end(lambda s: jobs.fail(s, job_id, attempt, message))
        return
    except Exception:
        log.exception("push job %s failed", job_id)
        await end(lambda s: jobs.fail(s, job_id, attempt, "an internal error; see the log"))
        raise
    await end(lambda s: jobs.finish(s, job_id, attempt, tally.as_dict()))
