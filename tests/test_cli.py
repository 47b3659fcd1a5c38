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


def _train_actions():
    from xray_core.cli.main import build_parser

    sub = build_parser()._subparsers._group_actions[0].choices["train"]
    return {a.dest: a for a in sub._actions}


def test_every_training_option_has_its_train_flag():
    """The train parser is generated from TrainConfig: each field is a flag with its help text
    and default; an enum option offers exactly its values; the run's own flags stay."""
    from dataclasses import MISSING, fields

    from xray_core.training.config import TrainConfig, enum_fields

    actions = _train_actions()
    for f in fields(TrainConfig):
        assert f.name in actions, f"TrainConfig.{f.name} has no train flag"
        action = actions[f.name]
        assert action.help == f.metadata["help"]
        if f.default is not MISSING and not action.required:
            assert action.default == f.default, f.name
    for name, kind in enum_fields().items():
        assert tuple(actions[name].choices) == tuple(m.value for m in kind)
    flags = {s for a in actions.values() for s in a.option_strings}
    named = {"--lr", "--finetune-lr", "--sensitivity", "--no-augment", "--no-clahe"}
    assert named | {"--no-class-weights", "--out", "--data", "--set-default"} <= flags
    assert actions["learning_rate"].option_strings == ["--lr"]
    assert actions["sensitivity_target"].option_strings == ["--sensitivity"]


def _shipped_train_commands() -> dict[str, list[str]]:
    """The `train` commands of model_store/train_all.sh, by the store entry they write."""
    import shlex

    script = (config.PROJECT_ROOT / "model_store" / "train_all.sh").read_text()
    commands = {}
    for line in script.splitlines():
        words = shlex.split(line, comments=True)
        if words[:4] == ["$PY", "-m", "xray_core", "train"]:
            argv = words[3:]
            commands[argv[argv.index("--out") + 1].split("/")[-1]] = argv
    return commands


def test_the_shipped_train_commands_give_the_configs_on_their_cards():
    """Parsing each command of train_all.sh (no training) gives the config its card records;
    keys an older card lacks are at their defaults."""
    from xray_core.cli.main import build_parser, train_config
    from xray_core.store.catalog import list_models, read_card

    commands = _shipped_train_commands()
    assert set(commands) == set(list_models())
    for name, argv in commands.items():
        parsed = train_config(build_parser().parse_args(argv)).to_dict()
        recorded = read_card(name).training["config"]
        assert {k: parsed[k] for k in recorded} == recorded, name
        defaults = train_config(build_parser().parse_args(["train", "--arch", "cnn", "--out", "x"]))
        assert {k: v for k, v in parsed.items() if k not in recorded} == {
            k: v for k, v in defaults.to_dict().items() if k not in recorded
        }, name


def test_a_bad_training_option_is_refused_in_one_line_before_any_work(capsys):
    train = ["train", "--arch", "cnn", "--out", "unused/x"]
    assert main([*train, "--options", "{not json"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: Expecting property name") and "\n" not in err
    with pytest.raises(SystemExit) as exc:
        main([*train, "--acquisition", "extreme"])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and "\n" not in err
    assert "argument --acquisition: invalid choice: 'extreme'" in err


def test_train_smoke_run_from_the_command_line(tmp_path, data_root):
    """`train --limit` end to end on a few real images: the entry, its card's config as the
    flags gave it, and --set-default."""
    from xray_core.store.catalog import default_model, read_card

    options = '{"filters": [4], "last_filters": 4, "size": 32}'
    argv = ["train", "--arch", "cnn", "--out", str(tmp_path / "cli_tiny"), "--data"]
    argv += [str(data_root), "--limit", "8", "--epochs", "1", "--batch-size", "8"]
    argv += ["--options", options, "--no-augment", "--lr", "1e-3", "--set-default"]
    assert main(argv) == 0
    recorded = read_card("cli_tiny", tmp_path).training["config"]
    assert recorded["limit"] == 8 and recorded["learning_rate"] == 1e-3
    assert recorded["augment"] is False and recorded["options"] == json.loads(options)
    assert recorded["acquisition_phase"] == "all" and recorded["calibration"] == "validation"
    assert default_model(tmp_path) == "cli_tiny"
