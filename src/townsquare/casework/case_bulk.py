"""One action on many cases from the case list: assign them (to a person or a team), move them to a status, or
add a note to each. Every case gets its own timeline entry and audit row, as if done one by one.

All or nothing: if one of the cases cannot take the action (another agency's, a status its workflow does not
allow, a person not on its agency), nothing changes and the answer names that case and why; the caller's
transaction is rolled back by the page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases.models import Case, CaseStatus
from townsquare.casework import cases as casework
from townsquare.casework import desk
from townsquare.errors import FieldError, Problem, invalid
from townsquare.interactions import service as interactions
from townsquare.routing import teams
from townsquare.settings import Settings
from townsquare.staff.auth import Principal

MAX_CASES = 200
ACTIONS = ("assign", "status", "note")


@dataclass(frozen=True)
class BulkAction:
    """What to do: `assign` to `assignee` ("me", "none", "team:<id>" or a staff id), `status` to `status` with
    `note`, or `note` (`note` on each case's timeline)."""

    action: str
    assignee: str = ""
    status: str = ""
    note: str = ""


async def apply(
    session: AsyncSession, *, settings: Settings, me: Principal, references: list[str], what: BulkAction
) -> list[str]:
    """Do `what` to every case named; returns their references. Raises a 422 naming the first that cannot."""
    chosen = sorted({r.strip().upper()[:40] for r in references if r.strip()})
    if not chosen:
        raise invalid("Tick the cases to act on first.", FieldError("case", "none chosen"))
    if len(chosen) > MAX_CASES:
        raise invalid(f"Act on at most {MAX_CASES} cases at a time.", FieldError("case", "too many"))
    if what.action not in ACTIONS:
        raise invalid("Choose what to do with the cases.", FieldError("action", "assign, status or note"))
    found = {c.reference: c for c in (await session.execute(select(Case).where(Case.reference.in_(chosen)))).scalars()}
    for reference in chosen:
        case = found.get(reference)
        if case is None or not me.may_see(case.agency_id):
            raise invalid(f"No case has the reference {reference}.", FieldError("case", reference))
    for reference in chosen:
        try:
            await _one(session, settings, me, found[reference], what)
        except Problem as problem:
            raise Problem(
                422, "Not done", f"Nothing was changed: case {reference} could not be: {problem.detail}", "bulk-refused"
            ) from problem
    return chosen


async def _one(session: AsyncSession, settings: Settings, me: Principal, case: Case, what: BulkAction) -> None:
    if what.action == "assign":
        await _assign(session, me, case, what.assignee)
    elif what.action == "status":
        try:
            target = CaseStatus(what.status)
        except ValueError:
            raise invalid("Choose the new status.", FieldError("status", "unknown status")) from None
        await casework.change_status(session, settings=settings, actor=me, case=case, status=target, note=what.note)
    else:
        await _note(session, me, case, what.note)


async def _assign(session: AsyncSession, me: Principal, case: Case, assignee: str) -> None:
    if assignee.startswith("team:"):
        try:
            team_id = uuid.UUID(assignee.removeprefix("team:"))
        except ValueError:
            raise invalid("Choose a team.", FieldError("assignee", "not a team")) from None
        team = await teams.get(session, team_id=team_id)
        if team is None or team.agency_id != case.agency_id:
            raise invalid("That team is not one of the case's agency.", FieldError("assignee", "another agency"))
        await desk.assign_team(session, actor=me, case=case, team_id=team.id, team_name=team.name)
        return
    if assignee == "none":
        await desk.assign_case(session, actor=me, case=case, staff_id=None)
        if case.assigned_team_id is not None:
            await desk.assign_team(session, actor=me, case=case, team_id=None, team_name=None)
        return
    try:
        staff_id = me.id if assignee == "me" else uuid.UUID(assignee)
    except ValueError:
        raise invalid("Choose whom to assign the cases to.", FieldError("assignee", "not a staff id")) from None
    await desk.assign_case(session, actor=me, case=case, staff_id=staff_id)


async def _note(session: AsyncSession, me: Principal, case: Case, note: str) -> None:
    conversation = (
        await interactions.conversation_for_case(session, case_id=case.id, citizen_id=case.citizen_id)
        if case.citizen_id is not None
        else None
    )
    await desk.add_note(
        session,
        actor=me,
        body=note[:5000],
        conversation_id=conversation.id if conversation else None,
        citizen_id=case.citizen_id,
        case_id=case.id,
        agency_id=case.agency_id,
    )
