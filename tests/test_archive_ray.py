"""The Ray engine (local mode) gives the local engine's rows: probabilities within 1e-6."""

import sys
from pathlib import Path

import pytest
from archive_helpers import add_bad_files, link_images

from xray_core.archive.sink import read_rows
from xray_core.cli.main import main


def test_a_stale_cluster_file_does_not_stop_the_local_engine(monkeypatch):
    """A crashed local cluster leaves its address in RAY_TMPDIR/ray/ray_current_cluster; Ray's
    plain init would join it and refuse num_cpus. The engine starts its own cluster."""
    import shutil
    import tempfile

    import ray

    from xray_core.archive.ray_engine import start_ray

    tmp = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # short: Ray's socket paths are limited
    try:
        (Path(tmp) / "ray").mkdir()
        (Path(tmp) / "ray" / "ray_current_cluster").write_text("127.0.0.1:6399\n")
        monkeypatch.setenv("RAY_TMPDIR", tmp)
        monkeypatch.delenv("RAY_ADDRESS", raising=False)
        assert not ray.is_initialized()
        start_ray(1)
        assert ray.cluster_resources().get("CPU") == 1
    finally:
        ray.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def ray_local():
    import ray

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_and_local_rows_agree(ray_local, tiny_store, data_root, tmp_path):
    link_images(data_root, tmp_path / "in", 12)
    add_bad_files(tmp_path / "in" / "odd")
    outs = {}
    for engine in ("local", "ray"):
        outs[engine] = tmp_path / f"{engine}.csv"
        code = main(
            [
                "--store",
                str(tiny_store),
                "score",
                str(tmp_path / "in"),
                "--out",
                str(outs[engine]),
                "--engine",
                engine,
                "--batch-size",
                "7",
                "--workers",
                "2",
            ]
        )
        assert code == 2  # the bad files
    local = {r["path"]: r for r in read_rows(outs["local"])}
    ray_rows = {r["path"]: r for r in read_rows(outs["ray"])}
    assert set(local) == set(ray_rows) and len(local) == 29
    for path, a in local.items():
        b = ray_rows[path]
        for key in (
            "sha256",
            "label",
            "threshold",
            "model",
            "model_sha256",
            "gate",
            "gate_reason",
            "error",
            "true_label",
            "site",
        ):
            assert a[key] == b[key], (path, key)
        for key in ("probability", "raw_probability"):
            if a[key]:
                assert float(a[key]) == pytest.approx(float(b[key]), abs=1e-6)


def test_local_engine_never_imports_ray():
    import subprocess

    code = (
        "import sys; from xray_core.archive import run, local, scoring, sink; "
        "from xray_core.cli import score, site; from xray_core.site import report; "
        "print('ray' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
