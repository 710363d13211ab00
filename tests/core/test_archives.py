"""Bounded inspection of uploaded zip archives (NF-02, NF-03): zip bombs, too many members,
unsafe names and sizes that lie are refused without inflating anything whole in memory."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from crm_core.archives import ArchiveLimits, inspect_zip
from crm_core.errors import BusinessRuleError

MiB = 1024 * 1024


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def bomb(name: str, inflated: int, extra: dict[str, bytes] | None = None) -> bytes:
    """A small archive whose member ``name`` inflates to ``inflated`` zero bytes, written in
    1 MiB blocks so building it does not hold the inflated content either."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for other, content in (extra or {}).items():
            zf.writestr(other, content)
        with zf.open(name, "w", force_zip64=True) as out:
            block = bytes(MiB)
            for _ in range(inflated // MiB):
                out.write(block)
    return buf.getvalue()


@pytest.fixture(scope="module")
def odt_bomb() -> bytes:
    """An .odt-shaped archive (about 250 KB) whose ``mimetype`` member inflates to 256 MiB."""
    return bomb("mimetype", 256 * MiB, {"content.xml": b"<x/>"})


def peak_while(call) -> tuple[int, Exception | None]:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the test inspects what was raised
        raised: Exception | None = exc
    else:
        raised = None
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, raised


def test_a_zip_bomb_is_refused_with_bounded_memory(odt_bomb, app_ctx):
    assert len(odt_bomb) < MiB
    peak, raised = peak_while(lambda: inspect_zip(odt_bomb, keep=frozenset({"mimetype"})))
    assert isinstance(raised, BusinessRuleError)
    assert str(raised) == "This archive cannot be accepted: its content is too large once uncompressed."
    assert peak < 4 * MiB


def test_a_member_compressed_far_beyond_real_documents_is_refused(app_ctx):
    data = bomb("word/document.xml", 32 * MiB)
    peak, raised = peak_while(lambda: inspect_zip(data))
    assert isinstance(raised, BusinessRuleError) and "zip bomb" in str(raised)
    assert peak < 4 * MiB


def test_a_member_whose_header_understates_its_size_is_refused(app_ctx):
    data = bytearray(zipped({"content.xml": b"<x>" + b"a" * 100_000 + b"</x>"}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")  # declared inflated size
    local = data.find(b"PK\x03\x04")
    data[local + 22 : local + 26] = (1000).to_bytes(4, "little")
    with pytest.raises(zipfile.BadZipFile):
        inspect_zip(bytes(data))


def test_the_running_budget_counts_what_members_really_inflate_to(app_ctx):
    data = zipped({f"part{i}.xml": bytes(range(256)) * 400 for i in range(4)})  # 4 × 100 KiB
    limits = ArchiveLimits(max_total_bytes=300 * 1024, ratio_floor=10 * MiB)
    with pytest.raises(BusinessRuleError, match="too large once uncompressed"):
        inspect_zip(data, limits=limits)
    assert inspect_zip(data, limits=ArchiveLimits(max_total_bytes=500 * 1024)).names == {
        f"part{i}.xml" for i in range(4)
    }


def test_too_many_members_are_refused_before_the_directory_is_read(app_ctx):
    data = zipped({f"f{i}": b"" for i in range(1_001)})
    with pytest.raises(BusinessRuleError, match="more than 1000 files inside"):
        inspect_zip(data)


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/passwd", "word\\document.xml", "a\x01b", "C:x", "x" * 300])
def test_unsafe_member_names_are_refused(app_ctx, name):
    with pytest.raises(BusinessRuleError, match="unsafe or repeated name"):
        inspect_zip(zipped({"word/document.xml": b"x", name: b"x"}))


def test_a_normal_document_passes_and_small_members_are_returned(app_ctx):
    archive = inspect_zip(zipped({"mimetype": b"application/x", "content.xml": b"<x/>" * 1000}),
                          keep=frozenset({"mimetype"}))
    assert archive.names == {"mimetype", "content.xml"}
    assert archive.small == {"mimetype": b"application/x"}
