"""Signing a member of staff in over HTTP, as the desk's sign-in form does.

Only the form: accounts come from tests.factories (whose password is PASSWORD).
"""

from __future__ import annotations

import httpx

from tests.factories import PASSWORD


async def sign_in_staff(client: httpx.AsyncClient, email: str = "wren@city.example", password: str = PASSWORD) -> None:
    """Sign `client` in as `email`, and as nobody else: any earlier sign-in's cookies are dropped first."""
    client.cookies.clear()
    response = await client.post("/desk/sign-in", data={"email": email, "password": password, "next": "/desk"})
    assert response.status_code == 303, response.text
