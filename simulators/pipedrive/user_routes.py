"""``GET /v1/users/me``: the user and company a token belongs to (v1; 2 tokens). Pipedrive
serves v1 both under ``/v1`` on api.pipedrive.com and under ``/api/v1`` on a company's
``api_domain``; so does the simulator."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.pipedrive.gate import guarded
from simulators.pipedrive.records import now_text
from simulators.pipedrive.state import (
    COMPANY_DOMAIN,
    COMPANY_ID,
    COMPANY_NAME,
    USER_EMAIL,
    PipedriveSim,
)
from simulators.pipedrive.values import OWNER_ID


def user_routes(sim: PipedriveSim) -> list[Route]:
    """The current-user route of ``sim``."""

    async def me(_request: Request) -> Response:
        stamp = now_text().replace("T", " ").rstrip("Z")
        return JSONResponse(
            {
                "success": True,
                "data": {
                    "id": OWNER_ID,
                    "name": "Simulated Owner",
                    "default_currency": "EUR",
                    "locale": "en_US",
                    "lang": 1,
                    "email": USER_EMAIL,
                    "phone": None,
                    "activated": True,
                    "last_login": stamp,
                    "created": stamp,
                    "modified": None,
                    "has_created_company": True,
                    "access": [{"app": "sales", "admin": True, "permission_set_id": "1"}],
                    "active_flag": True,
                    "timezone_name": "Europe/Tallinn",
                    "timezone_offset": "+02:00",
                    "role_id": 1,
                    "icon_url": None,
                    "is_you": True,
                    "is_deleted": False,
                    "company_id": COMPANY_ID,
                    "company_name": COMPANY_NAME,
                    "company_domain": COMPANY_DOMAIN,
                    "company_country": "EE",
                    "company_industry": "Software",
                    "language": {"language_code": "en", "country_code": "US"},
                },
            }
        )

    endpoint = guarded(sim, me)
    return [
        Route("/v1/users/me", endpoint, methods=["GET"]),
        Route("/api/v1/users/me", endpoint, methods=["GET"]),
    ]
