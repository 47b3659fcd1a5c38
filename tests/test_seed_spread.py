"""research.seed_spread: figures read from cards, sample sd, runs without perturbed views."""

import json

import numpy as np
import pytest

from research.seed_spread import main, run_figures, spread


def write_card(folder, seed, auc, shifted_auc=None, held_auc=None, narrow=None):
    card = {
        "validation": {"auc": auc, "sensitivity": 0.95, "specificity": 0.9},
        "threshold": 0.5,
        "training": {"config": {"seed": seed}, "seconds": 100.0 * seed},
    }
    if shifted_auc is not None:
        pooled = {"auc": shifted_auc, "sensitivity": 0.96, "specificity": 0.8}
        card["shifted_validation"] = {
            "shifted (pooled)": {**pooled, "spec_at_sens95": 0.85, "ece": 0.01},
            "worst view": {"auc": shifted_auc - 0.01},
        }
    if held_auc is not None:
        held = {"auc": held_auc, "specificity": 0.9, "spec_at_sens95": 0.92, "ece": 0.1}
        card["held_out_cohort"] = {"cohort": "NORMAL2", "held-out cohort": held}
        if narrow is not None:  # what `card shift` adds to a hold-out run
            views = {"narrow 0.8": {"specificity": narrow}, "wide 1.25": {"sensitivity": 0.94}}
            card["held_out_cohort"]["aspect_views"] = views
    folder.mkdir()
    (folder / "card.json").write_text(json.dumps(card))
    return folder


def test_mean_and_sample_sd_over_runs(tmp_path):
    aucs = [0.990, 0.994, 0.980]
    runs = [
        run_figures(write_card(tmp_path / f"s{i}", i + 1, a, a - 0.01)) for i, a in enumerate(aucs)
    ]
    s = spread(runs)
    assert s["plain AUC"]["mean"] == pytest.approx(np.mean(aucs))
    assert s["plain AUC"]["sd"] == pytest.approx(np.std(aucs, ddof=1))
    assert s["shifted AUC"]["n"] == 3 and s["train seconds"]["mean"] == pytest.approx(200.0)


def test_runs_without_perturbed_views_and_single_runs(tmp_path, capsys):
    a = write_card(tmp_path / "a", 1, 0.99)
    b = write_card(tmp_path / "b", 2, 0.98, 0.97)
    out = main(["--recipe", f"mixed={a},{b}", "--recipe", f"one={b}"])
    assert out["mixed"]["spread"]["shifted AUC"]["n"] == 1
    assert out["mixed"]["spread"]["plain AUC"]["n"] == 2
    assert "(1 run)" in capsys.readouterr().out


def test_unseen_cohort_rows_only_when_a_run_has_them(tmp_path, capsys):
    a = write_card(tmp_path / "a", 1, 0.99, held_auc=0.985)
    b = write_card(tmp_path / "b", 2, 0.98, held_auc=0.975)
    out = main(["--recipe", f"held={a},{b}"])
    assert out["held"]["spread"]["unseen cohort AUC"]["mean"] == pytest.approx(0.98)
    printed = capsys.readouterr().out
    assert "| unseen cohort AUC | 0.980 ± 0.007 |" in printed
    assert "shifted AUC" not in printed  # no run has perturbed views
    main(["--recipe", f"plain={write_card(tmp_path / 'c', 3, 0.97)}"])
    assert "unseen" not in capsys.readouterr().out


def test_a_missing_entry_is_one_line(tmp_path):
    with pytest.raises(SystemExit, match="not found"):
        main(["--recipe", f"x={tmp_path / 'nope'}"])


def test_one_recipe_holds_full_data_and_hold_out_seeds(tmp_path, capsys):
    """A hold-out run counts for the unseen figures only; a store entry names the model."""
    store = tmp_path / "model_store"
    store.mkdir()
    full = [write_card(store / "shipped", 1, 0.99, 0.98), write_card(tmp_path / "f2", 2, 0.97)]
    held = [write_card(tmp_path / f"h{i}", i, 0.999, held_auc=a) for i, a in ((3, 0.9), (4, 0.8))]
    out = main(["--recipe", "r=" + ",".join(map(str, full + held))])["r"]
    assert out["model"] == "shipped"
    assert out["spread"]["plain AUC"]["n"] == 2
    assert out["spread"]["plain AUC"]["mean"] == pytest.approx(0.98)
    assert out["spread"]["unseen cohort AUC"]["n"] == 2
    assert out["spread"]["train seconds"]["n"] == 2
    assert "r (2 runs + 2 hold-out)" in capsys.readouterr().out
    assert main(["--recipe", f"x={held[0]}"])["x"]["model"] is None


def test_update_merges_into_an_earlier_file(tmp_path):
    """--update keeps recipes whose runs are gone, replaces one of the same name in place and
    puts new ones last; a file that is not recipes is refused, not overwritten."""
    out = tmp_path / "spread.json"
    a = write_card(tmp_path / "a", 1, 0.99)
    b = write_card(tmp_path / "b", 2, 0.98)
    main(["--recipe", f"old={a}", "--recipe", f"kept={a}", "--json", str(out)])
    main(["--recipe", f"old={b}", "--recipe", f"new={b}", "--json", str(out), "--update"])
    recipes = json.loads(out.read_text())
    assert list(recipes) == ["old", "kept", "new"]
    assert recipes["old"]["runs"][0]["seed"] == 2 and recipes["kept"]["runs"][0]["seed"] == 1
    main(["--recipe", f"x={a}", "--json", str(out)])
    assert list(json.loads(out.read_text())) == ["x"]  # without --update: written anew
    out.write_text("[1, 2]")
    with pytest.raises(SystemExit, match="not merged"):
        main(["--recipe", f"x={a}", "--json", str(out), "--update"])
    assert out.read_text() == "[1, 2]"
    with pytest.raises(SystemExit, match="needs --json"):
        main(["--recipe", f"x={a}", "--update"])


def test_append_adds_runs_to_a_recipe_whose_earlier_runs_are_gone(tmp_path, capsys):
    """--append keeps the recipe's recorded runs (their stores may be gone), replaces a run of
    the same entry, and recomputes the spread from all; runs recorded before the aspect
    figures existed count as not measured for them."""
    out = tmp_path / "spread.json"
    old = [write_card(tmp_path / f"h{i}", i, 0.99, held_auc=0.97 + i / 1000) for i in (1, 2)]
    main(["--recipe", "r=" + ",".join(map(str, old)), "--recipe", "other=" + str(old[0])]
         + ["--json", str(out)])  # fmt: skip
    recorded = json.loads(out.read_text())
    for run in recorded["r"]["runs"]:  # as a file written before this stop holds them
        del run["unseen narrow 0.8 spec"], run["unseen wide 1.25 sens"]
    out.write_text(json.dumps(recorded))
    for folder in old:
        (folder / "card.json").unlink()  # the runs' store is gone
    new = [write_card(tmp_path / f"n{i}", i, 0.99, held_auc=0.98, narrow=v) for i, v in
           ((3, 0.74), (4, 0.86))]  # fmt: skip
    (tmp_path / "again").mkdir()
    again = write_card(tmp_path / "again" / "h2", 2, 0.99, held_auc=0.9, narrow=0.9)
    main(["--recipe", "r=" + ",".join(map(str, [*new, again])), "--json", str(out), "--append"])
    recipes = json.loads(out.read_text())
    assert list(recipes) == ["r", "other"]
    runs = recipes["r"]["runs"]
    assert [r["entry"] for r in runs] == ["h1", "h2", "n3", "n4"]
    assert runs[1]["unseen cohort AUC"] == 0.9  # the same entry, replaced
    spread_ = recipes["r"]["spread"]
    assert spread_["unseen cohort AUC"]["n"] == 4
    assert spread_["unseen narrow 0.8 spec"]["n"] == 3
    assert spread_["unseen narrow 0.8 spec"]["mean"] == pytest.approx((0.74 + 0.86 + 0.9) / 3)
    assert "r (0 runs + 4 hold-out)" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="--append needs --json"):
        main(["--recipe", f"x={new[0]}", "--append"])
