"""Reading records: by id, by search, and record deletion, as Zoho answers them.

    GET    /crm/v8/{module}?ids=a,b&fields=Email    the records with these ids (204: none)
    GET    /crm/v8/{module}/search?criteria=…       criteria, or email=, phone=, word=
    DELETE /crm/v8/{module}?ids=a,b                 to the recycle bin, at most 100 ids

A search answers the newest records first (Zoho documents no order; answering newest first
keeps a client from taking the first match for the oldest), ``per_page`` (at most 200) to a
page, and 204 when nothing matches. ``fields`` limits what each record carries besides its
id. A delete answers each id by one item of ``data``, in input order: ``record deleted``, or
``INVALID_DATA`` with ``the id given seems to be invalid`` for an id no record has (Zoho's
exact answer for that is not documented; its message list holds this one), or with the
simulator's injected refusal for a record it was told to refuse. The status is 200, 207 or
400, as for record writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.datastructures import QueryParams

from simulators.zoho.criteria import Test, parse
from simulators.zoho.errors import ZohoError, error_item
from simulators.zoho.records import ModuleStore, StoredRecord, folded

PER_PAGE = 200
MAX_IDS = 100
MAX_SEARCH_RECORDS = 2000  # Zoho's search pages no further than this
INVALID_ID = "the id given seems to be invalid"
TEXT_TYPES = frozenset({"text", "textarea", "email", "phone", "website", "picklist"})


def _missing(param: str) -> ZohoError:
    return ZohoError(
        400,
        "REQUIRED_PARAM_MISSING",
        "One of the expected parameter is missing",
        {"param_name": param},
    )


def ids_param(params: QueryParams, *, required: bool) -> list[str] | None:
    """The ``ids`` of a request (None when absent and not required).

    Raises:
        ZohoError: Required and absent, or more than 100 ids.
    """
    raw = params.get("ids")
    ids = [i.strip() for i in (raw or "").split(",") if i.strip()]
    if not ids:
        if required or raw is not None:
            raise _missing("ids")
        return None
    if len(ids) > MAX_IDS:
        raise ZohoError(400, "LIMIT_EXCEEDED", "Record count exceeded", {"limit": MAX_IDS})
    return ids


def shown(record: StoredRecord, fields: str | None) -> dict[str, Any]:
    """The record as a read answers it: every value, or the id and the ``fields`` named."""
    full = record.to_json()
    if not fields:
        return full
    names = {name.strip() for name in fields.split(",")}
    return {k: v for k, v in full.items() if k == "id" or k in names}


def by_ids(store: ModuleStore, ids: list[str]) -> list[StoredRecord]:
    """The records with these ids, in the order asked, those not found left out.

    Raises:
        ZohoError: An id that is not a number (Zoho's ids are).
    """
    for record_id in ids:
        if not record_id.isdigit():
            raise ZohoError(400, "INVALID_DATA", INVALID_ID, {"param": "ids"})
    return [store.records[i] for i in dict.fromkeys(ids) if i in store.records]


def _any_field(store: ModuleStore, types: frozenset[str], wanted: str, *, part: bool) -> Test:
    names = [f.api_name for f in store.module.fields.values() if f.data_type in types]
    word = folded(wanted)

    def test(record: Mapping[str, Any]) -> bool:
        for name in names:
            held = record.get(name)
            if held in (None, "") or isinstance(held, (dict, list)):
                continue
            text = folded(held)
            if (word in text) if part else (text == word):
                return True
        return False

    return test


def search_test(store: ModuleStore, params: QueryParams) -> Test:
    """What a search asks for: ``criteria``, or ``email``/``phone`` (equal to an email or
    phone field) or ``word`` (in any text field).

    Raises:
        ZohoError: None of them given, or criteria Zoho cannot read.
    """
    if params.get("criteria"):
        fields = frozenset({"id", *store.module.fields})
        return parse(str(params["criteria"]), fields)
    if params.get("email"):
        return _any_field(store, frozenset({"email"}), str(params["email"]), part=False)
    if params.get("phone"):
        return _any_field(store, frozenset({"phone"}), str(params["phone"]), part=False)
    if params.get("word"):
        return _any_field(store, TEXT_TYPES, str(params["word"]), part=True)
    raise _missing("criteria")


def page_of(params: QueryParams) -> tuple[int, int]:
    """The ``page`` and ``per_page`` of a read.

    Raises:
        ZohoError: A value that is not a positive number, or a page past 2,000 records.
    """
    try:
        page = int(params.get("page", "1"))
        per_page = min(int(params.get("per_page", str(PER_PAGE))), PER_PAGE)
    except ValueError:
        raise ZohoError(400, "INVALID_DATA", "invalid data", {"param": "page"}) from None
    if page < 1 or per_page < 1:
        raise ZohoError(400, "INVALID_DATA", "invalid data", {"param": "page"})
    if page * per_page > MAX_SEARCH_RECORDS:
        raise ZohoError(400, "LIMIT_EXCEEDED", "Record count exceeded", {"limit": 2000})
    return page, per_page


def delete_item(
    store: ModuleStore,
    record_id: str,
    refused: Callable[[dict[str, Any]], str | None],
    delete: Callable[[str], bool],
) -> dict[str, Any]:
    """One id's item of a delete's answer (the record is deleted when it succeeds)."""
    record = store.records.get(record_id)
    if record is None:
        return error_item("INVALID_DATA", INVALID_ID, {"id": record_id})
    message = refused(record.values)
    if message is not None:
        return error_item("INVALID_DATA", message, {"id": record_id})
    delete(record_id)
    return {
        "code": "SUCCESS",
        "details": {"id": record_id},
        "message": "record deleted",
        "status": "success",
    }
