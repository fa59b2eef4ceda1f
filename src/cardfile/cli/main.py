"""The ``cardfile`` command: serve, and manage the store from a shell."""

from __future__ import annotations

import typer

from cardfile.cli.connections import connections_app
from cardfile.cli.csv_commands import import_command, update_command
from cardfile.cli.destinations import destinations_app, events_app
from cardfile.cli.sandbox import sandbox
from cardfile.cli.sources import sources_app, write_keys_app
from cardfile.cli.syncs import runs_app, syncs_app
from cardfile.cli.workspaces import keys_app, workspaces_app

app = typer.Typer(
    help="Cardfile: a self-hosted customer data hub that keeps your CRMs in agreement.",
    no_args_is_help=True,
)
app.add_typer(workspaces_app, name="workspaces")
app.add_typer(keys_app, name="api-keys")
app.add_typer(connections_app, name="connections")
app.add_typer(syncs_app, name="syncs")
app.add_typer(runs_app, name="runs")
app.add_typer(sources_app, name="sources")
app.add_typer(write_keys_app, name="write-keys")
app.add_typer(destinations_app, name="destinations")
app.add_typer(events_app, name="events")
app.command("sandbox")(sandbox)
app.command("import")(import_command)
app.command("update")(update_command)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (CARDFILE_HOST)."),
    port: int | None = typer.Option(None, help="Port to listen on (CARDFILE_PORT)."),
) -> None:
    """Apply migrations and serve the dashboard and APIs."""
    import uvicorn

    from cardfile.api.app import create_app
    from cardfile.settings import get_settings
    from cardfile.store.db import create_store_engine, migrate

    settings = get_settings()
    settings.resolved_secret_key()  # refuse to start insecurely, create the key file early
    engine = create_store_engine(settings.effective_database_url)
    migrate(engine)
    engine.dispose()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
    )


@app.command()
def worker(
    threads: int = typer.Option(4, "--threads", help="Jobs run at once by this process."),
) -> None:
    """Run background jobs (pushes, and the sweep that finds jobs left unfinished) from the
    deployment's queue until interrupted; run as many as you like, on any machines."""
    from cardfile.jobs.tasks import Jobs
    from cardfile.settings import get_settings

    settings = get_settings()
    settings.resolved_secret_key()  # refuse to start insecurely, as serve does
    jobs = Jobs(settings)
    jobs.huey.create_consumer(workers=threads, worker_type="thread").run()


@app.command()
def migrate() -> None:
    """Apply database migrations and exit."""
    from cardfile.settings import get_settings
    from cardfile.store.db import create_store_engine
    from cardfile.store.db import migrate as run_migrations

    engine = create_store_engine(get_settings().effective_database_url)
    run_migrations(engine)
    engine.dispose()
    typer.echo("database is up to date")
