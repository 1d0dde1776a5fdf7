"""Reading a scan's file: a PDF that only shows its pages passes (a plain open action included) and renders at the
limits' resolution; what a scan never holds is refused by name."""

from __future__ import annotations

import pytest
from pypdf.generic import ArrayObject, NameObject

from tests.support import scans
from townsquare.scans import reading


def test_a_plain_pdf_passes_and_renders_each_page() -> None:
    writer = scans.blank_pdf(2)
    page = writer.pages[0].indirect_reference
    writer._root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])  # shows page 1
    kind, pages = reading.pages(scans.written(writer), reading.Limits(dpi=72))
    assert kind == reading.PDF
    assert [p.size for p in pages] == [(595, 842), (595, 842)]
    assert {p.mode for p in pages} == {"L"}


def test_an_image_is_decoded_in_grey() -> None:
    kind, (page,) = reading.pages(scans.png(scans.typed(["Hello"])), reading.Limits())
    assert (kind, page.mode, page.size) == ("image/png", "L", scans.PAGE)


@pytest.mark.parametrize(
    ("data", "code"),
    [(scans.with_script(), "active-content"), (scans.with_attachment(), "active-content")],
)
def test_active_pdfs_are_refused_naming_what_they_hold(data: bytes, code: str) -> None:
    with pytest.raises(reading.Refused) as refused:
        reading.pages(data, reading.Limits())
    assert refused.value.code == code
    assert "a scan never does" in refused.value.reason


def test_limits_are_read_before_anything_is_rendered() -> None:
    with pytest.raises(reading.Refused) as refused:
        reading.check_pdf(scans.written(scans.blank_pdf(3)), reading.Limits(max_pages=2))
    assert (refused.value.status, refused.value.code) == (413, "too-many-pages")
