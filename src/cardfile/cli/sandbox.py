"""``cardfile sandbox``: the vendor simulators on loopback ports, for trying Cardfile without
a CRM account.

The simulators ship beside the product (``simulators/``) but the product never imports them:
this command loads them by name, and only when asked.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

import typer

from cardfile.cli.output import JsonOption, emit_json, fail

# provider -> (module, default port, default static token)
SIMULATORS = {
    "hubspot": ("simulators.hubspot", 8101, "hubspot-test-token"),
    "attio": ("simulators.attio", 8102, "attio-test-token"),
    "salesforce": ("simulators.salesforce", 8103, "salesforce-test-token"),
    "pipedrive": ("simulators.pipedrive", 8104, "pipedrive-test-token"),
    "zoho": ("simulators.zoho", 8105, "zoho-test-token"),
    "sugarcrm": ("simulators.sugarcrm", 8106, "admin:sugar-sim-password"),
}


def sandbox(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    hubspot_port: int = typer.Option(8101, help="Port of the HubSpot simulator."),
    attio_port: int = typer.Option(8102, help="Port of the Attio simulator."),
    salesforce_port: int = typer.Option(8103, help="Port of the Salesforce simulator."),
    pipedrive_port: int = typer.Option(8104, help="Port of the Pipedrive simulator."),
    zoho_port: int = typer.Option(8105, help="Port of the Zoho CRM simulator."),
    sugarcrm_port: int = typer.Option(8106, help="Port of the SugarCRM simulator."),
    as_json: bool = JsonOption,
) -> None:
    """Run a simulator of each CRM until interrupted, and say how to connect to each."""
    import uvicorn

    ports = {
        "hubspot": hubspot_port,
        "attio": attio_port,
        "salesforce": salesforce_port,
        "pipedrive": pipedrive_port,
        "zoho": zoho_port,
        "sugarcrm": sugarcrm_port,
    }
    servers: list[uvicorn.Server] = []
    shown: list[dict[str, Any]] = []
    for provider, (module_name, _, token) in SIMULATORS.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            raise fail(
                f"the {provider} simulator is not installed (module {module_name})",
                as_json=as_json,
            ) from None
        config = uvicorn.Config(
            module.create_app(), host=host, port=ports[provider], log_level="warning"
        )
        servers.append(uvicorn.Server(config))
        base_url = f"http://{host}:{ports[provider]}"
        shown.append(
            {
                "provider": provider,
                "base_url": base_url,
                "token": token,
                "connect": (
                    f"cardfile connections add {provider} --workspace SLUG "
                    f"--token {token} --base-url {base_url}"
                ),
            }
        )
    if as_json:
        emit_json(shown)
    else:
        for entry in shown:
            typer.echo(f"{entry['provider']:10} {entry['base_url']}  token: {entry['token']}")
            typer.echo(f"           {entry['connect']}")
        typer.echo("Simulated records live in memory until you stop this (Ctrl-C).")

    async def run_all() -> None:
        await asyncio.gather(*(server.serve() for server in servers))

    asyncio.run(run_all())
