"""The ``boardroom`` command-line tool: the user's entry point."""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from boardroom import embedded_postgres
from boardroom.bi.cli import bi_app
from boardroom.database import DatabaseUnavailable
from boardroom.demo.spec import DemoSpec
from boardroom.settings import ConfigurationError, Settings

app = typer.Typer(
    help="Boardroom: tenant-isolated executive marts and board packs from PostHog and Postgres.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Manage the embedded Postgres server (used when no URL is set).")
app.add_typer(db_app, name="db")
app.add_typer(bi_app, name="bi")

console = Console()
err_console = Console(stderr=True)


def _yesterday() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigurationError as exc:
        _fail(str(exc))


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=2)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


#: Asset groups the demo runs for its newest day only (rendering is per day and slow).
DEMO_PACK_GROUPS = ("packs",)

TenantsOption = Annotated[int, typer.Option(min=1, help="Number of tenants to generate.")]
DaysOption = Annotated[int, typer.Option(min=1, help="Days of history, ending on --end-date.")]
SeedOption = Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")]
EndDateOption = Annotated[
    datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help="Last generated day (UTC). Default: yesterday."),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Allow writing demo data to a configured (non-embedded) app database or PostHog.",
    ),
]


@app.command()
def generate(
    tenants: TenantsOption = 12,
    days: DaysOption = 30,
    seed: SeedOption = 7,
    end_date: EndDateOption = None,
    force: ForceOption = False,
) -> None:
    """Generate deterministic demo data: operational rows into `app`, events into PostHog."""
    from boardroom.cli.demo_setup import generate_demo

    settings = _settings()
    _guard_demo_targets(settings, force)
    spec_end = end_date.date() if end_date else _yesterday()
    try:
        summary = generate_demo(settings, tenants=tenants, days=days, seed=seed, end_date=spec_end)
    except DatabaseUnavailable as exc:
        _fail(str(exc))
    _print_summary(summary)


@app.command()
def demo(
    tenants: TenantsOption = 12,
    days: DaysOption = 30,
    seed: SeedOption = 7,
    end_date: EndDateOption = None,
) -> None:
    """Run the demo end to end on the embedded server and the local PostHog stand-in."""
    from boardroom.cli.demo_setup import generate_demo

    settings = _settings()
    _guard_demo_targets(settings, force=False)
    spec_end = end_date.date() if end_date else _yesterday()
    console.rule("[bold]Boardroom demo")
    console.print(f"data folder: {settings.data_dir}")
    try:
        summary = generate_demo(settings, tenants=tenants, days=days, seed=seed, end_date=spec_end)
    except DatabaseUnavailable as exc:
        _fail(str(exc))
    _print_summary(summary)
    first = spec_end - timedelta(days=days - 1)
    console.rule("[bold]Daily pipeline over the generated days")
    # Marts for every generated day in one run; board packs for the newest day only.
    _run_pipeline(settings, first, spec_end, full_refresh=False, skip_groups=DEMO_PACK_GROUPS)
    _run_pipeline(settings, spec_end, spec_end, full_refresh=False, only_groups=DEMO_PACK_GROUPS)
    console.rule("[bold]Board packs (e-mails written as .eml files: a dry run)")
    _deliver_demo(settings, DemoSpec(seed=seed, tenants=tenants, days=days, end_date=spec_end))


def _deliver_demo(settings: Settings, spec: DemoSpec) -> None:
    """Dry-run delivery of the newest period's packs and a table of what was produced."""
    from boardroom.cli.demo_setup import deliver_demo_packs
    from boardroom.cli.runtime import open_runtime
    from boardroom.packs.render import read_manifest

    with open_runtime(settings, posthog=False) as runtime:
        folder, report = deliver_demo_packs(runtime, spec)
    table = Table(title=f"Board packs in {folder}")
    for column in ("tenant", "locale", "scope", "pages", "PDF"):
        table.add_column(column, justify="right" if column == "pages" else "left")
    for pack in read_manifest(folder):
        table.add_row(
            pack.tenant_id or "(platform)", pack.locale, pack.scope, str(pack.pages), pack.pdf
        )
    console.print(table)
    console.print(f"e-mails: {report.summary()}; .eml files in {folder.parent / 'outbox'}")


def _guard_demo_targets(settings: Settings, force: bool) -> None:
    """Demo data truncates `app` tables: never do that to a real database by accident."""
    if force:
        return
    if settings.app_database_url:
        _fail(
            "BOARDROOM_APP_DATABASE_URL is set: generating demo data would replace the rows of "
            "its `app` tables. Unset it to use the embedded server, or pass --force."
        )
    if not settings.uses_local_posthog:
        _fail(
            "POSTHOG_HOST is set: demo events would be sent to that PostHog project. "
            "Unset it to use the local stand-in, or pass --force."
        )


def _print_summary(summary: list[tuple[str, str, str]]) -> None:
    table = Table(title="Generated demo data", show_lines=False)
    table.add_column("section")
    table.add_column("item")
    table.add_column("count", justify="right")
    previous = None
    for section, item, value in summary:
        table.add_row(section if section != previous else "", item, value)
        previous = section
    console.print(table)


@app.command("run")
def run_command(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="As-of day to run (YYYY-MM-DD, UTC). Default: yesterday."),
    ] = None,
    from_day: Annotated[
        str | None,
        typer.Option("--from", help="First as-of day of a range, run as one run (with --to)."),
    ] = None,
    to_day: Annotated[
        str | None,
        typer.Option("--to", help="Last as-of day of the range (default: yesterday)."),
    ] = None,
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh",
            help="Re-extract every source row and rebuild the marts' history from scratch.",
        ),
    ] = False,
    tenant: Annotated[
        list[str] | None,
        typer.Option(
            "--tenant",
            help="Publish and render board packs for this tenant only (repeatable); other "
            "tenants' published rows stay untouched.",
        ),
    ] = None,
) -> None:
    """Run the daily pipeline (ingestion, marts, checks) for an as-of day, in this process.

    The run is recorded in the Dagster instance, so it also shows in `boardroom dev`.
    """
    from boardroom.cli.pipeline_run import PipelineInputError, check_window, parse_day

    try:
        if as_of is not None and (from_day is not None or to_day is not None):
            raise PipelineInputError("use either --as-of or --from/--to, not both.")
        if from_day is None and to_day is not None:
            raise PipelineInputError("--to needs --from.")
        if from_day is not None:
            first = parse_day(from_day, "--from")
            last = parse_day(to_day, "--to") if to_day is not None else _yesterday()
        else:
            first = last = parse_day(as_of) if as_of is not None else _yesterday()
        check_window(first, last)
    except (PipelineInputError, ConfigurationError) as exc:
        _fail(str(exc))
    _run_pipeline(_settings(), first, last, full_refresh=full_refresh, tenants=tenant or None)


def _run_pipeline(
    settings: Settings,
    first: date,
    last: date,
    *,
    full_refresh: bool,
    skip_groups: tuple[str, ...] = (),
    only_groups: tuple[str, ...] | None = None,
    tenants: list[str] | None = None,
) -> None:
    """Run ``daily_pipeline_job`` over [first, last], print the summary, exit 1 on failure."""
    from boardroom.cli.pipeline_run import PipelineInputError, print_report, run_pipeline
    from boardroom.cli.runtime import open_runtime

    verbose = logging.getLogger().isEnabledFor(logging.INFO)
    try:
        with open_runtime(settings) as runtime:
            report = run_pipeline(
                runtime,
                first,
                last,
                full_refresh=full_refresh,
                verbose=verbose,
                console=console,
                skip_groups=skip_groups,
                only_groups=only_groups,
                tenants=tenants,
            )
    except (DatabaseUnavailable, PipelineInputError, ConfigurationError) as exc:
        _fail(str(exc))
    if not report.assets:
        return
    print_report(report, console)
    if not report.success:
        err_console.print(report.failure_paragraph(), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1)


@app.command("posthog-local")
def posthog_local(
    port: Annotated[int, typer.Option(help="Port to listen on (loopback only).")] = 8010,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
) -> None:
    """Run the local PostHog stand-in in the foreground (Ctrl-C stops it)."""
    from boardroom.posthog_local import PostHogLocal

    settings = _settings()
    server = PostHogLocal(
        settings.posthog_data_dir,
        project_id=settings.posthog_project_id,
        project_api_key=settings.posthog_project_api_key,
        personal_api_key=settings.posthog_personal_api_key,
        host=host,
        port=port,
    )
    console.print(
        f"PostHog stand-in for project {settings.posthog_project_id} on http://{host}:{port} "
        f"(data in {settings.posthog_data_dir}); Ctrl-C to stop"
    )
    server.serve_forever()


@app.command()
def dev(
    port: Annotated[int, typer.Option(help="Port of the Dagster UI.")] = 3000,
) -> None:
    """Open the Dagster UI with every asset, check, schedule and sensor loaded (Ctrl-C stops it)."""
    from boardroom.cli.dev_server import dev_command, run_dev
    from boardroom.cli.runtime import child_environment, open_runtime
    from boardroom.partitions_start import ensure_start
    from boardroom.paths import WORKSPACE_FILE

    try:
        with open_runtime(_settings()) as runtime:
            ensure_start(runtime)
            env = child_environment(runtime)
            console.print(
                f"Dagster UI on http://127.0.0.1:{port} (PostHog: {runtime.posthog_host}); "
                "Ctrl-C stops it"
            )
            command = dev_command(WORKSPACE_FILE, port)
            code = run_dev(command, env, cwd=Path(env["DAGSTER_HOME"]))
    except DatabaseUnavailable as exc:
        _fail(str(exc))
    if code == 130:
        console.print("Dagster UI stopped.")
    elif code:
        err_console.print(f"[bold red]error:[/] dagster dev exited with code {code}.")
        raise typer.Exit(code=1)


@db_app.command("start")
def db_start() -> None:
    """Start (or reuse) the embedded server and create the app, warehouse and dagster databases."""
    settings = _settings()
    try:
        embedded_postgres.ensure_running(
            settings.postgres_data_dir, port=settings.embedded_postgres_port
        )
    except embedded_postgres.EmbeddedPostgresError as exc:
        _fail(str(exc))
    db_status()


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded server cleanly."""
    settings = _settings()
    if embedded_postgres.stop(settings.postgres_data_dir):
        console.print("embedded Postgres stopped")
    else:
        console.print("embedded Postgres was not running")


@db_app.command("status")
def db_status() -> None:
    """Say whether the embedded server is running, where it listens and how to connect."""
    from boardroom.bi.connection import bi_endpoint

    settings = _settings()
    where = embedded_postgres.address(settings.postgres_data_dir)
    if where is None:
        console.print(
            f"embedded Postgres stopped (data in {settings.postgres_data_dir}); "
            "`boardroom db start` starts it"
        )
        return
    endpoint = bi_endpoint(Settings(data_dir=settings.data_dir))
    assert endpoint is not None
    console.print(f"embedded Postgres running (data in {settings.postgres_data_dir})")
    console.print(f"  host      {endpoint.host}")
    console.print(f"  port      {endpoint.port}  (TCP: password logins, scram-sha-256)")
    console.print(
        f"  socket    {where.socket_dir}  (superuser postgres, this machine only)", soft_wrap=True
    )
    console.print(f"  databases {', '.join(embedded_postgres.DATABASES)}")
    console.print(f"  psql      psql '{endpoint.psql_url_template()}'", soft_wrap=True)
    console.print(f"  JDBC      {endpoint.jdbc_url()}", soft_wrap=True)
    console.print("  BI logins `boardroom bi add-reader --tenant <id> --login <name>`")


@app.command()
def config() -> None:
    """Show the configuration in effect, secrets masked."""
    settings = _settings()
    table = Table(title="Boardroom configuration")
    table.add_column("setting")
    table.add_column("value")
    for key, value in settings.describe().items():
        table.add_row(key, value)
    console.print(table)


def run() -> None:  # pragma: no cover - console entry point convenience
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    app()
