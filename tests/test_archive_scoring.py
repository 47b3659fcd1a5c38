"""xray_core.archive.scoring: the batch path gives what `inference.assess` gives, per file."""

import numpy as np
import pytest
from archive_helpers import add_bad_files

from xray_core.archive.inputs import ArchiveInput, Entry
from xray_core.archive.local import iter_local_rows
from xray_core.archive.scoring import COLUMNS, Setting, load_models, prepare, score_prepared
from xray_core.io.study import load_study
from xray_core.predict.assess import assess


@pytest.fixture(scope="module")
def mixed_dir(tmp_path_factory, data_root, fullres_files):
    out = tmp_path_factory.mktemp("mixed")
    for f in fullres_files[::8] + sorted((data_root / "train" / "NORMAL").iterdir())[:4]:
        (out / f.name).symlink_to(f)
    add_bad_files(out / "odd")
    return out


@pytest.mark.parametrize("model", [None, "dense_baseline"])  # keeper = itself / the default
def test_rows_match_assess_probability_label_and_gate(mixed_dir, model):
    stored, keeper = load_models(model)
    setting = Setting.of(stored.card)
    entries = list(ArchiveInput.open(mixed_dir).entries())
    rows = [r for b in iter_local_rows(entries, stored, keeper, setting, 2, 4) for r in b]
    assert [r["path"] for r in rows] == [e.rel for e in entries]
    refused = 0
    for e, row in zip(entries, rows):
        assert list(row) == list(COLUMNS)
        if row["error"]:
            assert row["probability"] is None and row["gate"] == "" and row["label"] == ""
            continue
        ref = assess(stored, load_study(e.path), None, keeper)
        assert row["probability"] == pytest.approx(ref.prediction.probability, abs=1e-6)
        assert row["raw_probability"] == pytest.approx(ref.prediction.raw_probability, abs=1e-6)
        assert row["gate"] == ("accepted" if ref.ok else "refused")
        assert type(row["gate"]) is str  # the plain word, as CSV and Parquet store it
        assert row["gate_reason"] == (ref.gate.reason or "")
        assert row["label"] == (ref.prediction.label if ref.ok else "")
        assert row["sha256"] == load_study(e.path).digest
        refused += not ref.ok
    assert refused >= 2  # the colour photo and the blank image
    assert sum(bool(r["error"]) for r in rows) == 3


def test_prepare_never_raises_and_names_the_file(tmp_path):
    stored, keeper = load_models(None)
    p = tmp_path / "trunc.jpeg"
    p.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 50)
    got = prepare(Entry("trunc.jpeg", p), stored, keeper)
    assert got.error.startswith("trunc.jpeg: ") and "\n" not in got.error
    missing = prepare(Entry("gone.png", tmp_path / "gone.png"), stored, keeper)
    assert "no such file" in missing.error and missing.sha256 == ""
    rows = score_prepared([got, missing], stored, keeper, Setting.of(stored.card))
    assert [r["error"] != "" for r in rows] == [True, True]


def test_threshold_and_site_recorded_per_row(fullres_files):
    stored, keeper = load_models(None)
    setting = Setting.of(stored.card.updated(site="north"), threshold=0.25)
    prepared = [prepare(Entry(f.name, f), stored, keeper) for f in fullres_files[:3]]
    rows = score_prepared(prepared, stored, keeper, setting)
    for r in rows:
        assert r["threshold"] == 0.25 and r["site"] == "north"
        assert r["label"] == ("PNEUMONIA" if r["probability"] >= 0.25 else "NORMAL")
        assert r["model_sha256"] == stored.card["model_sha256"][:12]
    assert np.all(np.diff([r["probability"] for r in rows]) != 0)
