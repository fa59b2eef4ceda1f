"""What every simulator shares: fault injection, tokens, rolling rate windows, a control API
and a way to serve an app on a loopback port."""

from simulators.kit.control import Call, Simulated, control_routes
from simulators.kit.faults import Fault, FaultMiddleware, Faults
from simulators.kit.server import serve
from simulators.kit.tokens import TokenStore, bearer
from simulators.kit.windows import RollingWindow

__all__ = [
    "Call",
    "Fault",
    "FaultMiddleware",
    "Faults",
    "RollingWindow",
    "Simulated",
    "TokenStore",
    "bearer",
    "control_routes",
    "serve",
]
