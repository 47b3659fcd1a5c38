"""`validate-site` and `--site` for evaluate / predict, through the CLI."""

import csv
import json

from xray_core.cli.main import main
from xray_core.store.site_profiles import load_profile, sites_dir

TARGET = ["--target-sensitivity", "0.4"]  # 4 positives suffice at 95% (the tiny set has 6)


def _validate(store, data, tmp_path, *extra):
    report = tmp_path / "site.json"
    code = main(
        [
            "--store",
            str(store),
            "validate-site",
            "--data",
            str(data),
            *TARGET,
            "--json",
            str(report),
            *extra,
        ]
    )
    return code, json.loads(report.read_text()) if report.exists() else None


def test_validate_site_folder_report_pdf_and_profile(tiny_store, small_eval_dir, tmp_path, capsys):
    pdf = tmp_path / "site.pdf"
    code, r = _validate(
        tiny_store,
        small_eval_dir,
        tmp_path,
        "--pdf",
        str(pdf),
        "--recalibrate",
        "--save-profile",
        "north",
    )
    assert code == 0
    for key in (
        "n",
        "auc",
        "auc_ci",
        "shipped_threshold",
        "proposed_threshold",
        "expected_sensitivity",
        "expected_specificity",
    ):
        assert key in r, key
    refused = sum(r["excluded"]["refused"].values())
    assert r["n"] + refused == 12 and r["model"] == "tiny"
    assert pdf.read_bytes().startswith(b"%PDF")
    out = capsys.readouterr().out
    assert "Proposed local threshold" in out and "saved site profile 'north'" in out
    profile = load_profile("north")
    assert profile["threshold"] == r["proposed_threshold"]
    assert profile["calibration"]["method"] == "platt"


def test_evaluate_and_predict_take_site(
    tiny_store, small_eval_dir, fullres_files, tmp_path, capsys
):
    assert (
        _validate(tiny_store, small_eval_dir, tmp_path, "--recalibrate", "--save-profile", "south")[
            0
        ]
        == 0
    )
    profile = load_profile("south")
    ev = tmp_path / "eval.json"
    base = ["--store", str(tiny_store)]
    assert (
        main(
            [*base, "evaluate", "--data", str(small_eval_dir), "--json", str(ev), "--site", "south"]
        )
        == 0
    )
    r = json.loads(ev.read_text())
    assert r["threshold"] == profile["threshold"] and r["model"] == "tiny"
    capsys.readouterr()
    main([*base, "predict", str(fullres_files[0]), "--json", "--site", "south", "--no-gate"])
    row = json.loads(capsys.readouterr().out.strip())
    assert row["threshold"] == profile["threshold"]
    from xray_core.stats.calibration import apply_calibration

    expected = apply_calibration([row["raw_probability"]], profile["calibration"])[0]
    assert abs(row["probability"] - expected) < 1e-9
    # a profile made for another model file is refused with a clear message
    path = sites_dir() / "south.json"
    path.write_text(json.dumps({**profile, "model_sha256": "f" * 64}))
    assert main([*base, "predict", str(fullres_files[0]), "--site", "south"]) == 1
    assert "belongs to model tiny (sha256 ffffffffffff)" in capsys.readouterr().err


def test_validate_site_from_scored_archive_with_labels(
    tiny_store, small_eval_dir, tmp_path, capsys
):
    out = tmp_path / "scored.parquet"
    main(["--store", str(tiny_store), "score", str(small_eval_dir), "--out", str(out)])
    labels = tmp_path / "labels.csv"
    with open(labels, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "label"])
        for p in sorted(small_eval_dir.rglob("*.jpeg")):
            w.writerow([p.relative_to(small_eval_dir).as_posix(), p.parent.name])
    report = tmp_path / "r.json"
    assert (
        main(
            [
                "--store",
                str(tiny_store),
                "validate-site",
                "--scores",
                str(out),
                "--labels",
                str(labels),
                *TARGET,
                "--json",
                str(report),
            ]
        )
        == 0
    )
    r = json.loads(report.read_text())
    _, direct = _validate(tiny_store, small_eval_dir, tmp_path)
    assert r["n"] == direct["n"] and abs(r["auc"] - direct["auc"]) < 1e-9
    # without labels there is nothing to validate: one line, exit 2
    capsys.readouterr()
    assert main(["--store", str(tiny_store), "validate-site", "--scores", str(out)]) == 2
    assert "both classes" in capsys.readouterr().err


def test_too_few_cases_cannot_make_a_profile(tiny_store, small_eval_dir, tmp_path, capsys):
    code = main(
        [
            "--store",
            str(tiny_store),
            "validate-site",
            "--data",
            str(small_eval_dir),
            "--save-profile",
            "x",
        ]
    )
    assert code == 2 and "at least 59 are needed" in capsys.readouterr().err
    assert not (sites_dir() / "x.json").exists()


def test_foreign_or_missing_scores_file_is_one_line_exit_2(tiny_store, tmp_path, capsys):
    foreign = tmp_path / "theirs.csv"
    foreign.write_text("file,score\na.png,0.3\n")
    for scores, fragment in ((foreign, "not a file written by score"), (tmp_path, "not found")):
        argv = ["--store", str(tiny_store), "validate-site", "--scores", str(scores)]
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and fragment in err, err


def test_bad_labels_csv_is_one_line_exit_2(tiny_store, small_eval_dir, tmp_path, capsys):
    out = tmp_path / "scored.csv"
    main(["--store", str(tiny_store), "score", str(small_eval_dir), "--out", str(out)])
    labels = tmp_path / "labels.csv"
    for content, fragment in (
        ("path,label\nnaïve.png,NORMAL\n".encode("latin-1"), "not UTF-8"),
        (b"path,label\n" + b"a" * 131_073 + b",NORMAL\n", "longer than 131,072"),
        (b"path,label\na.png,maybe\n", "line 2"),
    ):
        labels.write_bytes(content)
        capsys.readouterr()
        argv = ["validate-site", "--scores", str(out), "--labels", str(labels)]
        assert main(["--store", str(tiny_store), *argv]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and fragment in err, err
