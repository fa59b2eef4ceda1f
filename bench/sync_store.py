"""The hub store ``bench.sync_hubspot`` syncs from: N companies written with the bulk helpers,
one HubSpot connection, one sync of companies to HubSpot companies matched on a unique custom
property, and (for the planning benchmark) the sync's state as if every company had been
sent already."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.datasets import company_name
from bench.store_setup import prepare
from cardfile.store import bulk, changes, connections, runs, syncs
from cardfile.store.db import session_factory, transaction
from cardfile.store.schema import EXTERNAL_ID_COLUMNS, Company, SyncState, table_of, utcnow
from cardfile.store.syncs import StoredSync
from cardfile.store.vault import Vault
from cardfile.sync.mapping import fingerprint, payload
from cardfile.sync.source import HubRecord
from cardfile.sync.spec import SyncSpec, parse

VAULT = Vault("cardfile sync benchmark secret")
TOKEN = "hubspot-test-token"
MATCH_KEY = "cardfile_id"  # the custom HubSpot property with hasUniqueValue
SYNC_NAME = "companies to hubspot"
FIRST_VENDOR_ID = 30_000_000_001  # the simulator's first record id
CHUNK = 50_000  # companies per bulk write

DEFINITION = {
    "name": SYNC_NAME,
    "source": "companies",
    "connection": "hubspot",
    "entity": "companies",
    "match": {"hub": "customId", "vendor": MATCH_KEY},
    "mappings": [{"to": "name", "field": "name"}, {"to": "domain", "field": "domain"}],
}

_COMPANY_COLUMNS = (
    "id",
    "workspace_id",
    "name",
    "domain",
    "custom_id",
    "hubspot_id",
    "change_seq",
    "created_at",
    "updated_at",
)
_STATE_COLUMNS = (
    "sync_id",
    "record_id",
    "vendor_id",
    "fingerprint",
    "status",
    "error",
    "attempts",
    "retry_at",
    "run_id",
    "updated_at",
)


@dataclass(frozen=True)
class Generated:
    """One generated company: the hub's values and HubSpot's copy of them."""

    index: int
    custom_id: str
    name: str
    domain: str

    def vendor_record(self) -> dict[str, str]:
        """The record the official client sends for it (the baseline's payload)."""
        return {MATCH_KEY: self.custom_id, "name": self.name, "domain": self.domain}


def generated(count: int, seed: int) -> Iterator[Generated]:
    """``count`` companies, names from ``bench.datasets`` (unique: they end in the index)."""
    rng = random.Random(seed)
    for index in range(count):
        yield Generated(
            index, f"cust-{index:07d}", company_name(index, rng), f"c{index}.example.com"
        )


@dataclass(frozen=True)
class HubStore:
    """A prepared store: its engine, sessions, workspace and the sync."""

    engine: Engine
    sessions: sessionmaker[Session]
    workspace_id: int
    sync: StoredSync


def build(url: str, base_url: str, count: int, seed: int, *, synced: bool) -> HubStore:
    """Migrate the empty database at ``url`` and fill it.

    Args:
        url: The database.
        base_url: The HubSpot simulator the connection points at.
        count: Companies to create.
        seed: Seed of their names.
        synced: Also give every company a HubSpot id and the sync a state saying HubSpot
            holds exactly what the engine would send (fingerprints computed with the
            engine's own ``payload`` and ``fingerprint``).
    """
    engine, workspace_id = prepare(url)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        connections.add(
            session,
            VAULT,
            workspace_id=workspace_id,
            provider="hubspot",
            credentials={"token": TOKEN},
            base_url=base_url,
        )
        sync, _ = syncs.save(session, workspace_id, parse(DEFINITION).as_dict())
    spec = parse(sync.definition)
    companies_table = table_of(Company)
    states_table = table_of(SyncState)
    source = generated(count, seed)
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        chunk = [next(source) for _ in range(size)]
        with transaction(sessions) as session, bulk.large_write(session):
            ids = bulk.reserve_ids(session, companies_table, size)
            first_seq = changes.take(session, size)
            now = bulk.bound(session, companies_table, "created_at", utcnow())
            rows = [
                (
                    company_id,
                    workspace_id,
                    made.name,
                    made.domain,
                    made.custom_id,
                    str(FIRST_VENDOR_ID + made.index) if synced else None,
                    first_seq + n,
                    now,
                    now,
                )
                for n, (company_id, made) in enumerate(zip(ids, chunk, strict=True))
            ]
            bulk.insert_rows(session, companies_table, _COMPANY_COLUMNS, rows)
            if synced:
                state_now = bulk.bound(session, states_table, "updated_at", utcnow())
                bulk.insert_rows(
                    session,
                    states_table,
                    _STATE_COLUMNS,
                    [
                        (
                            sync.id,
                            row[0],
                            row[5],
                            _fingerprint(spec, row),
                            "synced",
                            None,
                            0,
                            None,
                            None,
                            state_now,
                        )
                        for row in rows
                    ],
                )
        done += size
    with transaction(sessions) as session:
        bulk.refresh_statistics(session, [companies_table, states_table])
    return HubStore(engine, sessions, workspace_id, sync)


def _fingerprint(spec: SyncSpec, row: tuple[Any, ...]) -> str:
    """What the engine computes for a company row: its fields as ``sync.source`` reads them
    (every external id, unset ones None), made into the payload for an update."""
    company_id, _, name, domain, custom_id, hubspot_id = row[:6]
    fields: dict[str, Any] = {
        "id": str(company_id),
        "name": name,
        "domain": domain,
        "arr": None,
        "numberOfEmployees": None,
    }
    for label in EXTERNAL_ID_COLUMNS:
        fields[label] = None
    fields["customId"] = custom_id
    fields["hubspotId"] = hubspot_id
    record = HubRecord(id=company_id, fields=fields, attributes={})
    return fingerprint(payload(spec, record, creating=False))


def start_run(store: HubStore) -> str:
    """Queue a run of the sync (as ``cardfile sync run`` does); its id."""
    with transaction(store.sessions) as session:
        run, _ = runs.start(session, store.sync, full=False, dry_run=False, trigger="manual")
    return run.id


def hubspot_ids(store: HubStore) -> tuple[int, int, int]:
    """Companies, those with a HubSpot id, and the distinct HubSpot ids among them."""
    with store.sessions() as session:
        row = session.execute(
            select(
                func.count(),
                func.count(Company.hubspot_id),
                func.count(func.distinct(Company.hubspot_id)),
            ).where(Company.workspace_id == store.workspace_id)
        ).one()
    return int(row[0]), int(row[1]), int(row[2])
