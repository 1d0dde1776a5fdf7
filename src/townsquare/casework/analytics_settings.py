"""What an administrator sets for the measures, as a form: the journey window, the contact gap, the time zone,
the currency, the staff cost of an hour and each channel's unit cost. Saved as data; a changed window, gap or
time zone has the analytics worker fold every journey again. Each change is audited.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics import config as config_
from townsquare.analytics.config import AnalyticsConfig
from townsquare.errors import FieldError, invalid
from townsquare.interactions.kinds import Channel
from townsquare.staff.auth import Principal

CHANNELS = [c.value for c in Channel if c is not Channel.push]


@dataclass
class SettingsForm:
    """The form as typed (strings), so a refused one is shown again unchanged."""

    window_days: str
    contact_gap_minutes: str
    timezone: str
    currency: str
    staff_cost_per_hour: str
    unit_cost_source: str
    unit_costs: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, config: AnalyticsConfig) -> SettingsForm:
        return cls(
            window_days=str(config.window_days),
            contact_gap_minutes=str(config.contact_gap_minutes),
            timezone=config.timezone,
            currency=config.currency,
            staff_cost_per_hour=f"{config.staff_cost_per_hour:.2f}",
            unit_cost_source=config.unit_cost_source,
            unit_costs={c: f"{config.unit_costs[c]:.2f}" if c in config.unit_costs else "" for c in CHANNELS},
        )


def _number(raw: str, name: str, what: str, *, whole: bool = False) -> float:
    try:
        value = int(raw) if whole else float(raw.replace(",", "."))
    except ValueError:
        kind = "a whole number" if whole else "a number such as 1.39"
        raise invalid(f"{what} must be {kind}.", FieldError(name, "not a number")) from None
    if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
        raise invalid(f"{what} must be a number.", FieldError(name, "not a number"))
    return value


def parsed(form: SettingsForm) -> AnalyticsConfig:
    """The settings the form asks for, checked; a 422 names the first field that is wrong."""
    costs = {
        channel: _number(raw.strip(), f"unit-{channel}", f"The unit cost of {channel}")
        for channel, raw in form.unit_costs.items()
        if channel in CHANNELS and raw.strip()
    }
    return config_.checked(
        AnalyticsConfig(
            window_days=int(_number(form.window_days.strip(), "window_days", "The journey window", whole=True)),
            contact_gap_minutes=int(
                _number(form.contact_gap_minutes.strip(), "contact_gap_minutes", "The contact gap", whole=True)
            ),
            timezone=form.timezone.strip(),
            currency=form.currency.strip(),
            unit_costs=costs,
            unit_cost_source=form.unit_cost_source.strip()[:300],
            staff_cost_per_hour=_number(form.staff_cost_per_hour.strip(), "staff_cost_per_hour", "The staff cost"),
        )
    )


async def current_form(session: AsyncSession) -> SettingsForm:
    return SettingsForm.of(await config_.current(session))


async def save(session: AsyncSession, *, me: Principal, form: SettingsForm) -> bool:
    """Save the settings (audited); True when every journey will be folded again. Commits."""
    config = parsed(form)
    before = await config_.current(session)
    refold = await config_.save(session, config)
    changed = {k: v for k, v in asdict(config).items() if asdict(before).get(k) != v}
    me.audit(session, action="analytics.settings_changed", subject_kind="analytics_settings", detail=changed)
    await session.commit()
    return refold
