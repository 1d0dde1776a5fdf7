"""Reading raw email into the canonical message: bodies, attachments, threading, loop protection, bad bytes."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from townsquare.channels import mime
from townsquare.errors import Problem

AGENCY = "roads@city.example"


def letter(text: str = "There is a pothole on Elm St.", **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = headers.pop("From", "Jane Doe <Jane.Doe@Example.org>")
    msg["To"] = headers.pop("To", f"Roads <{AGENCY}>")
    msg["Subject"] = headers.pop("Subject", "Pothole")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(text)
    return msg


def test_a_plain_message_becomes_an_email_contact_from_the_sender() -> None:
    msg = letter(Message_ID="<m1@example.org>", Cc="friend@example.org")
    parsed = mime.parse(msg.as_bytes(), recipient=AGENCY)
    m = parsed.message
    assert m is not None
    assert parsed.bounce is None
    assert parsed.automatic is None
    assert m.needs_person is True
    assert m.external_id == "m1@example.org"
    assert m.sender is not None
    assert (m.sender.value, m.sender.display_name) == ("jane.doe@example.org", "Jane Doe")
    assert m.recipient == AGENCY
    assert m.subject == "Pothole"
    assert m.text == "There is a pothole on Elm St."
    assert m.metadata["to"] == AGENCY
    assert m.metadata["addressed_to"] == [AGENCY]
    assert m.metadata["cc"] == ["friend@example.org"]


def test_threading_headers_become_thread_refs_in_order_without_brackets() -> None:
    msg = letter(References="<a@x.org> <b@city.example>", In_Reply_To="<c@city.example>")
    m = mime.parse(msg.as_bytes(), recipient=AGENCY).message
    assert m is not None
    assert m.thread_refs == ("a@x.org", "b@city.example", "c@city.example")
    assert m.metadata["references"] == ["a@x.org", "b@city.example", "c@city.example"]


def test_no_message_id_gets_a_stable_one_from_the_bytes() -> None:
    raw = letter().as_bytes()
    first = mime.parse(raw, recipient=AGENCY).message
    again = mime.parse(raw, recipient=AGENCY).message
    other = mime.parse(letter("Something else").as_bytes(), recipient=AGENCY).message
    assert first is not None
    assert again is not None
    assert other is not None
    assert first.external_id is not None
    assert first.external_id.startswith("sha256-")
    assert first.external_id == again.external_id
    assert first.external_id != other.external_id


def test_text_is_preferred_over_html_and_attachments_include_inline_images() -> None:
    msg = letter("Plain words")
    msg.add_alternative("<p>HTML words</p>", subtype="html")
    _, html = msg.iter_parts()
    html.add_related(b"\x89PNG-inline", maintype="image", subtype="png", cid="<img1>")
    msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="../../etc/report.pdf")
    m = mime.parse(msg.as_bytes(), recipient=AGENCY).message
    assert m is not None
    assert m.text == "Plain words"
    files = {(a.filename, a.content_type, a.data) for a in m.attachments}
    assert files == {
        ("report.pdf", "application/pdf", b"%PDF-1.4"),
        ("attachment-1", "image/png", b"\x89PNG-inline"),
    }


def test_html_only_is_turned_into_text_and_kept_sanitised() -> None:
    msg = letter()
    msg.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>Hello &amp; welcome</p>"
        "<ul><li>one</li><li>two</li></ul><p><a href='https://city.example/x'>the map</a></p>"
        "<script>alert(1)</script></body></html>",
        subtype="html",
    )
    m = mime.parse(msg.as_bytes(), recipient=AGENCY).message
    assert m is not None
    assert m.text == "Hello & welcome\n\n- one\n- two\n\nthe map (https://city.example/x)"
    assert "<script>" not in m.metadata["html"]
    assert "alert" not in m.metadata["html"]
    assert "Hello &amp; welcome" in m.metadata["html"]


@pytest.mark.parametrize(
    "body",
    [
        "Yes, the hole is still there.\n\nOn Mon, 5 Jan 2026, Roads <roads@city.example> wrote:\n> Is it fixed?\n",
        "Yes, the hole is still there.\n\nOn Mon, 5 Jan 2026 at 10:00, Roads Department\n<roads@city.example> wrote:\n"
        "> Is it fixed?\n",
        "Yes, the hole is still there.\n\n> Is it fixed?\n> Tell us.\n",
        "Yes, the hole is still there.\n\n-----Original Message-----\nFrom: Roads\nIs it fixed?\n",
        "Yes, the hole is still there.\n\nLe lun. 5 janv. 2026, Roads a écrit :\n> Est-ce réparé ?\n",
    ],
)
def test_quoted_history_is_stripped_and_the_full_text_kept(body: str) -> None:
    m = mime.parse(letter(body).as_bytes(), recipient=AGENCY).message
    assert m is not None
    assert m.text == "Yes, the hole is still there."
    assert m.metadata["full_text"] == body.strip()


def test_inline_quotes_between_new_text_are_kept() -> None:
    body = "> Where is it?\nOn Elm St.\n> When?\nYesterday."
    m = mime.parse(letter(body).as_bytes(), recipient=AGENCY).message
    assert m is not None
    assert m.text == body
    assert "full_text" not in m.metadata


def test_bad_bytes_become_replacement_characters() -> None:
    raw = (
        b"From: J\xffane <jane@example.org>\r\nTo: roads@city.example\r\nSubject: caf\xe9\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nhello \xff\xfe there\r\n"
    )
    m = mime.parse(raw, recipient=AGENCY).message
    assert m is not None
    assert m.text == "hello \ufffd\ufffd there"
    assert m.subject == "caf\ufffd"
    assert m.sender is not None
    assert m.sender.display_name == "J\ufffdane"


@pytest.mark.parametrize("charset", ["x-nonsense", "rot13"])
def test_an_unknown_charset_is_read_as_utf8_rather_than_failing(charset: str) -> None:
    raw = f"From: jane@example.org\r\nContent-Type: text/plain; charset={charset}\r\n\r\n".encode() + b"caf\xc3\xa9"
    m = mime.parse(raw, recipient=AGENCY).message
    assert m is not None
    assert m.text == "café"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"To: roads@city.example\r\nSubject: hi\r\n\r\nno sender\r\n", "from"),
        (b"From: \r\n\r\nempty sender\r\n", "from"),
        (b"From: not an address\r\n\r\nhi\r\n", "from"),
        (b"From: j\xff@ex\xfe.org\r\n\r\nundecodable address\r\n", "from"),
        (b"garbage without any header", "from"),
        (
            b"From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XYZ\r\n\r\n"
            b"the boundary never comes\r\n",
            "message",
        ),
        (b"From: a@example.org\r\nContent-Type: multipart/mixed\r\n\r\nno boundary at all\r\n", "message"),
    ],
)
def test_unusable_messages_are_refused_with_a_clear_problem(raw: bytes, field: str) -> None:
    with pytest.raises(Problem) as caught:
        mime.parse(raw, recipient=AGENCY)
    assert caught.value.status == 422
    assert [e.field for e in caught.value.errors] == [field]


@pytest.mark.parametrize(
    ("headers", "envelope_sender", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, None, "auto-submitted: auto-replied"),
        ({"Precedence": "bulk"}, None, "precedence"),
        ({"Precedence": "junk"}, None, "precedence"),
        ({"X_Autoreply": "yes"}, None, "auto-reply"),
        ({"X_Autorespond": "Out of office"}, None, "auto-reply"),
        ({"List_Id": "<news.example.org>"}, None, "mailing-list"),
        ({}, "", "empty envelope sender"),
        ({"Return_Path": "<>"}, None, "empty envelope sender"),
    ],
)
def test_automatic_mail_is_recorded_without_needing_a_person(
    headers: dict[str, str], envelope_sender: str | None, reason: str
) -> None:
    parsed = mime.parse(letter(**headers).as_bytes(), recipient=AGENCY, envelope_sender=envelope_sender)
    assert parsed.automatic == reason
    assert parsed.message is not None
    assert parsed.message.metadata["automatic"] == reason  # the email policy keeps it from people
    assert parsed.message.metadata["automatic"] == reason


def test_auto_submitted_no_is_a_person() -> None:
    parsed = mime.parse(letter(Auto_Submitted="no").as_bytes(), recipient=AGENCY, envelope_sender="jane@example.org")
    assert parsed.automatic is None
    assert parsed.message is not None
    assert parsed.message.needs_person is True


def dsn(original_id: str, action: str = "failed") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        "To: roads@city.example\r\nSubject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be"
        " delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; jane@example.org\r\nAction: {action}\r\nStatus: 5.1.1\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: roads@city.example\r\nTo: jane@example.org\r\nMessage-ID: <{original_id}>\r\nSubject: Re: Pothole\r\n"
        "\r\n--B--\r\n"
    ).encode()


def test_a_delivery_status_notification_is_a_bounce_not_a_contact() -> None:
    parsed = mime.parse(dsn("ts-abc@city.example"), recipient=AGENCY)
    assert parsed.message is None
    assert parsed.bounce == mime.Bounce(("ts-abc@city.example",), failed=True)


def test_a_delay_notification_is_not_a_failure() -> None:
    parsed = mime.parse(dsn("ts-abc@city.example", action="delayed"), recipient=AGENCY)
    assert parsed.bounce is not None
    assert parsed.bounce.failed is False


def test_a_dsn_returning_the_whole_message_names_its_message_id() -> None:
    original = letter(Message_ID="<ts-full@city.example>", From="roads@city.example").as_bytes()
    raw = (
        b"From: MAILER-DAEMON@mx.example.org\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="Q"\r\n\r\n'
        b"--Q\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--Q\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; jane@example.org\r\nAction: failed\r\n\r\n"
        b"--Q\r\nContent-Type: message/rfc822\r\n\r\n" + original + b"\r\n--Q--\r\n"
    )
    parsed = mime.parse(raw, recipient=AGENCY)
    assert parsed.bounce == mime.Bounce(("ts-full@city.example",), failed=True)


def test_over_long_message_ids_are_hashed_to_fit_and_compare_the_same() -> None:
    long_id = "x" * 300 + "@example.org"
    assert mime.message_id(f"<{long_id}>") == mime.message_id(long_id)
    assert len(mime.message_id(long_id)) <= mime.MAX_ID_CHARS
    assert mime.message_ids(f"<a@b> <{long_id}>") == ["a@b", mime.message_id(long_id)]
