"""``python -m simulators.hubspot [--port 8101] [--token T]``: serve the simulator on
127.0.0.1 with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

from simulators.hubspot.app import create_app


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m simulators.hubspot")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument(
        "--token",
        action="append",
        help="a private-app token the portal accepts (repeatable; default hubspot-test-token)",
    )
    parser.add_argument("--ten-second-limit", type=int, default=190)
    parser.add_argument("--daily-limit", type=int, default=1_000_000)
    parser.add_argument("--log-level", default="warning", help="uvicorn's (info logs requests)")
    args = parser.parse_args(argv)
    app = create_app(
        tokens=frozenset(args.token or ["hubspot-test-token"]),
        ten_second_limit=args.ten_second_limit,
        daily_limit=args.daily_limit,
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
