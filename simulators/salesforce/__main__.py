"""``python -m simulators.salesforce [--port 8103] [--token T]``: serve the simulator on
127.0.0.1 with uvicorn (the instance URL is then ``http://127.0.0.1:PORT``)."""

from __future__ import annotations

import argparse

import uvicorn

from simulators.salesforce.app import create_app


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m simulators.salesforce")
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument(
        "--token",
        action="append",
        help="a session id the org accepts (repeatable; default salesforce-test-token)",
    )
    parser.add_argument("--daily-limit", type=int, default=100_000)
    parser.add_argument("--log-level", default="warning", help="uvicorn's (info logs requests)")
    args = parser.parse_args(argv)
    app = create_app(
        tokens=frozenset(args.token or ["salesforce-test-token"]), daily_limit=args.daily_limit
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
