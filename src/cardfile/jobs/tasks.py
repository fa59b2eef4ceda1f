"""The tasks on a deployment's queue, bound to its settings.

A task carries only a job's id; what the job is lives in the store (``store.jobs``), so a
queue that loses a task (a worker killed while running it, a flushed Redis) loses nothing: the
periodic sweep hands every job nobody looks after to the queue again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from functools import cached_property

from huey import Huey, crontab
from huey.api import TaskWrapper
from sqlalchemy.orm import Session, sessionmaker

from cardfile.jobs.debounce import Debouncer
from cardfile.jobs.deliveries import deliver
from cardfile.jobs.events import apply_pending
from cardfile.jobs.pushes import run_push
from cardfile.jobs.queue import create_huey
from cardfile.jobs.syncs import BUSY, run_sync, start_due
from cardfile.settings import Settings
from cardfile.store import deliveries, events, jobs, runs
from cardfile.store.db import create_store_engine, session_factory, transaction
from cardfile.store.schema import utcnow
from cardfile.store.vault import Vault

log = logging.getLogger(__name__)
BUSY_DELAY_SECONDS = 2
EVENTS_DEBOUNCE_SECONDS = 0.05
"""Events arriving within this of each other are applied by one task, not one each."""


class Jobs:
    """A deployment's queue and its tasks.

    Args:
        settings: Where the queue and the store are.
        sessions: The store's sessions when the caller has them (the web app); a worker
            process opens its own from ``settings``.
    """

    def __init__(self, settings: Settings, sessions: sessionmaker[Session] | None = None) -> None:
        self.settings = settings
        self._sessions = sessions
        self.huey: Huey = create_huey(settings)
        # Named, so every process (web, workers) agrees on what a queued task means.
        self.push: TaskWrapper = self.huey.task(name="push", retries=6, retry_delay=60)(self._push)
        self.sync_run: TaskWrapper = self.huey.task(name="sync_run", retries=6, retry_delay=60)(
            self._sync_run
        )
        self.sweep: TaskWrapper = self.huey.periodic_task(crontab(minute="*"), name="sweep")(
            self._sweep
        )
        self.schedule: TaskWrapper = self.huey.periodic_task(crontab(minute="*"), name="schedule")(
            self._schedule
        )
        self.apply_events: TaskWrapper = self.huey.task(
            name="apply_events", retries=6, retry_delay=10
        )(self._apply_events)
        self.deliver: TaskWrapper = self.huey.task(name="deliver", retries=6, retry_delay=30)(
            self._deliver
        )
        self._arrivals: Debouncer[int] = Debouncer(
            EVENTS_DEBOUNCE_SECONDS, self.apply_events, name="cardfile-events-arrived"
        )

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """The store's sessions (opened on first use in a worker process)."""
        if self._sessions is not None:
            return self._sessions
        return session_factory(create_store_engine(self.settings.effective_database_url))

    @cached_property
    def vault(self) -> Vault:
        """The vault the deployment's vendor credentials are sealed with."""
        return Vault(self.settings.resolved_secret_key())

    @property
    def stale_after(self) -> timedelta:
        """How long a silent worker is trusted before its job goes to another."""
        return timedelta(seconds=self.settings.job_stale_seconds)

    def _push(self, job_id: str) -> None:
        asyncio.run(run_push(self.sessions, self.vault, job_id, stale_after=self.stale_after))

    def _sync_run(self, run_id: str) -> None:
        ran = asyncio.run(run_sync(self.sessions, self.vault, run_id, stale_after=self.stale_after))
        if ran == BUSY:
            self.sync_run.schedule((run_id,), delay=BUSY_DELAY_SECONDS)

    def enqueue(self, kind: str, job_id: str) -> None:
        """Hand the job ``job_id`` of ``kind`` to the queue."""
        task = self.sync_run if kind == runs.KIND else self.push
        task(job_id)

    def events_arrived(self, workspace_id: int) -> None:
        """Queue applying the workspace's new events (call after they are committed).

        Debounced on the trailing edge: the first call arms a timer, and the task it queues
        when it fires reads every event committed before then, so a burst of requests costs
        one task and none of its events is left behind.
        """
        self._arrivals.arm(workspace_id)

    def _apply_events(self, workspace_id: int) -> None:
        for destination_id in sorted(apply_pending(self.sessions, workspace_id)):
            self.deliver(destination_id)

    def _deliver(self, destination_id: int) -> None:
        following = asyncio.run(deliver(self.sessions, self.vault, destination_id))
        if following is None:
            return
        if following <= utcnow():
            self.deliver(destination_id)
        else:
            self.deliver.schedule((destination_id,), eta=following)

    def _sweep(self) -> None:
        now = utcnow()
        with transaction(self.sessions) as session:
            found = jobs.stale(session, older_than=self.stale_after)
            kinds = {job_id: jobs.kind_of(session, job_id) for job_id in found}
            jobs.touch(session, found)
            workspaces = events.workspaces_pending(session)
            due = deliveries.destinations_due(session, now)
        for job_id in found:
            log.warning("job %s was left unfinished; queued again", job_id)
            self.enqueue(kinds[job_id], job_id)
        # Events and deliveries whose task was lost (a flushed queue, a killed worker).
        for workspace_id in workspaces:
            self.apply_events(workspace_id)
        for destination_id in due:
            self.deliver(destination_id)

    def _schedule(self) -> None:
        with transaction(self.sessions) as session:
            started = start_due(session, utcnow())
        for run_id in started:
            self.sync_run(run_id)
