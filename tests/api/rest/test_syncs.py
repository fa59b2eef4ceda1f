"""Syncs managed over REST against a live server and the HubSpot simulator: definitions
checked against the vendor's fields, runs queued and run by the server's own workers, their
results paged, another workspace kept out."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.store import companies
from cardfile.store.db import transaction
from tests.api.rest.test_crm_syncs import TOKEN, _connect
from tests.conftest import LiveServer, Tenant, make_tenant

SYNC: dict[str, Any] = {
    "name": "companies to hubspot",
    "source": "companies",
    "connection": "hubspot",
    "entity": "companies",
    "match": {"hub": "domain", "vendor": "domain"},
    "mappings": [{"to": "name", "field": "name"}],
    "schedule": "every 15 minutes",
}


@pytest.fixture
def api(
    server: LiveServer, sessions: sessionmaker[Session], tenant: Tenant, hubspot: str
) -> httpx.Client:
    SimulatorControl(hubspot).reset()
    _connect(sessions, server, tenant, hubspot, TOKEN)
    with transaction(sessions) as session:
        for n in range(20):
            companies.create(
                session, tenant.workspace_id, {"name": f"Co {n}", "domain": f"co{n}.example.com"}
            )
    return httpx.Client(
        base_url=f"{server.url}/api/v1",
        headers={"Authorization": f"Bearer {tenant.key}"},
        timeout=30,
    )


def _finished(api: httpx.Client, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run: dict[str, Any] = api.get(f"/runs/{run_id}").json()["data"]
        if run["finished_at"] is not None:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish")


def test_a_sync_is_created_run_and_its_results_paged(api: httpx.Client, hubspot: str) -> None:
    created = api.post("/syncs", json=SYNC)
    assert created.status_code == 201, created.text
    sync = created.json()["data"]
    assert (sync["provider"], sync["mode"], sync["last_run"]) == ("hubspot", "upsert", None)

    started = api.post("/syncs/companies to hubspot/runs", json={})
    assert started.status_code == 202, started.text
    run_id = started.json()["data"]["run_id"]
    assert started.headers["location"] == f"/api/v1/runs/{run_id}"
    run = _finished(api, run_id)
    assert run["status"] == "succeeded", run
    assert (run["counts"]["created"], run["counts"]["failed"]) == (20, 0)
    assert SimulatorControl(hubspot).stored("companies") == 20

    page = api.get(f"/runs/{run_id}/results", params={"status": "created", "limit": 15}).json()
    assert len(page["data"]["results"]) == 15
    rest = api.get(
        f"/runs/{run_id}/results",
        params={"status": "created", "after": page["data"]["next_after"]},
    ).json()
    assert len(rest["data"]["results"]) == 5 and rest["data"]["next_after"] is None
    assert all(r["vendor_id"] for r in rest["data"]["results"])

    listed = api.get("/syncs").json()["data"]
    assert listed[0]["last_run"]["run_id"] == run_id
    runs = api.get("/syncs/companies to hubspot/runs").json()["data"]
    assert [r["run_id"] for r in runs] == [run_id]


def test_a_dry_run_lists_the_payloads_it_would_send(api: httpx.Client, hubspot: str) -> None:
    api.post("/syncs", json=SYNC)
    run_id = api.post("/syncs/companies to hubspot/runs", json={"dry_run": True}).json()["data"][
        "run_id"
    ]
    run = _finished(api, run_id)
    assert (run["status"], run["dry_run"], run["counts"]["requests"]) == ("succeeded", True, 0)
    first = api.get(f"/runs/{run_id}/results", params={"limit": 1}).json()["data"]["results"][0]
    assert first["outcome"] == "would_create"
    assert first["payload"] == {"domain": "co0.example.com", "name": "Co 0"}
    assert SimulatorControl(hubspot).stored("companies") == 0


def test_a_mapping_to_a_field_the_vendor_lacks_is_refused_before_anything_runs(
    api: httpx.Client,
) -> None:
    bad = {**SYNC, "mappings": [{"to": "no_such_property", "field": "name"}]}
    answer = api.post("/syncs", json=bad)
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("mappings[0].to: the vendor has no field")
    wrong_type = {**SYNC, "mappings": [{"to": "numberofemployees", "field": "domain"}]}
    answer = api.post("/syncs", json=wrong_type)
    assert answer.status_code == 422
    assert "cannot convert" in answer.json()["detail"]
    no_connection = {**SYNC, "connection": "salesforce"}
    answer = api.post("/syncs", json=no_connection)
    assert answer.status_code == 422 and "salesforce" in answer.json()["detail"]
    assert api.get("/syncs").json()["data"] == []


def test_syncs_are_replaced_renamed_and_deleted(api: httpx.Client) -> None:
    api.post("/syncs", json=SYNC)
    assert api.post("/syncs", json=SYNC).status_code == 409
    renamed = api.put("/syncs/companies to hubspot", json={**SYNC, "name": "co-sync"})
    assert renamed.status_code == 200, renamed.text
    assert api.get("/syncs/companies to hubspot").status_code == 404
    assert api.get("/syncs/co-sync").json()["data"]["schedule"] == "every 15 minutes"
    assert api.delete("/syncs/co-sync").json() == {"data": {"deleted": True}}
    assert api.get("/syncs").json()["data"] == []


def test_another_workspace_sees_neither_the_sync_nor_its_runs(
    api: httpx.Client, server: LiveServer, sessions: sessionmaker[Session]
) -> None:
    api.post("/syncs", json=SYNC)
    run_id = api.post("/syncs/companies to hubspot/runs", json={}).json()["data"]["run_id"]
    _finished(api, run_id)
    other = make_tenant(sessions, "other-co")
    stranger = httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {other.key}"}
    )
    assert stranger.get("/syncs").json()["data"] == []
    assert stranger.get("/syncs/companies to hubspot").status_code == 404
    assert stranger.get(f"/runs/{run_id}").status_code == 404
    assert stranger.get(f"/runs/{run_id}/results").status_code == 404
    assert stranger.post(f"/runs/{run_id}/cancel").status_code == 404


def test_metrics_add_up_the_runs_of_every_worker(api: httpx.Client, server: LiveServer) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    api.post("/syncs", json=SYNC)
    run_id = api.post("/syncs/companies to hubspot/runs", json={}).json()["data"]["run_id"]
    _finished(api, run_id)
    scraped = httpx.get(f"{server.url}/metrics")
    assert scraped.status_code == 200
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(scraped.text)
        for s in family.samples
    }
    created = [v for (name, labels), v in samples.items()
               if name == "cardfile_sync_records_total" and ("outcome", "created") in labels]  # fmt: skip
    assert created == [20.0]
    sent = [v for (name, _), v in samples.items() if name == "cardfile_vendor_requests_total"]
    assert sent and sent[0] >= 1
    assert ("cardfile_queue_depth", ()) in samples
    assert any(name == "cardfile_sync_run_duration_seconds_count" for name, _ in samples)
    assert "companies to hubspot" not in scraped.text  # ids, never a workspace's names
