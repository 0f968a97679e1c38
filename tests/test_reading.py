"""Reading files is bounded on the stream itself: a link to /dev/zero (whose stat() says 0 bytes) is refused after
the cap, not read until memory runs out (issue 20)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fenxiao._internal.reading import TooLarge, read_capped
from fenxiao.authoring.documents import lint_file
from fenxiao.errors import ValidationError
from fenxiao.grading.tiers import TierPolicy
from fenxiao.serialization import MAX_DOCUMENT_BYTES, load


def test_the_cap_is_exact_at_its_boundary(tmp_path: Path) -> None:
    file = tmp_path / "f.json"
    file.write_bytes(b"x" * 10)
    assert read_capped(file, 10) == b"x" * 10
    with pytest.raises(TooLarge):
        read_capped(file, 9)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_an_endless_file_is_refused_after_the_cap(tmp_path: Path, suffix: str) -> None:
    link = tmp_path / f"endless{suffix}"
    link.symlink_to("/dev/zero")
    assert link.stat().st_size == 0  # what stat() claims
    with pytest.raises(ValidationError, match=f"is larger than {MAX_DOCUMENT_BYTES} bytes"):
        load(link, TierPolicy)
    result = lint_file(link)
    assert [f.code for f in result.findings] == ["too-large"]
