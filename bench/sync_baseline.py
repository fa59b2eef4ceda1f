"""The baseline of ``bench.sync_hubspot``: what a user writes today with HubSpot's official
Python client (PyPI ``hubspot-api-client``), its ``host`` pointed at the simulator.

Two ways to write the companies, both with no state and no diffing (a resync sends
everything again):

- one ``basic_api.create`` call per record;
- ``batch_api.create`` (first sync) or ``batch_api.upsert`` by the unique ``cardfile_id``
  (resync) of 100 records a call.

Each under two retry policies, both urllib3 ``Retry`` objects handed to ``HubSpot(retry=...)``:

- ``docs``: the client's README, "rate limit retry middleware", verbatim:
  ``Retry(total=5, status_forcelist=(429,))``. urllib3 retries only the methods in
  ``Retry.DEFAULT_ALLOWED_METHODS``, which leave out POST, so a 429 on a write is not retried:
  the call raises and the user's loop loses those records;
- ``post``: the same with POST allowed and urllib3's exponential backoff
  (``allowed_methods=None, backoff_factor=1, total=10``), the least a user must change for
  the writes to be retried.

A failed call is caught and its records counted as lost; the loop goes on with the next.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import urllib3
from hubspot.crm.companies import (  # type: ignore[import-untyped]
    ApiException,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectInputForCreate,
)
from hubspot.hubspot import HubSpot  # type: ignore[import-untyped]
from urllib3.util.retry import Retry

BATCH = 100
MATCH_KEY = "cardfile_id"
POLICIES = ("docs", "post")


def retry_policy(name: str) -> Retry:
    """The urllib3 ``Retry`` of policy ``name`` (see the module's docstring)."""
    if name == "docs":
        return Retry(total=5, status_forcelist=(429,))
    if name == "post":
        return Retry(total=10, status_forcelist=(429,), allowed_methods=None, backoff_factor=1)
    raise ValueError(f"no retry policy {name!r}")


@dataclass(frozen=True)
class BaselineRun:
    """What one baseline pass did: its time, the calls it made and the records it lost."""

    seconds: float
    calls: int
    failed_calls: int
    lost: int


def client(base_url: str, token: str, policy: str) -> Any:
    """The official client, every API's ``host`` set to the simulator."""
    return HubSpot(access_token=token, retry=retry_policy(policy), host=base_url)


def _failed(error: Exception) -> bool:
    return isinstance(error, ApiException | urllib3.exceptions.HTTPError)


def one_by_one(api: Any, records: Sequence[dict[str, str]]) -> BaselineRun:
    """``POST /crm/v3/objects/companies`` once per record."""
    basic = api.crm.companies.basic_api
    failed = 0
    started = time.perf_counter()
    for record in records:
        try:
            basic.create(
                simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                    properties=dict(record), associations=[]
                )
            )
        except Exception as error:
            if not _failed(error):
                raise
            failed += 1
    seconds = time.perf_counter() - started
    return BaselineRun(seconds, len(records), failed, failed)


def batches(api: Any, records: Sequence[dict[str, str]], *, upsert: bool) -> BaselineRun:
    """``batch/create`` (or ``batch/upsert`` by ``cardfile_id``) of 100 records a call."""
    batch_api = api.crm.companies.batch_api
    calls = failed_calls = lost = 0
    started = time.perf_counter()
    for start in range(0, len(records), BATCH):
        chunk = records[start : start + BATCH]
        calls += 1
        try:
            if upsert:
                body = BatchInputSimplePublicObjectBatchInputUpsert(
                    inputs=[
                        SimplePublicObjectBatchInputUpsert(
                            id_property=MATCH_KEY,
                            id=record[MATCH_KEY],
                            properties={k: v for k, v in record.items() if k != MATCH_KEY},
                        )
                        for record in chunk
                    ]
                )
                batch_api.upsert(batch_input_simple_public_object_batch_input_upsert=body)
            else:
                created = BatchInputSimplePublicObjectBatchInputForCreate(
                    inputs=[
                        SimplePublicObjectBatchInputForCreate(
                            properties=dict(record), associations=[]
                        )
                        for record in chunk
                    ]
                )
                batch_api.create(batch_input_simple_public_object_batch_input_for_create=created)
        except Exception as error:
            if not _failed(error):
                raise
            failed_calls += 1
            lost += len(chunk)
    seconds = time.perf_counter() - started
    return BaselineRun(seconds, calls, failed_calls, lost)
