"""The simulated Sugar instance: its users, OAuth clients, modules, Target List links, tokens,
limits and counters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulators.kit import Faults, RollingWindow
from simulators.kit.served import Served
from simulators.sugarcrm.errors import SugarError, not_found
from simulators.sugarcrm.records import ModuleStore
from simulators.sugarcrm.relations import RELATED_ACCOUNT, unrelate
from simulators.sugarcrm.schema import ENTITIES, LINKABLE, VARDEFS

INSTANCE_NAME = "Cardfile Simulated Sugar"
NOT_AUTHORIZED = "You are not authorized to perform this action. Contact your administrator."


class SugarSim(Served):
    """Everything one simulated Sugar instance holds (satisfies ``simulators.kit.Simulated``).

    Args:
        users: User names and passwords the password grant accepts.
        clients: OAuth client ids and their secrets (Sugar's stock client is ``sugar`` with an
            empty secret).
        token_lifetime: Seconds an access token lives (Sugar: 3600).
        rate_limit: Requests allowed per window, and the window's seconds (None: no limit,
            as Sugar documents none).
        bulk_limit: Sub-requests allowed in one ``/bulk`` envelope.
        latest_minor: The highest ``v11_N`` the instance serves.
    """

    def __init__(
        self,
        *,
        users: Mapping[str, str],
        clients: Mapping[str, str],
        token_lifetime: float,
        rate_limit: tuple[int, float] | None,
        bulk_limit: int,
        latest_minor: int,
    ) -> None:
        super().__init__(tokens=(), token_lifetime=token_lifetime)
        self.users = dict(users)
        self.clients = {**clients, self.tokens.client_id: self.tokens.client_secret}
        self.window = RollingWindow(*rate_limit) if rate_limit else None
        self.bulk_limit = bulk_limit
        self.latest_minor = latest_minor
        self.modules = {name: ModuleStore(name) for name in VARDEFS}
        self.links: dict[str, dict[str, list[str]]] = {}
        self.user_of: dict[str, str] = {}  # access or refresh token -> user name
        # Faults of single sub-requests of /bulk envelopes (the kit's middleware sees only
        # whole requests): ``sub_faults`` answer before the sub-request runs; ``lost_answers``
        # after it ran, as a fatal error after the commit would.
        self.sub_faults = Faults()
        self.lost_answers = Faults()
        # Records the user's role may not delete (Sugar's ACL), with the refusal's words.
        self.undeletable: dict[str, str] = {}

    def module(self, name: str) -> ModuleStore:
        """A module's store.

        Raises:
            SugarError: 404 for a module the instance does not have.
        """
        store = self.modules.get(name)
        if store is None:
            raise not_found(f"Could not find module: {name}")
        return store

    def members(self, list_id: str, link: str) -> list[str]:
        """The record ids a Target List relates through ``link``.

        Raises:
            SugarError: 404 for an unknown list or link.
        """
        self.module("ProspectLists").get(list_id)
        if link not in LINKABLE:
            raise SugarError(404, "not_found", f"Could not find a relationship named: {link}")
        return self.links.setdefault(list_id, {}).setdefault(link, [])

    def protect(self, record_id: str, message: str = NOT_AUTHORIZED) -> None:
        """Refuse deleting ``record_id`` with 403 ``not_authorized``, as Sugar does for a
        record the user's role has no delete access to."""
        self.undeletable[record_id] = message

    def delete(self, module: str, record_id: str) -> None:
        """Delete a record and drop it from every Target List (and, for an account, from the
        contacts and opportunities related to it), as Sugar's ``mark_deleted`` removes a
        deleted record's relationships.

        Raises:
            SugarError: 404 for an unknown module or record, 403 for a protected record.
        """
        store = self.module(module)
        store.get(record_id)
        refusal = self.undeletable.get(record_id)
        if refusal is not None:
            raise SugarError(403, "not_authorized", refusal)
        store.delete(record_id)
        if module == "Accounts":
            for related in RELATED_ACCOUNT:
                unrelate(self.module(related).records, record_id)
        for links in self.links.values():
            for members in links.values():
                while record_id in members:
                    members.remove(record_id)

    def reset(self) -> None:
        """Forget records, links, faults, tokens and counters (the schema stays)."""
        for store in self.modules.values():
            store.clear()
        self.links.clear()
        self.user_of.clear()
        self.sub_faults.clear()
        self.lost_answers.clear()
        self.undeletable.clear()
        if self.window is not None:
            self.window.reset()
        self.reset_served()
        self.clients[self.tokens.client_id] = self.tokens.client_secret

    def stats(self) -> dict[str, Any]:
        """Records per entity (Cardfile's names), requests, 429s, lists and refreshes."""
        return {
            "records": {
                entity: len(self.modules[module].records) for module, entity in ENTITIES.items()
            },
            **self.served_stats(),
            "lists": len(self.modules["ProspectLists"].records),
        }

    def records(self, entity: str) -> list[dict[str, Any]]:
        """Every stored record of a Cardfile entity (copies), oldest first."""
        module = next(m for m, e in ENTITIES.items() if e == entity)
        return [dict(record) for record in self.modules[module].records.values()]
