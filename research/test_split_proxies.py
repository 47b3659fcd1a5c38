"""Which figure of a model's own validation predicts its figures on the withheld test split?

    python -m research.test_split_proxies [--external DIR] [--store DIR] [--json OUT]
    python -m research.test_split_proxies --operating-point MODEL [--data DIR]

DIR holds the test split's scorecard records (`NAME.json`, the `evaluate --json` of each model
at its shipped threshold; default ../shared/external_test, display only). For each record the
proxies come from the model's card in the store when the record is of those weights (same
threshold); for weights no longer in the store, from FORMER (figures quoted from the research
log). Printed: each model's "narrow 0.8" specificity at its threshold, worst perturbed view AUC
and NORMAL2 hold-out AUC beside its test AUC and specificity; the Spearman correlation of each
proxy with the test figure; the line test specificity ~ narrow specificity, and its forecast
for stored models whose test figures are not of their current weights.

`--operating-point MODEL` instead scores MODEL's validation split plain and under "narrow 0.8"
(seconds): sensitivity / specificity at the shipped threshold and at a threshold chosen for
sensitivity 0.95 on the narrow view, and the share of each normal cohort flagged.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

NARROW = "narrow 0.8"
# Weights scored on the test split that have left the store: (narrow 0.8 specificity at the
# shipped threshold, worst perturbed view AUC, NORMAL2 hold-out AUC of the recipe), from
# research/EXPERIMENTS.md (the stop-30 aspect table; the MobileNet's former card). None: not
# measured.
FORMER = {
    "resnet_fast_mix": (0.510, None, None),
    "resnet_fast_acq": (0.554, None, None),
    "resnet_clahe_acq3": (0.649, None, None),
    "resnet_clahe": (0.406, None, None),
    "mobilenetv2_035_noclahe": (0.218, 0.874, 0.977),
}


def card_proxies(card) -> tuple[float | None, float | None, float | None]:
    """(narrow 0.8 specificity, worst view AUC, NORMAL2 hold-out AUC) from a card's blocks."""
    narrow = (card.get("aspect_views") or {}).get(NARROW, {}).get("specificity")
    worst = (card.get("shifted_validation") or {}).get("worst view", {}).get("auc")
    held = (card.get("recipe_hold_out") or {}).get("held-out cohort", {}).get("auc")
    return narrow, worst, held


def rank_correlation(x, y) -> float | None:
    """Spearman's rho over the pairs where both are known (None for fewer than 3 pairs)."""
    from scipy.stats import spearmanr

    pairs = [(a, b) for a, b in zip(x, y) if a is not None and b is not None]
    if len(pairs) < 3:
        return None
    return float(spearmanr(*zip(*pairs)).statistic)


def proxy_table(external: Path, store=None) -> tuple[list[dict], list[dict]]:
    """Rows for every scored model (proxies + test figures), and rows for stored models whose
    test figures are not of their current weights (proxies only)."""
    from xray_core.store.catalog import list_models, read_card

    stored = {name: read_card(name, store) for name in list_models(store)}
    rows, unscored = [], []
    for path in sorted(external.glob("*.json")):
        record = json.loads(path.read_text())
        name = record["model"]
        card = stored.get(name)
        current = card is not None and abs(record["threshold"] - card.threshold) < 1e-9
        proxies = card_proxies(card) if current else FORMER.get(name, (None, None, None))
        rows.append(
            {
                "model": name if current else f"{name} (former weights)",
                "narrow_spec": proxies[0],
                "worst_view_auc": proxies[1],
                "hold_out_auc": proxies[2],
                "test_auc": record["auc"],
                "test_spec": record["specificity"],
            }
        )
        if card is not None and not current:
            narrow, worst, held = card_proxies(card)
            unscored.append(
                {
                    "model": name,
                    "narrow_spec": narrow,
                    "worst_view_auc": worst,
                    "hold_out_auc": held,
                }
            )
    return rows, unscored


def summary(rows: list[dict], unscored: list[dict]) -> dict:
    """Each proxy's Spearman rho with the test figure it should predict, the line test
    specificity = a + b x narrow specificity, and its forecast for UNSCORED."""
    col = lambda k: [r[k] for r in rows]  # noqa: E731
    out = {
        "spearman narrow spec ~ test spec": rank_correlation(col("narrow_spec"), col("test_spec")),
        "spearman worst view ~ test AUC": rank_correlation(col("worst_view_auc"), col("test_auc")),
        "spearman hold-out AUC ~ test AUC": rank_correlation(col("hold_out_auc"), col("test_auc")),
    }
    known = [(r["narrow_spec"], r["test_spec"]) for r in rows if r["narrow_spec"] is not None]
    x, y = (np.array(v, float) for v in zip(*known))
    slope, intercept = np.polyfit(x, y, 1)
    out["line"] = {"intercept": float(intercept), "slope": float(slope)}
    out["r"] = float(np.corrcoef(x, y)[0, 1])
    out["forecast test spec"] = {
        u["model"]: float(intercept + slope * u["narrow_spec"])
        for u in unscored
        if u["narrow_spec"] is not None
    }
    return out


def operating_point(name: str, data=None) -> dict:
    """MODEL's validation split plain and under the narrow view: (sensitivity, specificity)
    at the shipped threshold and at the narrow-view threshold for sensitivity 0.95, and the
    share of each normal cohort flagged at the shipped threshold (plain view)."""
    from xray_core import config
    from xray_core.dataset.folders import cohort_of
    from xray_core.predict.validation_scores import validation_samples
    from xray_core.stats import metrics
    from xray_core.stats.calibration import apply_calibration
    from xray_core.store.catalog import load_model
    from xray_core.training import shift

    stored = load_model(name)
    samples = validation_samples(stored.card, config.data_dir(data))
    raw, y = shift.sample_view_scores(stored.probabilities, samples, stored.contract, [NARROW])
    cal = {v: apply_calibration(p, stored.card.get("calibration")) for v, p in raw.items()}
    thresholds = {
        "shipped": stored.threshold,
        "sensitivity 0.95 on the narrow view": metrics.threshold_for_sensitivity(
            y, cal[NARROW], 0.95
        ),
    }
    out = {}
    for rule, t in thresholds.items():
        points = {v: metrics.operating_point(y, p, t) for v, p in cal.items()}
        out[rule] = {
            "threshold": float(t),
            **{v: (pt["sensitivity"], pt["specificity"]) for v, pt in points.items()},
        }
    cohorts = np.array([cohort_of(s.path.name) for s in samples])
    flagged = cal["plain"] >= stored.threshold
    out["normals flagged"] = {
        c: float(flagged[(cohorts == c) & (y == 0)].mean()) for c in sorted(set(cohorts[y == 0]))
    }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--external", type=Path, default=Path("../shared/external_test"))
    ap.add_argument("--store", help="model store (default: the project's)")
    ap.add_argument("--operating-point", metavar="MODEL", help="score MODEL's thresholds")
    ap.add_argument("--data", help="dataset root (with --operating-point)")
    ap.add_argument("--json", type=Path, help="write the result here")
    args = ap.parse_args(argv)
    if args.operating_point:
        result = operating_point(args.operating_point, args.data)
    else:
        if not args.external.is_dir():
            raise SystemExit(f"error: {args.external}: no such folder of test-split records")
        rows, unscored = proxy_table(args.external, args.store)
        result = {"rows": rows, "unscored": unscored, **summary(rows, unscored)}
        for r in rows:
            print(
                "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else str(v) for k, v in r.items())
            )
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
