"""``POST /bulk``: several sub-requests in one round trip.

Sugar runs an envelope's sub-requests one after another and answers with one ``{contents,
headers, status}`` per sub-request, in order; a failing sub-request fails alone. The
envelope itself goes through the shared client (so a 429 or a 5xx of the whole envelope is
waited out and retried there); each sub-answer is classified by the same error table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cardfile.connectors.errors import Action, Refused, VendorError
from cardfile.connectors.http import VendorClient
from cardfile.connectors.sugarcrm.errors import message_of, sub_action
from cardfile.connectors.sugarcrm.records import SubRequest


@dataclass(frozen=True)
class SubAnswer:
    """One sub-request's answer: its status, contents, and what to do about it."""

    status: int
    contents: Any
    action: Action | None  # None: it succeeded

    def error(self) -> VendorError:
        """Sugar's refusal in its words (only meaningful when ``action`` is set)."""
        message, label = message_of(self.contents)
        return VendorError(message, self.status, label, self.action or Action.REFUSE)


async def send(client: VendorClient, version: str, subs: Sequence[SubRequest]) -> list[SubAnswer]:
    """Send ``subs`` in one envelope; one answer per sub-request, in order.

    Raises:
        ConnectorError: The envelope as a whole failed (after the client's retries), or Sugar's
            answer does not line up with the sub-requests.
    """
    body = {"requests": [sub.envelope_item(version) for sub in subs]}
    response = await client.request("POST", "/bulk", json=body)
    try:
        answers = response.json()
    except ValueError:
        answers = None
    if not isinstance(answers, list) or len(answers) != len(subs):
        raise Refused(
            VendorError(
                "SugarCRM's bulk answer does not hold one answer per sub-request",
                response.status_code,
            )
        )
    found: list[SubAnswer] = []
    for answer in answers:
        status = int(answer.get("status", 500)) if isinstance(answer, dict) else 500
        contents = answer.get("contents") if isinstance(answer, dict) else None
        found.append(SubAnswer(status, contents, sub_action(status, contents)))
    return found
