"""Conformance harnesses: each registered connector beside a running simulator of its vendor.

A provider's harness is the class ``Harness`` in ``tests/connectors/<provider>/harness.py``; its
simulator is the package ``simulators.<provider>`` (its ``create_app``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cardfile.connectors.registry import providers

PROVIDERS = tuple(providers())


def harness_class(provider: str) -> type[Any]:
    """The provider's harness class (ImportError when it has none)."""
    return importlib.import_module(f"tests.connectors.{provider}.harness").Harness  # type: ignore[no-any-return]


@contextmanager
def running(provider: str) -> Iterator[Any]:
    """The provider's harness, its simulator serving on a loopback port."""
    from simulators.kit import serve

    make_app: Callable[[], Any] = importlib.import_module(f"simulators.{provider}").create_app
    with serve(make_app()) as base_url:
        harness = harness_class(provider)(base_url)
        harness.prepare()
        yield harness
