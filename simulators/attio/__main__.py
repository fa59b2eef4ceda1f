"""``python -m simulators.attio [--port 8102] [--token T]``: serve the simulator on 127.0.0.1
with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

from simulators.attio.app import DEFAULT_ACTIVATED, create_app


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m simulators.attio")
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument(
        "--token",
        action="append",
        help="an API key the workspace accepts (repeatable; default attio-test-token)",
    )
    parser.add_argument("--writes-per-second", type=int, default=25)
    parser.add_argument("--reads-per-second", type=int, default=100)
    parser.add_argument("--token-lifetime", type=float, default=1800.0)
    parser.add_argument(
        "--activate",
        action="append",
        help="an activated object (repeatable; default all five standard objects)",
    )
    parser.add_argument("--log-level", default="warning", help="uvicorn's (info logs requests)")
    args = parser.parse_args(argv)
    app = create_app(
        tokens=frozenset(args.token or ["attio-test-token"]),
        writes_per_second=args.writes_per_second,
        reads_per_second=args.reads_per_second,
        token_lifetime=args.token_lifetime,
        activated=frozenset(args.activate or DEFAULT_ACTIVATED),
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
