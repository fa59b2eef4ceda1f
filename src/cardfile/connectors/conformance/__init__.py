"""The conformance suite every connector passes, written once (``suite.CASES``) and run
against each registered connector and its vendor's simulator through a :class:`Harness`.

A third-party connector runs it too: implement a ``Harness`` for your vendor's sandbox or
simulator and parametrise ``tests`` over ``CASES`` as ``tests/connectors/test_conformance.py``
does.
"""

from cardfile.connectors.conformance.harness import Harness, SimulatorControl
from cardfile.connectors.conformance.suite import CASES

__all__ = ["CASES", "Harness", "SimulatorControl"]
