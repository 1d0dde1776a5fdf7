"""Email to a staff member's own address: a password-reset link, through the transactional outbox.

Staff are not residents: no template slots, no opt-outs, no plan; the words are the platform's, in the language
the person asked in. Asking answers the same whether the address is known or not (the caller shows the same page);
an unknown address queues nothing. Never commits, logs or audits the address or the link.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.notify import rendering
from townsquare.notify import service as outbox
from townsquare.settings import Settings
from townsquare.staff import passwords

RESET_PATH = "/desk/sign-in/reset/"
_WORDS = {
    "en": (
        "Reset your password for {brand}",
        "Someone asked to reset the password of your {brand} desk account. To choose a new password, open this "
        "link within {minutes} minutes. It works once.\n\nIf it was not you, ignore this message: your password "
        "stays as it is.",
    ),
    "fr": (
        "Réinitialiser votre mot de passe pour {brand}",
        "Quelqu'un a demandé à réinitialiser le mot de passe de votre compte du poste de travail {brand}. Pour "
        "choisir un nouveau mot de passe, ouvrez ce lien dans les {minutes} minutes. Il ne fonctionne qu'une fois."
        "\n\nSi ce n'était pas vous, ignorez ce message : votre mot de passe reste le même.",
    ),
}


async def request_password_reset(session: AsyncSession, settings: Settings, *, email: str, language: str) -> bool:
    """Queue a reset link to the active account with this address; False (nothing queued) for any other."""
    issued = await passwords.issue_reset(session, email=email)
    if issued is None:
        return False
    account, token = issued
    subject, body = _WORDS.get(language, _WORDS["en"])
    values = {"brand": settings.brand_name, "minutes": passwords.RESET_MINUTES}
    link = settings.public_url.rstrip("/") + RESET_PATH + token
    content = rendering.Content(text=body.format(**values), subject=subject.format(**values), link=link)
    payload = rendering.render(content, "email", language=language)
    payload.update(language=language, auto_submitted=True, type="staff_password_reset")
    if settings.email_from_address:
        payload["from"] = settings.email_from_address
    await outbox.enqueue(
        session,
        channel="email",
        recipient=account.email,
        payload=payload,
        idempotency_key=f"staff-password-reset:{passwords.token_digest(token)}",
    )
    return True
