"""``python -m simulators.sugarcrm [--port 8106] [--token USER:PASSWORD]``: serve the simulator
on 127.0.0.1 with uvicorn. A ``--token`` is the user the password grant accepts, given as
Cardfile's SugarCRM connections hold it."""

from __future__ import annotations

import argparse

import uvicorn

from simulators.sugarcrm.app import DEFAULT_USERS, create_app


def _users(tokens: list[str] | None) -> dict[str, str]:
    if not tokens:
        return dict(DEFAULT_USERS)
    users: dict[str, str] = {}
    for token in tokens:
        user, sep, password = token.partition(":")
        if not sep or not user:
            raise SystemExit(f"--token takes USER:PASSWORD, not {token!r}")
        users[user] = password
    return users


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m simulators.sugarcrm")
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument(
        "--token",
        action="append",
        help="USER:PASSWORD the instance accepts (repeatable; default admin:sugar-sim-password)",
    )
    parser.add_argument(
        "--requests-per-second", type=int, default=0, help="a rate limit (default: none)"
    )
    parser.add_argument("--bulk-limit", type=int, default=100)
    parser.add_argument("--log-level", default="warning", help="uvicorn's (info logs requests)")
    args = parser.parse_args(argv)
    rate = (args.requests_per_second, 1.0) if args.requests_per_second > 0 else None
    app = create_app(users=_users(args.token), rate_limit=rate, bulk_limit=args.bulk_limit)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
