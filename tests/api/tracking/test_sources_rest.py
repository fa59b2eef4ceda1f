"""``/api/v1/sources`` over real HTTP: sources and write keys, in graph8's envelope."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store.api_keys import hash_secret
from cardfile.store.schema import WriteKey
from tests.api.tracking.conftest import Tracker, stored
from tests.conftest import LiveServer, Tenant, make_tenant


@pytest.fixture
def api(server: LiveServer, tenant: Tenant) -> httpx.Client:
    return httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {tenant.key}"}
    )


def test_a_source_is_created_with_a_key_shown_once_listed_and_deleted(
    api: httpx.Client, server: LiveServer, sessions: sessionmaker[Session]
) -> None:
    made = api.post("/sources", json={"name": "website"})
    assert made.status_code == 201, made.text
    data = made.json()["data"]
    assert data["name"] == "website"
    secret = data["write_key"]["secret"]
    assert secret.startswith("wk_") and data["write_key"]["status"] == "live"
    with sessions() as session:
        kept = session.scalar(select(WriteKey.key_hash))
    assert kept == hash_secret(secret)  # only the hash is stored
    assert (
        Tracker(server.url, secret).post("track", {"userId": "u", "event": "E"}).status_code == 200
    )

    listed = api.get("/sources").json()["data"]
    assert [(s["source_id"], s["name"]) for s in listed] == [(data["source_id"], "website")]
    by_id = api.get(f"/sources/{data['source_id']}").json()["data"]
    by_name = api.get("/sources/website").json()["data"]
    assert by_id == by_name == listed[0]
    keys = api.get("/sources/website/write-keys")
    assert secret not in keys.text
    assert [k["prefix"] for k in keys.json()["data"]] == [secret[:10]]

    assert api.delete("/sources/website").json() == {"data": {"deleted": True}}
    assert api.get("/sources").json() == {"data": []}
    assert stored(sessions) == []  # its events went with it
    gone = api.get("/sources/website")
    assert gone.status_code == 404
    assert "no source 'website'" in gone.json()["detail"]


def test_write_keys_are_issued_listed_and_revoked(api: httpx.Client, server: LiveServer) -> None:
    first = api.post("/sources", json={"name": "app"}).json()["data"]["write_key"]
    second = api.post("/sources/app/write-keys", json={"name": "backend"})
    assert second.status_code == 201
    issued = second.json()["data"]
    assert issued["name"] == "backend" and issued["secret"] != first["secret"]
    revoked = api.delete(f"/sources/app/write-keys/{first['key_id']}")
    assert revoked.status_code == 200
    assert revoked.json()["data"]["status"] == "revoked"
    assert revoked.json()["data"]["revoked_at"] is not None
    assert "secret" not in revoked.json()["data"]
    states = {k["key_id"]: k["status"] for k in api.get("/sources/app/write-keys").json()["data"]}
    assert states == {first["key_id"]: "revoked", issued["key_id"]: "live"}
    event = {"userId": "u", "event": "E"}
    assert Tracker(server.url, first["secret"]).post("track", event).status_code == 401
    assert Tracker(server.url, issued["secret"]).post("track", event).status_code == 200


def test_refusals_in_graph8s_shapes(api: httpx.Client) -> None:
    assert api.post("/sources", json={"name": "web"}).status_code == 201
    again = api.post("/sources", json={"name": "web"})
    assert again.status_code == 409
    assert "exists already" in again.json()["detail"]
    bad = api.post("/sources", json={"name": "Not A Slug"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "name"]
    assert api.get("/sources/nope").status_code == 404
    assert api.get("/sources/9999/write-keys").status_code == 404
    assert api.post("/sources/nope/write-keys", json={}).status_code == 404
    assert api.delete("/sources/web/write-keys/999999").status_code == 404
    assert api.get("/sources/%C2%B2").status_code == 404  # a digit, but no ASCII one
    assert api.get("/sources/99999999999999999999").status_code == 404
    unauthenticated = httpx.get(str(api.base_url).rstrip("/") + "/sources")
    assert unauthenticated.status_code == 401


def test_workspaces_see_and_touch_only_their_own_sources(
    api: httpx.Client, server: LiveServer, sessions: sessionmaker[Session]
) -> None:
    ours = api.post("/sources", json={"name": "website"}).json()["data"]
    other = make_tenant(sessions, "globex")
    theirs = httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {other.key}"}
    )
    assert theirs.get("/sources").json() == {"data": []}
    assert theirs.get(f"/sources/{ours['source_id']}").status_code == 404
    assert theirs.get(f"/sources/{ours['source_id']}/write-keys").status_code == 404
    assert theirs.delete(f"/sources/{ours['source_id']}").status_code == 404
    # Their own source of the same name, and our key id under it, is still not ours to revoke.
    assert theirs.post("/sources", json={"name": "website"}).status_code == 201
    key_id = ours["write_key"]["key_id"]
    assert theirs.delete(f"/sources/website/write-keys/{key_id}").status_code == 404
    assert api.get("/sources/website/write-keys").json()["data"][0]["status"] == "live"
