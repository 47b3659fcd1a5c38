"""Session results from the database, each figure recomputed independently (sklearn, the
formulas) from the same hand-made reads."""

from __future__ import annotations

import json

import numpy as np
import pytest
from review_helpers import make_session
from sklearn.metrics import cohen_kappa_score, roc_auc_score

from xray_core.review import reads
from xray_core.review.summary import summarize
from xray_core.stats.uncertainty import MIN_PER_CLASS, TOO_FEW

TRUTH = [1, 1, 1, 1, 0, 0, 0, 0, 1, 0]
AI = ["PNEUMONIA", "PNEUMONIA", "NORMAL", "PNEUMONIA", "NORMAL", "PNEUMONIA", "NORMAL",
      "NORMAL", None, "NORMAL"]  # fmt: skip
# (unaided confidence, aided confidence) per case; verdict = PNEUMONIA when > 3 (3 -> NORMAL)
READS = {
    "drA": [(4, 5), (2, 4), (3, 2), (5, 5), (1, 1), (4, 4), (2, 2), (3, 1), (5, 5), (1, 1)],
    "drB": [(5, 5), (4, 4), (2, 2), (3, 4), (2, 2), (2, 4), (1, 1), (4, 2), (4, 4), (2, 2)],
}


def verdict(conf: int) -> int:
    return int(conf > 3)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = tmp_path_factory.mktemp("summary") / "r.sqlite"
    rows = make_session(path, TRUTH, AI)
    for reader, confs in READS.items():
        for row, (u, a) in zip(rows, confs):
            for phase, c in (("unaided", u), ("aided", a)):
                name = "PNEUMONIA" if verdict(c) else "NORMAL"
                reads.record_read(path, "s", reader, row["sha256"], phase, name, c, seconds=c)
    return summarize(path, "s")


def test_required_keys_and_counts(result):
    assert result["n_cases"] == 10 and result["n_readers"] == 2 and result["n_refused"] == 1
    for reader in READS:
        for phase in ("unaided", "aided"):
            assert {"kappa_ai", "sensitivity", "specificity", "auc"} <= set(
                result["readers"][reader][phase]
            )
    json.dumps(result)  # JSON-ready


@pytest.mark.parametrize("reader", list(READS))
@pytest.mark.parametrize("phase", [0, 1])
def test_per_reader_figures(result, reader, phase):
    got = result["readers"][reader][("unaided", "aided")[phase]]
    conf = np.array([c[phase] for c in READS[reader]])
    v, y = np.array([verdict(c) for c in conf]), np.array(TRUTH)
    scored = [k for k, a in enumerate(AI) if a is not None]
    ai = np.array([int(AI[k] == "PNEUMONIA") for k in scored])
    assert got["kappa_ai"] == pytest.approx(cohen_kappa_score(v[scored], ai))
    assert got["kappa_ai_n"] == len(scored) == 9
    assert got["sensitivity"] == pytest.approx(np.mean(v[y == 1] == 1))
    assert got["specificity"] == pytest.approx(np.mean(v[y == 0] == 0))
    assert got["auc"] == pytest.approx(roc_auc_score(y, conf))
    assert got["median_seconds"] == pytest.approx(np.median(conf))
    for key in ("sensitivity", "specificity"):  # Wilson: always an interval
        lo, hi = got[f"{key}_ci"]
        assert lo <= got[key] <= hi
    few = min(np.sum(y == 0), np.sum(y == 1)) < MIN_PER_CLASS  # no bootstrap interval then
    assert got["auc_ci"] == TOO_FEW if few else got["auc_ci"][0] <= got["auc"] <= got["auc_ci"][1]


def test_reader_average_and_fleiss(result):
    y = np.array(TRUTH)
    avg = result["reader_average"]
    for phase in (0, 1):
        name = ("unaided", "aided")[phase]
        expected = np.mean([roc_auc_score(y, [c[phase] for c in READS[r]]) for r in READS])
        assert avg[name]["auc"] == pytest.approx(expected)
    assert avg["difference"]["auc"] == pytest.approx(avg["aided"]["auc"] - avg["unaided"]["auc"])
    # two raters: Fleiss' kappa is Scott's pi
    a = np.array([verdict(c[0]) for c in READS["drA"]])
    b = np.array([verdict(c[0]) for c in READS["drB"]])
    m = (a.mean() + b.mean()) / 2
    pe = m**2 + (1 - m) ** 2
    assert result["inter_reader"]["unaided"]["kappa"] == pytest.approx(
        (np.mean(a == b) - pe) / (1 - pe)
    )


def test_flips_and_discordant_cases(result):
    for reader, confs in READS.items():
        f = result["readers"][reader]["flips"]
        pairs = [(k, verdict(u), verdict(a)) for k, (u, a) in enumerate(confs)]
        changes = [(k, u, a) for k, u, a in pairs if u != a]
        assert f["changed"] == len(changes)
        assert f["toward_truth"] == sum(a == TRUTH[k] for k, _, a in changes)
        assert f["away_from_truth"] == sum(u == TRUTH[k] for k, u, _ in changes)
        assert f["toward_ai"] == sum(AI[k] is not None and a == (AI[k] == "PNEUMONIA")
                                     for k, _, a in changes)  # fmt: skip
    assert result["flips"]["changed"] == sum(
        result["readers"][r]["flips"]["changed"] for r in READS
    )
    # by hand: drA changes case 2 only (NORMAL -> PNEUMONIA: truth and AI say PNEUMONIA);
    # drB changes cases 4 (-> PNEUMONIA, right), 6 (-> PNEUMONIA, wrong), 8 (-> NORMAL, right),
    # each time to the AI's verdict
    assert result["readers"]["drA"]["flips"] == {
        "n": 10, "changed": 1, "toward_truth": 1, "away_from_truth": 0, "toward_ai": 1,
        "away_from_ai": 0,
    }  # fmt: skip
    assert result["readers"]["drB"]["flips"] == {
        "n": 10, "changed": 3, "toward_truth": 2, "away_from_truth": 1, "toward_ai": 3,
        "away_from_ai": 0,
    }  # fmt: skip
    discordant = {d["case"]: d for d in result["discordant"]}
    assert "case-001" not in discordant  # everyone agreed with the AI throughout
    assert discordant["case-006"]["kinds"] == ["reader vs AI", "readers disagree (unaided)"]
    assert discordant["case-006"]["readers"]["drB"] == {"unaided": "NORMAL", "aided": "PNEUMONIA"}
    assert all("sha" not in json.dumps(d) and "file" not in json.dumps(d) for d in discordant)


def test_without_truth_the_truth_figures_are_null(tmp_path):
    path = tmp_path / "r.sqlite"
    rows = make_session(path, [None, None, None], ["NORMAL", "PNEUMONIA", "NORMAL"])
    for row, c in zip(rows, (1, 5, 4)):
        reads.record_read(path, "s", "drA", row["sha256"], "unaided", "NORMAL" if c < 3 else
                          "PNEUMONIA", c)  # fmt: skip
    got = summarize(path, "s")
    phase = got["readers"]["drA"]["unaided"]
    assert phase["sensitivity"] is phase["specificity"] is phase["auc"] is None
    assert phase["kappa_ai"] == pytest.approx(cohen_kappa_score([0, 1, 1], [0, 1, 0]))
    assert got["reader_average"] is None and got["inter_reader"] is None
    assert got["readers"]["drA"]["aided"]["n_reads"] == 0
