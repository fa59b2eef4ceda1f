"""``python -m simulators.zoho [--port 8105] [--token T]``: serve the simulator on 127.0.0.1
with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

from simulators.zoho.app import create_app


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m simulators.zoho")
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument(
        "--token",
        action="append",
        help="an access token the org accepts (repeatable; default zoho-test-token)",
    )
    parser.add_argument("--credits", type=int, default=50_000, help="API credits per 24 hours")
    parser.add_argument("--concurrency", type=int, default=20, help="requests in flight at once")
    parser.add_argument("--log-level", default="warning", help="uvicorn's (info logs requests)")
    args = parser.parse_args(argv)
    app = create_app(
        tokens=frozenset(args.token or ["zoho-test-token"]),
        credits=args.credits,
        concurrency=args.concurrency,
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
