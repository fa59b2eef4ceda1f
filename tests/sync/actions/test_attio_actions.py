"""Seed 002 end to end: identify and group events delivered by the Attio actions to the
Attio simulator, read back through Attio's API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cardfile.connectors.conformance import SimulatorControl
from cardfile.sync.spec import SpecError
from tests.sync.actions.conftest import Pipe

ATTIO_ACTIONS: list[dict[str, Any]] = [
    {
        "name": "identify",
        "kind": "identify_user",
        "person_attributes": {"job_title": "traits.title"},
    },
    {"name": "group", "kind": "group_workspace", "workspace_attributes": {"name": "traits.name"}},
]


def _record(pipe: Pipe, entity: str, record_id: str) -> dict[str, Any]:
    response = httpx.get(
        f"{pipe.base_url}/v2/objects/{entity}/records/{record_id}",
        headers={"Authorization": "Bearer attio-test-token"},
    )
    assert response.status_code == 200, response.text
    values: dict[str, Any] = response.json()["data"]["values"]
    return values


def _ids(values: dict[str, Any], slug: str) -> list[str]:
    return [v["target_record_id"] for v in values[slug]]


def _identify(user: str, email: str, **traits: Any) -> dict[str, Any]:
    return {"type": "identify", "userId": user, "traits": {"email": email, **traits}}


def _group(user: str, group: str, website: str, **traits: Any) -> dict[str, Any]:
    return {
        "type": "group",
        "userId": user,
        "groupId": group,
        "traits": {"website": website, **traits},
    }


def test_identify_then_group_links_person_user_company_and_workspace(attio_pipe: Pipe) -> None:
    destination = attio_pipe.destination(ATTIO_ACTIONS)
    attio_pipe.send(
        _identify("u1", "ada@acme.com", title="CTO"),
        _group("u1", "ws-1", "https://www.acme.com", name="Acme prod"),
    )
    attio_pipe.deliver(destination)
    done = attio_pipe.deliveries(destination)
    assert [(d["action"], d["status"]) for d in done] == [("identify", "sent"), ("group", "sent")]
    identify, group = done[0]["detail"], done[1]["detail"]

    person = _record(attio_pipe, "people", identify["people"])
    assert person["email_addresses"][0]["email_address"] == "ada@acme.com"
    assert person["job_title"][0]["value"] == "CTO"
    user = _record(attio_pipe, "users", identify["users"])
    assert user["user_id"][0]["value"] == "u1"
    assert user["primary_email_address"][0]["email_address"] == "ada@acme.com"
    assert _ids(user, "person") == [identify["people"]]

    company = _record(attio_pipe, "companies", group["companies"])
    assert company["domains"][0]["domain"] == "www.acme.com"
    workspace = _record(attio_pipe, "workspaces", group["workspaces"])
    assert workspace["workspace_id"][0]["value"] == "ws-1"
    assert workspace["name"][0]["value"] == "Acme prod"
    assert _ids(workspace, "company") == [group["companies"]]
    assert _ids(workspace, "users") == [identify["users"]]


def test_a_second_users_group_is_appended_not_replacing_the_first(attio_pipe: Pipe) -> None:
    destination = attio_pipe.destination(ATTIO_ACTIONS)
    attio_pipe.send(
        _identify("u1", "ada@acme.com"),
        _identify("u2", "grace@acme.com"),
        _group("u1", "ws-1", "acme.com"),
        _group("u2", "ws-1", "acme.com"),
    )
    attio_pipe.deliver(destination)
    done = attio_pipe.deliveries(destination)
    assert {d["status"] for d in done} == {"sent"}, done
    users = sorted(d["detail"]["users"] for d in done if d["action"] == "identify")
    workspace = _record(attio_pipe, "workspaces", done[-1]["detail"]["workspaces"])
    assert sorted(_ids(workspace, "users")) == users
    stats = SimulatorControl(attio_pipe.base_url).stats()
    assert stats["records"]["workspaces"] == 1
    assert stats["records"]["companies"] == 1


def test_a_group_for_a_user_attio_does_not_know_waits_for_the_identify(attio_pipe: Pipe) -> None:
    destination = attio_pipe.destination(ATTIO_ACTIONS)
    attio_pipe.send(_group("u9", "ws-9", "nine.io"))
    attio_pipe.deliver(destination)
    (waiting,) = attio_pipe.deliveries(destination)
    assert waiting["status"] == "waiting"
    assert "u9" in waiting["error"]

    attio_pipe.send(_identify("u9", "nine@nine.io"))
    attio_pipe.deliver(destination)
    done = attio_pipe.deliveries(destination)
    assert [(d["action"], d["status"]) for d in done] == [("group", "sent"), ("identify", "sent")]
    workspace = _record(attio_pipe, "workspaces", done[0]["detail"]["workspaces"])
    assert _ids(workspace, "users") == [done[1]["detail"]["users"]]


def test_a_missing_email_fails_that_event_visibly_and_the_next_goes_on(attio_pipe: Pipe) -> None:
    destination = attio_pipe.destination(ATTIO_ACTIONS[:1])
    attio_pipe.send(
        {"type": "identify", "userId": "u1", "traits": {"name": "No Mail"}},
        _identify("u2", "two@acme.com"),
    )
    attio_pipe.deliver(destination)
    failed, sent = attio_pipe.deliveries(destination)
    assert failed["status"] == "failed"
    assert "no email" in failed["error"]
    assert sent["status"] == "sent"


def test_a_value_its_type_refuses_fails_the_event_naming_the_attribute(attio_pipe: Pipe) -> None:
    destination = attio_pipe.destination(
        [
            {
                "name": "companies",
                "kind": "assert_record",
                "trigger": {"type": "group"},
                "object": "companies",
                "matching_attribute": "domains",
                "attributes": {"domains": "traits.website", "foundation_date": "traits.founded"},
            }
        ]
    )
    attio_pipe.send(
        _group("u1", "g1", "acme.com", founded="not a date"),
        _group("u2", "g2", "other.com", founded="2021-03-04"),
    )
    attio_pipe.deliver(destination)
    bad, good = attio_pipe.deliveries(destination)
    assert bad["status"] == "failed"
    assert "foundation_date" in bad["error"]
    assert good["status"] == "sent"
    company = _record(attio_pipe, "companies", good["detail"]["companies"])
    assert company["foundation_date"][0]["value"] == "2021-03-04"


def test_null_unsets_the_vendors_value(attio_pipe: Pipe) -> None:
    destination = attio_pipe.destination(ATTIO_ACTIONS[:1])
    attio_pipe.send(_identify("u1", "ada@acme.com", title="CTO"))
    attio_pipe.deliver(destination)
    attio_pipe.send(_identify("u1", "ada@acme.com", title=None))
    attio_pipe.deliver(destination)
    _, second = attio_pipe.deliveries(destination)
    assert second["status"] == "sent"
    person = _record(attio_pipe, "people", second["detail"]["people"])
    assert person["job_title"] == []


def test_an_attribute_attio_lacks_is_refused_when_saving(attio_pipe: Pipe) -> None:
    with pytest.raises(SpecError, match="no attribute 'twitter_handle' on people"):
        attio_pipe.destination(
            [
                {
                    "name": "identify",
                    "kind": "identify_user",
                    "person_attributes": {"twitter_handle": "traits.twitter"},
                }
            ]
        )


def test_an_object_not_activated_warns_on_save_and_fails_each_event(
    sessions: Any, tenant: Any
) -> None:
    from simulators.attio import create_app
    from simulators.kit import serve

    from tests.sync.actions.conftest import make_pipe

    with serve(create_app(activated=("people", "companies"))) as url:
        pipe = make_pipe(sessions, tenant, "attio", url, "attio-test-token")
        destination = pipe.destination(ATTIO_ACTIONS[:1])
        assert any("users" in w and "activate" in w for w in pipe.warnings), pipe.warnings
        pipe.send(_identify("u1", "ada@acme.com"))
        pipe.deliver(destination)
        (failed,) = pipe.deliveries(destination)
    assert failed["status"] == "failed"
    assert "activate" in failed["error"]


def test_a_broken_connection_retries_in_order_then_dies_and_replay_recovers(
    attio_pipe: Pipe,
) -> None:
    from sqlalchemy import update

    from cardfile.store import connections, deliveries
    from cardfile.store.db import transaction
    from cardfile.store.schema import Delivery, utcnow
    from cardfile.sync.actions.delivery import MAX_ATTEMPTS

    destination = attio_pipe.destination(ATTIO_ACTIONS)
    with transaction(attio_pipe.sessions) as session:
        connections.update_credentials(
            session, attio_pipe.vault, attio_pipe.tenant.workspace_id, "attio", {"token": "revoked"}
        )
    attio_pipe.send(_identify("u1", "ada@acme.com"), _group("u1", "ws-1", "acme.com"))

    def due_now() -> None:
        with transaction(attio_pipe.sessions) as session:
            session.execute(update(Delivery).values(retry_at=None))

    following = attio_pipe.deliver(destination)
    first, second = attio_pipe.deliveries(destination)
    assert (first["status"], first["attempts"]) == ("pending", 1)
    assert "401" in first["error"]
    # The user's group waits behind the identify: not tried at all.
    assert (second["status"], second["attempts"]) == ("pending", 0)
    # The next try is the identify's retry time: the group held behind it is not due now
    # (a time in the past would have the task queue itself again at once, in a loop).
    assert following is not None
    assert following > utcnow()

    for _ in range(MAX_ATTEMPTS - 1):
        due_now()
        attio_pipe.deliver(destination)
    first, second = attio_pipe.deliveries(destination)
    assert (first["status"], first["attempts"]) == ("dead", MAX_ATTEMPTS)
    # Once the identify is dead its user's next event goes on (and fails the same way).
    assert second["attempts"] == 1

    with transaction(attio_pipe.sessions) as session:
        connections.update_credentials(
            session,
            attio_pipe.vault,
            attio_pipe.tenant.workspace_id,
            "attio",
            {"token": "attio-test-token"},
        )
        assert deliveries.replay(session, attio_pipe.tenant.workspace_id) == 1
    due_now()
    attio_pipe.deliver(destination)
    done = attio_pipe.deliveries(destination)
    assert [(d["action"], d["status"]) for d in done] == [("identify", "sent"), ("group", "sent")]
