"""The Ray engine (local mode) gives the local engine's rows: probabilities within 1e-6."""

import sys

import pytest
from archive_helpers import add_bad_files, link_images

from xray_core.archive.sink import read_rows
from xray_core.cli import main


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
        "from xray_core import cli_score, cli_site; from xray_core.site import report; "
        "print('ray' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
