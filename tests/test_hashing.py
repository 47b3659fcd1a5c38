"""The one hashing helper, checked against hashlib's known sha256 of b"abc"."""

import pytest

from xray_core.io.hashing import sha256_bytes, sha256_file, sha256_text

ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2 example


def test_sha256_of_bytes_text_and_file(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    assert sha256_bytes(b"abc") == sha256_text("abc") == sha256_file(path) == ABC


def test_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        sha256_file(tmp_path / "nope")
