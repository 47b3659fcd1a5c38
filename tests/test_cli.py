"""`python -m xray_core evaluate | predict | models`: the interfaces outside checks rely on."""

import json
import subprocess
import sys

import pytest

from xray_core import config
from xray_core.cli.main import main


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "xray_core", *args],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        timeout=300,
    )


def test_evaluate_writes_required_keys(tiny_store, small_eval_dir, tmp_path):
    out = tmp_path / "eval.json"
    code = main(
        [
            "--store",
            str(tiny_store),
            "evaluate",
            "--data",
            str(small_eval_dir),
            "--model",
            "tiny",
            "--threshold",
            "0.5",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    r = json.loads(out.read_text())
    for key in (
        "n",
        "auc",
        "accuracy",
        "sensitivity",
        "specificity",
        "threshold",
        "model",
        "roc",
        "confusion",
        "counts",
    ):
        assert key in r, key
    assert r["n"] == 12 and r["counts"] == {"NORMAL": 6, "PNEUMONIA": 6}
    assert r["threshold"] == 0.5 and r["model"] == "tiny"
    c = r["confusion"]
    assert r["sensitivity"] == pytest.approx(c["tp"] / (c["tp"] + c["fn"]))


def test_predict_json_lines_and_exit_codes(tiny_store, fullres_files, tmp_path, capsys):
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    code = main(
        [
            "--store",
            str(tiny_store),
            "predict",
            str(fullres_files[0]),
            str(bad),
            "--model",
            "tiny",
            "--json",
        ]
    )
    lines = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    assert code == 2 and len(lines) == 2
    assert set(lines[0]) >= {"file", "probability", "label", "threshold", "model"}
    assert set(lines[1]) == {"file", "error"} and "not a readable image" in lines[1]["error"]
    assert main(["--store", str(tiny_store), "predict", str(fullres_files[0]), "--json"]) == 0


def test_predict_subprocess_default_model_no_traceback(fullres_files, tmp_path):
    empty = tmp_path / "empty.jpeg"
    empty.write_bytes(b"")
    r = run_cli("predict", str(fullres_files[0]), str(empty), "--json")
    rows = [json.loads(x) for x in r.stdout.strip().splitlines()]
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert rows[0]["model"] and rows[1]["error"].endswith("the file is empty (0 bytes).")


def test_unknown_model_is_a_clear_error(tiny_store, capsys):
    assert main(["--store", str(tiny_store), "predict", "x.png", "--model", "nope"]) == 1
    assert "valid names: tiny" in capsys.readouterr().err


def test_rescore_keeps_card_and_compare_in_agreement(tiny_store, tmp_path, capsys):
    import shutil

    from xray_core.evaluation.compare import compare_models
    from xray_core.store.catalog import read_card

    root = tmp_path / "s"
    shutil.copytree(tiny_store, root)
    assert main(["--store", str(root), "rescore", "--model", "tiny"]) == 0
    card, row = read_card("tiny", root), compare_models(["tiny"], root)[0]
    assert row["sensitivity"] == card["validation"]["sensitivity"]
    assert row["specificity"] == card["validation"]["specificity"]
    assert row["threshold"] == card["threshold"]
    assert "threshold" in capsys.readouterr().out


def test_help_imports_no_tensorflow():
    code = (
        "import sys\n"
        "from xray_core.cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "evaluate" in r.stdout and r.stdout.strip().endswith("[]"), r.stdout[-300:]


def test_evaluate_data_falls_back_to_the_configured_folder(
    tiny_store, small_eval_dir, tmp_path, monkeypatch
):
    monkeypatch.setenv(config.DATA_ENV_VAR, str(small_eval_dir))
    out = tmp_path / "eval.json"
    args = ["--store", str(tiny_store), "evaluate", "--model", "tiny", "--json", str(out)]
    assert main(args) == 0
    assert json.loads(out.read_text())["n"] == 12


def test_evaluate_on_a_kaggle_root_scores_a_split(data_root, monkeypatch):
    from xray_core.cli.main import eval_folder

    monkeypatch.delenv(config.DATA_ENV_VAR, raising=False)
    expected = "test" if (data_root / "test").is_dir() else "val"
    assert eval_folder(None, None) == config.DEFAULT_DATA_DIR / expected
    assert eval_folder(str(data_root), "train") == data_root / "train"
    with pytest.raises(ValueError, match="no split 'nope'"):
        eval_folder(str(data_root), "nope")


def test_feature_modules_register_their_commands(monkeypatch, capsys):
    import types

    from xray_core.cli import main as cli

    feature = types.ModuleType("xray_core_cli_demo")

    def add_parser(subparsers):
        d = subparsers.add_parser("demo", help="a feature command")
        d.add_argument("--times", type=int, default=1)
        d.set_defaults(func=lambda args: print("demo " * args.times) or cli.EXIT_OK)

    feature.add_parser = add_parser
    monkeypatch.setitem(sys.modules, "xray_core_cli_demo", feature)
    monkeypatch.setattr(cli, "FEATURE_MODULES", ("xray_core_cli_demo",))
    assert main(["demo", "--times", "2"]) == 0
    assert capsys.readouterr().out.split() == ["demo", "demo"]


@pytest.mark.parametrize("command", ["train", "predict", "rescore", "fit-gate", "models"])
def test_every_flag_says_what_it_does(command):
    from xray_core.cli.main import build_parser

    sub = build_parser()._subparsers._group_actions[0].choices[command]
    silent = [a.option_strings or a.dest for a in sub._actions if not a.help]
    assert not silent, f"{command}: flags without help text: {silent}"


def test_fit_gate_says_which_layers_its_gate_reads():
    """fit-gate's line names the pooled layers kept and those the sample uploads ruled out."""
    import numpy as np

    from xray_core.cli.main import gate_reads

    kept = {"layers": np.array(["a", "b"]), "candidate_layers": np.array(["a", "b", "c"])}
    assert gate_reads(kept) == (
        "reads the penultimate vector + a, b; left out (refused > 5% of the sample uploads): c"
    )
    assert gate_reads({"layers": np.array([], dtype=str)}) == "reads the penultimate vector"
    assert gate_reads({"mean": np.zeros(3)}) == "reads the penultimate vector"  # pre-block gate
