"""Creating a session with a real (tiny) model and real X-rays: scores equal the core's,
refused inputs kept and marked, bad files listed, fixed seeded order, no file names, and the
session survives its source folder being deleted. Grad-CAM of a case is cached."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image
from review_helpers import dump

from xray_core.io.study import load_study
from xray_core.predict.assess import assess
from xray_core.review import db, sources
from xray_core.review.db import ReviewError
from xray_core.review.explain import cached_heatmap, case_map, map_method
from xray_core.review.images import VIEW_MAX_SIDE
from xray_core.review.sessions import (
    case_view,
    create_session,
    get_session,
    import_errors,
    list_cases,
)


@pytest.fixture
def cases_dir(tmp_path, data_root, fullres_files):
    root = tmp_path / "cases"
    for cls in ("NORMAL", "PNEUMONIA"):
        (root / "deep" / cls).mkdir(parents=True)
        for p in sorted((data_root / "train" / cls).iterdir())[:3]:
            shutil.copy(p, root / "deep" / cls / p.name)
    shutil.copy(fullres_files[0], root / "big.jpeg")  # full resolution, unlabelled
    shutil.copy(fullres_files[0], root / "deep" / "copy_of_big.jpeg")  # a duplicate
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (256, 256, 3), dtype=np.uint8)).save(root / "photo.png")
    (root / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    return root


def create(path, cases_dir, model, name="s", seed=4, **kw):
    return create_session(path, name, sources.folder_items(cases_dir), model, seed=seed, **kw)


def test_session_from_a_folder(tmp_path, cases_dir, tiny_model):
    path = tmp_path / "r.sqlite"
    report = create(path, cases_dir, tiny_model)
    assert (report.n_cases, report.n_refused, report.n_labelled) == (8, 1, 6)
    assert len(report.errors) == 1 and "broken.png" in report.errors[0]
    assert report.duplicates == ["deep/copy_of_big.jpeg: same image as big.jpeg"]
    with db.connect(path) as con:
        session = get_session(con, "s")
        cases = {c.sha256: c for c in list_cases(con, session.id)}
        stored_errors = import_errors(con, session.id)
    assert session.threshold == tiny_model.threshold and session.seed == 4
    k = [i.name for i in sources.folder_items(cases_dir)].index("broken.png") + 1
    assert stored_errors == [report.errors[0].replace("broken.png", f"item {k}")]  # no names
    for item in sources.folder_items(cases_dir):
        if item.name in ("broken.png", "deep/copy_of_big.jpeg"):
            continue
        study = load_study(cases_dir / item.name)
        case, expected = cases[study.digest], assess(tiny_model, study)
        assert case.truth == item.label and case.file_name is None
        if item.name == "photo.png":
            assert not case.gate_ok and "colour" in case.gate_reason
            assert case.probability is None and case.ai_label is None
        else:
            assert case.probability == pytest.approx(expected.prediction.probability, abs=1e-6)
            assert case.ai_label == expected.prediction.label


def test_order_is_fixed_by_the_seed_not_the_listing(tmp_path, cases_dir, tiny_model):
    path = tmp_path / "r.sqlite"
    items = sources.folder_items(cases_dir)
    create_session(path, "a", items, tiny_model, seed=11)
    create_session(path, "b", items[::-1], tiny_model, seed=11)
    create_session(path, "c", items, tiny_model, seed=12)
    with db.connect(path) as con:
        order = {n: [c.sha256 for c in list_cases(con, get_session(con, n).id)] for n in "abc"}
    assert order["a"] == order["b"] != order["c"]
    assert sorted(order["a"]) == sorted(order["c"])


def test_names_only_when_opted_in_and_the_images_outlive_the_folder(
    tmp_path, cases_dir, tiny_model
):
    path = tmp_path / "r.sqlite"
    create(path, cases_dir, tiny_model, keep_names=True)
    shutil.rmtree(cases_dir)
    with db.connect(path) as con:
        cases = list_cases(con, 1)
        assert "big.jpeg" in {c.file_name for c in cases}
        big = next(c for c in cases if c.file_name == "big.jpeg")
        view = case_view(con, big.sha256)
    assert view.dtype == np.uint8 and max(view.shape) == VIEW_MAX_SIDE
    assert view.shape[1] > view.shape[0]  # aspect kept (the sample is landscape)


def test_refused_creation_changes_nothing(tmp_path, cases_dir, tiny_model):
    path = tmp_path / "r.sqlite"
    create(path, cases_dir, tiny_model)
    before = dump(path)
    with pytest.raises(ReviewError, match="already exists"):
        create(path, cases_dir, tiny_model)
    with pytest.raises(ReviewError, match="threshold"):
        create(path, cases_dir, tiny_model, name="t", threshold=1.5)
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    (only_bad / "x.png").write_bytes(b"nope")
    with pytest.raises(ReviewError, match="no readable image"):
        create(path, only_bad, tiny_model, name="u")
    assert dump(path) == before


def test_the_map_of_a_case_is_the_opening_method_and_is_cached(tmp_path, cases_dir, tiny_model):
    path = tmp_path / "r.sqlite"
    create(path, cases_dir, tiny_model)
    with db.connect(path) as con:
        case = list_cases(con, 1)[0]
    method = map_method(tiny_model)
    assert method == "occlusion"  # the tiny model has no benchmark: the registry's first
    assert cached_heatmap(path, "s", case.sha256, method) is None
    heat, title = case_map(path, "s", case.sha256, tiny_model)
    size = tiny_model.contract.size
    assert heat.shape == (size, size) and 0 <= heat.min() and heat.max() <= 1
    assert title == "Occlusion"
    np.testing.assert_array_equal(cached_heatmap(path, "s", case.sha256, method), heat)


@pytest.mark.parametrize("name", ["", "   ", "a\tb", "a\nb", "nul\x00", "x" * 61])
def test_session_names_have_a_length_and_character_limit(name):
    from xray_core.review.sessions import check_session_name

    with pytest.raises(ReviewError, match="1-60 printable"):
        check_session_name(name)
    assert check_session_name("  Ward 3 · März  ") == "Ward 3 · März"
