"""The `townsquare` command: serve, run the demo city, upgrade the database, create staff and API keys.

Every command reads the same TOWNSQUARE_* settings; none of them prints a secret except the one it creates.
"""

from __future__ import annotations

import asyncio
import csv
import getpass
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare import logs, migrations
from townsquare.agencies import service as agencies
from townsquare.analytics.open_data.export import ExportReport, export
from townsquare.cli_catalogue import catalogue_cli
from townsquare.cli_linking import linking_cli
from townsquare.cli_serve import hold_database, run_server, serve, worker
from townsquare.content import knowledge as content_knowledge
from townsquare.content.files import ContentInvalid, ImportReport
from townsquare.db import Database
from townsquare.demo.reports import open311_instructions
from townsquare.demo.seed import DemoSummary, seed
from townsquare.errors import Problem
from townsquare.events import EventBus
from townsquare.interactions.storage import AttachmentStore
from townsquare.notify.letters.schedule import run_batch
from townsquare.notify.letters.views import BatchView
from townsquare.places import service as places
from townsquare.routing import agents as routing_agents
from townsquare.settings import Settings, get_settings
from townsquare.sharing import records
from townsquare.sharing.records import ImportResult
from townsquare.staff import service as staff
from townsquare.staff import sign_in
from townsquare.staff.models import ApiKeyScope, StaffRole

cli = typer.Typer(help="Townsquare: omnichannel citizen service.", no_args_is_help=True, add_completion=False)
db_cli = typer.Typer(help="Database migrations.", no_args_is_help=True)
staff_cli = typer.Typer(help="Staff accounts.", no_args_is_help=True)
key_cli = typer.Typer(help="Integration API keys.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(staff_cli, name="staff")
cli.add_typer(key_cli, name="api-key")
places_cli = typer.Typer(help="The address register.", no_args_is_help=True)
cli.add_typer(places_cli, name="places")
cli.add_typer(catalogue_cli, name="catalogue")
knowledge_cli = typer.Typer(help="The knowledge base's articles.", no_args_is_help=True)
cli.add_typer(knowledge_cli, name="knowledge")
records_cli = typer.Typer(help="What agencies hold about people (tell us once).", no_args_is_help=True)
cli.add_typer(records_cli, name="agency-records")
cli.add_typer(linking_cli, name="records")
open_data_cli = typer.Typer(help="The public open data files (docs/open-data.md).", no_args_is_help=True)
cli.add_typer(open_data_cli, name="open-data")


cli.command()(serve)
cli.command()(worker)


@cli.command()
def demo(
    reset: bool = typer.Option(False, help="Delete the embedded demo database first"),
    host: str | None = typer.Option(None),
    port: int | None = typer.Option(None),
) -> None:
    """Seed the demo city (once) and serve it, with every channel and the simulator on."""
    settings = demo_settings(get_settings())
    if (host or port) and "public_url" not in settings.model_fields_set:
        settings = settings.model_copy(update={"public_url": f"http://{host or settings.host}:{port or settings.port}"})
    settings = demo_mastodon(demo_twilio(settings))
    logs.configure(level=settings.log_level, json=settings.log_format == "json")
    held = hold_database(settings)  # one process on the demo's SQLite file
    url = make_url(settings.database_url)
    if reset and url.get_backend_name() == "sqlite" and url.database:
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)
    typer.echo("Preparing the demo city: database migrations, then the city itself (first start only)")
    migrations.upgrade(settings.database_url)
    summary = asyncio.run(_seed(settings))
    where = f"http://{host or settings.host}:{port or settings.port}"
    typer.echo("")
    typer.echo("Townsquare demo city" + (" seeded" if summary.seeded else " (already seeded; --reset to start over)"))
    if summary.seeded:
        typer.echo(f"  {summary.citizens} citizens, {summary.cases} cases, {summary.interactions} touchpoints")
        typer.echo(f"  {summary.touches} touches folded into {summary.journeys} journeys for the dashboards")
    typer.echo(f"  Start page:  {where}/")
    typer.echo(f"  Staff desk:  {where}/desk/sign-in")
    typer.echo(f"  Analytics:   {where}/desk/analytics  (a supervisor or an administrator)")
    typer.echo(f"  Simulator:   {where}/simulator  (a resident on every door: text, call, email, chat, social,")
    typer.echo("               an office's kiosk and display, a letter to scan)")
    typer.echo(f"  SMTP server: {settings.smtp_host}:{settings.smtp_port}  (mail to the agency addresses)")
    typer.echo(f"  API docs:    {where}/docs")
    for line in open311_instructions(where):
        typer.echo(line)
    typer.echo("  Demo staff accounts (email / role / password):")
    for email, role, password in summary.staff:
        typer.echo(f"    {email:32} {role:11} {password}")
    typer.echo(f"  Administrators then give a one-time code: {where}/simulator/authenticator shows it")
    typer.echo("")
    run_server(settings, host, port)
    if held is not None:
        held.release()


DEMO_CHANNELS = {
    "simulator": True,
    "smtp_port": 2525,
    "twilio_auth_token": "demo-twilio-auth-token",  # the simulator signs with it, as Twilio would
    "twilio_account_sid": "AC" + "0" * 32,
    "email_inbound_token": "demo-inbound-token",
    "voice_softphone": "demo",  # the desk's softphone is the simulator's stand-in for Twilio's Voice SDK
    # Meta's apps: the simulator signs with the app secret; replies go to its stand-in for the Graph API
    "meta_app_secret": "demo-meta-app-secret",
    "meta_verify_token": "demo-meta-verify-token",
    "meta_access_token": "demo-meta-access-token",
    "meta_phone_number_id": "106540352242922",
    "meta_page_id": "104560001234567",
    "meta_whatsapp_template": "townsquare_reply",
    "meta_human_agent_tag": True,
    "mastodon_access_token": "demo-mastodon-token",  # the simulator's stand-in Mastodon server checks it
    "mastodon_poll_seconds": 5.0,
    "ivr_appointments": "service-centre/DL-RENEW",  # press 5 on the phone menu: the service centre's licence renewals
}


def demo_settings(settings: Settings) -> Settings:
    """The demo's channel settings, for whatever the environment did not set itself."""
    if settings.env == "production":
        raise typer.BadParameter("the demo does not run with TOWNSQUARE_ENV=production")
    missing = {k: v for k, v in DEMO_CHANNELS.items() if k not in settings.model_fields_set}
    return settings.model_copy(update=missing)


def demo_twilio(settings: Settings) -> Settings:
    """Call control goes to the simulator's stand-in for Twilio's REST API, and replies on Meta's apps to its
    stand-in for the Graph API, unless the environment names them."""
    base = settings.public_url.rstrip("/")
    stand_ins = {
        "twilio_api_base_url": f"{base}/simulator/twilio",
        "meta_graph_base_url": f"{base}/simulator/meta/graph",
    }
    return settings.model_copy(update={k: v for k, v in stand_ins.items() if k not in settings.model_fields_set})


def demo_mastodon(settings: Settings) -> Settings:
    """The city's mentions are read from the simulator's stand-in Mastodon server, unless the environment names one."""
    if "mastodon_base_url" in settings.model_fields_set:
        return settings
    return settings.model_copy(update={"mastodon_base_url": settings.public_url.rstrip("/") + "/simulator/mastodon"})


async def _seed(settings: Settings) -> DemoSummary:
    """Seed with a progress bar per step on a terminal, a line per step otherwise (a log, CI)."""
    db = Database(settings.database_url, EventBus())
    columns = (TextColumn("  {task.description:<40}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, transient=False, disable=not sys.stdout.isatty()) as bars:

            def step(label: str, total: int) -> Callable[[int], None]:
                if bars.disable:
                    typer.echo(f"  {label} ({total})")
                task = bars.add_task(label, total=total)
                return lambda done: bars.advance(task, done)

            return await seed(db, prefix=settings.case_reference_prefix, settings=settings, progress=step)
    finally:
        await db.dispose()


@db_cli.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: head)."""
    settings = get_settings()
    migrations.upgrade(settings.database_url, revision)
    typer.echo(f"Database at {make_url(settings.database_url).render_as_string(hide_password=True)} is up to date.")


@staff_cli.command("create")
def staff_create(
    email: str = typer.Option(..., help="Sign-in email"),
    name: str = typer.Option(..., help="Name shown to colleagues"),
    role: StaffRole = typer.Option(StaffRole.agent, help="agent, supervisor or admin"),
    agency: list[str] = typer.Option([], help="Agency slug (repeat for several)"),
    password: str | None = typer.Option(None, help="Leave out to be asked without echo"),
) -> None:
    """Create a staff account."""
    secret = password or getpass.getpass("Password (12+ characters): ")

    async def run() -> str:
        settings = get_settings()
        db = Database(settings.database_url, EventBus())
        try:
            async with db.session() as session:
                ids = [(await agencies.get_agency(session, slug=slug)).id for slug in agency]
                account = await staff.create_staff(
                    session, email=email, display_name=name, password=secret, role=role, agency_ids=ids
                )
                # Offline with default capacity, so a supervisor can set skills and languages before day one.
                await routing_agents.ensure_agent(session, staff_id=account.id)
                await session.commit()
                return str(account.id)
        finally:
            await db.dispose()

    typer.echo(f"Created staff account {asyncio.run(run())} for {email}.")


@staff_cli.command("unlock")
def staff_unlock(email: str = typer.Option(..., help="Sign-in email of the locked account")) -> None:
    """Unlock a staff account that repeated failed sign-ins locked (audited as done from the command line)."""

    async def run() -> bool | None:
        settings = get_settings()
        db = Database(settings.database_url, EventBus())
        try:
            async with db.session() as session:
                account = await sign_in.find(session, email=email)
                if account is None:
                    return None
                was_locked = account.locked_at is not None
                actor = f"cli:{_operator()}"[:64]
                await sign_in.unlock(session, staff_id=account.id, actor_kind="system", actor_id=actor)
                await session.commit()
                return was_locked
        finally:
            await db.dispose()

    was_locked = asyncio.run(run())
    if was_locked is None:
        typer.echo(f"Error: no staff account signs in as {email}.", err=True)
        raise typer.Exit(1)
    if was_locked:
        typer.echo(f"Unlocked {email}: the next sign-in with the right password works.")
    else:
        typer.echo(f"{email} was not locked; its count of failed sign-ins starts again from zero.")


def _operator() -> str:
    """Who ran the command, for the audit log (the account on this machine)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@key_cli.command("create")
def api_key_create(
    name: str = typer.Option(..., help="Who the key is for"),
    agency: str | None = typer.Option(None, help="Limit the key to one agency (slug)"),
    scope: ApiKeyScope = typer.Option(
        ApiKeyScope.api, help="api: the REST API; open311: an Open311 integrator (requests and updates only)"
    ),
    contact: str = typer.Option("", help="Who runs the integration (shown to admins)"),
) -> None:
    """Issue an integration API key and print it once."""

    async def run() -> str:
        settings = get_settings()
        db = Database(settings.database_url, EventBus())
        try:
            async with db.session() as session:
                agency_id = (await agencies.get_agency(session, slug=agency)).id if agency else None
                key, _ = await staff.create_api_key(
                    session, name=name, agency_id=agency_id, scope=scope, contact=contact
                )
                await session.commit()
                return key
        finally:
            await db.dispose()

    typer.echo(asyncio.run(run()))


@cli.command("print-batch")
def print_batch(
    day: str | None = typer.Option(None, help="The day to batch (YYYY-MM-DD, UTC); today by default"),
) -> None:
    """Put every letter waiting into one print batch (a ZIP of PDFs and manifest.csv) for the print supplier."""
    try:
        chosen = date.fromisoformat(day) if day else None
    except ValueError:
        typer.echo(f"Error: {day!r} is not a day like 2026-12-04.", err=True)
        raise typer.Exit(2) from None

    async def run() -> BatchView | None:
        settings = get_settings()
        db = Database(settings.database_url, EventBus())
        try:
            return await run_batch(db, AttachmentStore(settings.attachments_dir), chosen)
        finally:
            await db.dispose()

    made = asyncio.run(run())
    if made is None:
        typer.echo("No letter is waiting; no batch was made.")
        return
    path = AttachmentStore(get_settings().attachments_dir).path_for(made.zip_sha256)
    typer.echo(f"Batch {made.filename}: {made.letter_count} letter(s), {path}")


@open_data_cli.command("export")
def open_data_export() -> None:
    """Write the open data files now (the app also writes them daily at TOWNSQUARE_OPEN_DATA_EXPORT_TIME)."""

    async def run() -> ExportReport:
        settings = get_settings()
        db = Database(settings.database_url, EventBus())
        try:
            return await export(db, settings)
        finally:
            await db.dispose()

    report = asyncio.run(run())
    counts = ", ".join(f"{name}: {rows} rows" for name, rows in report.rows.items())
    typer.echo(f"Open data written to {report.folder} ({counts}).")


PLACE_COLUMNS = ("address_id", "address", "lat", "long")


@places_cli.command("import")
def places_import(
    file: Path = typer.Argument(..., help="CSV with a header: address_id,address,lat,long[,zipcode]"),
) -> None:
    """Add or update addresses of the register from a CSV file (by address_id); all or nothing."""

    async def run(rows: csv.DictReader[str]) -> int:
        settings = get_settings()
        db = Database(settings.database_url, EventBus())
        try:
            async with db.session() as session:
                count = await places.import_rows(session, rows)
                await session.commit()
                return count
        finally:
            await db.dispose()

    try:
        handle = file.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        typer.echo(f"Error: cannot open {file}: {error.strerror or error}", err=True)
        raise typer.Exit(2) from error
    with handle:
        try:
            reader = csv.DictReader(handle)
            missing = [c for c in PLACE_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                columns = ",".join(PLACE_COLUMNS)
                typer.echo(f"Error: the first line must name the columns {columns}[,zipcode]", err=True)
                typer.echo(f"  missing: {', '.join(missing)}", err=True)
                raise typer.Exit(2)
            count = asyncio.run(run(reader))
        except (UnicodeDecodeError, csv.Error) as error:
            typer.echo(f"Error: {file} is not a UTF-8 CSV file ({error}); nothing imported.", err=True)
            raise typer.Exit(2) from error
        except Problem as problem:
            note = "rows are counted from the line after the header"
            typer.echo(f"Nothing imported ({note}). {problem.detail}", err=True)
            raise typer.Exit(1) from problem
    typer.echo(f"Imported {count} address{'es' if count != 1 else ''} into the register.")


@records_cli.command("import")
def agency_records_import(
    agency: str = typer.Argument(..., help="The agency's slug: whose records these are"),
    file: Path = typer.Argument(..., help="CSV: record_id,last_updated[,email][,phone], then attribute columns"),
) -> None:
    """Put an agency's records from a CSV file, all or nothing (the same checks as the API's import)."""

    async def run(text: str) -> ImportResult:
        settings = get_settings()
        db = Database(settings.database_url, EventBus())
        try:
            async with db.session() as session:
                owner = await agencies.get_agency(session, slug=agency)
                provenance = {"via": "cli", "file": file.name, "operator": _operator()}
                result = await records.import_csv(session, owner, text, source=f"file {file.name}",
                                                   provenance=provenance, region=settings.default_region)  # fmt: skip
                staff.audit(session, actor_kind="system", actor_id=_operator(), action="agency_record.import",
                            subject_kind="agency", subject_id=str(owner.id), agency_id=owner.id,
                            detail=asdict(result), purpose="townsquare agency-records import")  # fmt: skip
                await session.commit()
                return result
        finally:
            await db.dispose()

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"Error: cannot read {file} as UTF-8 text: {error}", err=True)
        raise typer.Exit(2) from error
    try:
        result = asyncio.run(run(text))
    except Problem as problem:
        typer.echo(f"Nothing imported. {problem.detail}", err=True)
        for wrong in problem.errors:
            typer.echo(f"  {wrong.field}: {wrong.message}", err=True)
        raise typer.Exit(1) from problem
    typer.echo(
        f"{result.created} record(s) created, {result.updated} updated; {result.linked} linked to a person, "
        f"{result.unmatched} naming no one who proved an identifier, {result.ambiguous} naming more than one."
    )


DRY_RUN_HELP = "Report what would change without writing anything"


@knowledge_cli.command("import")
def knowledge_import(
    directory: Path = typer.Argument(..., help="A directory of articles (*.md with TOML front matter)"),
    author: str | None = typer.Option(None, help="Staff email to write the versions as (default: each agency's)"),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
) -> None:
    """Publish new and changed articles from Markdown files, keeping each article's versions; all or nothing."""
    _run_import(
        "knowledge",
        lambda session: content_knowledge.import_knowledge(session, directory, author_email=author),
        dry_run,
    )


def _run_import(what: str, work: Callable[[AsyncSession], Awaitable[ImportReport]], dry_run: bool) -> None:
    """Run one import in one transaction: committed, or rolled back for a dry run or at the first refusal."""

    async def run() -> ImportReport:
        settings = get_settings()
        db = Database(settings.database_url, EventBus())
        try:
            async with db.session() as session:
                report = await work(session)
                if dry_run:
                    await session.rollback()
                else:
                    await session.commit()
                return report
        finally:
            await db.dispose()

    try:
        report = asyncio.run(run())
    except ContentInvalid as invalid:
        typer.echo(f"Nothing imported: {len(invalid.errors)} problem(s) to correct.", err=True)
        for error in invalid.errors:
            typer.echo(f"  {error}", err=True)
        raise typer.Exit(1) from invalid
    except (Problem, IntegrityError) as error:
        detail = error.detail if isinstance(error, Problem) else "a value clashes with one already in the database"
        typer.echo(f"Nothing imported: {detail}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Dry run of the {what} import, nothing written:" if dry_run else f"Imported the {what}:")
    for line in report.lines():
        typer.echo(line)
    if not report.changed:
        typer.echo("  Nothing to change: the database already says what the files say.")


def main() -> None:
    cli()
