"""``python -m simulators.pipedrive [--port 8104] [--token T]``: serve the simulator on
127.0.0.1 with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

from simulators.pipedrive.app import DAILY_TOKENS, DEFAULT_TOKEN, create_app


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m simulators.pipedrive")
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument(
        "--token",
        action="append",
        help=f"an API token the company accepts (repeatable; default {DEFAULT_TOKEN})",
    )
    parser.add_argument("--api-token-burst", type=int, default=20, help="requests per 2 s")
    parser.add_argument("--oauth-burst", type=int, default=80, help="requests per 2 s")
    parser.add_argument("--search-burst", type=int, default=10, help="searches per 2 s")
    parser.add_argument("--daily-tokens", type=int, default=DAILY_TOKENS)
    parser.add_argument("--token-lifetime", type=float, default=3599.0)
    parser.add_argument("--log-level", default="warning", help="uvicorn's (info logs requests)")
    args = parser.parse_args(argv)
    app = create_app(
        tokens=frozenset(args.token or [DEFAULT_TOKEN]),
        token_lifetime=args.token_lifetime,
        api_token_burst=args.api_token_burst,
        oauth_burst=args.oauth_burst,
        search_burst=args.search_burst,
        daily_tokens=args.daily_tokens,
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
