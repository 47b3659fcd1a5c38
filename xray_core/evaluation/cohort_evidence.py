"""A shipped model's figures under a cohort shift, for its card and the Model card page.

Evidence beside the plain validation:
* the model's own validation images under acquisition perturbations (`shifted_validation`,
  written by `train --calibration shifted` or `shift.perturbed_table`);
* its *recipe* trained again with one file-name cohort held out (`train --hold-out-cohort`)
  and judged on that unseen cohort (`recipe_hold_out`, attached by
  `python -m xray_core card hold-out`). The shipped model itself saw every cohort, so this is
  evidence about how the recipe generalises, not a figure of the shipped weights;
* where it has come back, the shipped weights on the withheld official test split
  (`external_test`, attached by `python -m xray_core card external-test`).
"""

from __future__ import annotations

from xray_core.evaluation import external_test
from xray_core.text.wording import rate

# TrainConfig keys that may differ between a shipped model and its hold-out run: the held-out
# cohort itself, the warm-start source (the hold-out run starts from its own hold-out base),
# the split seed's spelling (None means "= seed") and the smoke-run limit.
NOT_RECIPE = ("hold_out_cohort", "init_from", "split_seed", "limit")

ROW_KEYS = ("n", "auc", "sensitivity", "specificity", "spec_at_sens95", "ece")
TEST_ROW = "withheld test split: these weights, scored outside"
# `shift.ASPECT_VIEWS` as the Model card names them (`card shift`)
ASPECT_LABELS = {
    "narrow 0.8": "own validation, anatomy 20% narrower (a wider original)",
    "wide 1.25": "own validation, anatomy 25% wider (a narrower original)",
    "shape mixed": "own validation, each image's shape changed ×0.8-1.25",
}
# the same views on a hold-out run's unseen cases, shorter to fit the table's first column
HELD_ASPECT_WORDS = {
    "narrow 0.8": "anatomy 20% narrower",
    "wide 1.25": "anatomy 25% wider",
    "shape mixed": "shapes ×0.8-1.25",
}


def _full_config(config: dict) -> dict:
    """CONFIG with TrainConfig's defaults for keys an older card does not record."""
    from xray_core.training.config import TrainConfig

    return {**TrainConfig().to_dict(), **config}


def recipe_differences(shipped: dict, run: dict) -> list[str]:
    """Keys (besides NOT_RECIPE) where two TrainConfig dicts differ, as 'key: a != b'."""
    a, b = _full_config(shipped), _full_config(run)
    if (a["split_seed"] or a["seed"]) != (b["split_seed"] or b["seed"]):
        return [f"split seed: {a['split_seed'] or a['seed']} != {b['split_seed'] or b['seed']}"]
    return [
        f"{k}: {a.get(k)!r} != {b.get(k)!r}"
        for k in sorted(set(a) | set(b))
        if k not in NOT_RECIPE and a.get(k) != b.get(k)
    ]


def hold_out_evidence(shipped_card, run_card, run_name: str) -> dict:
    """The `recipe_hold_out` block for SHIPPED_CARD from a hold-out run's card.

    Raises ValueError when the run held nothing out or its recipe differs from the shipped
    model's (anything but NOT_RECIPE), naming the differences.
    """
    report = run_card.get("held_out_cohort")
    if not report:
        raise ValueError(f"{run_name}: not trained with --hold-out-cohort (no held_out_cohort)")
    diff = recipe_differences(shipped_card.training["config"], run_card.training["config"])
    if diff:
        raise ValueError(f"{run_name}: not the shipped model's recipe ({'; '.join(diff)})")
    return {
        "cohort": report["cohort"],
        "run": run_name,
        "run_model_sha256": run_card.get("model_sha256", ""),
        "run_threshold": run_card.get("threshold"),
        "run_config": run_card.training["config"],
        "validation": report["validation"],
        "held-out cohort": report["held-out cohort"],
        **({"aspect_views": report["aspect_views"]} if report.get("aspect_views") else {}),
    }


def robustness_rows(card) -> list[dict]:
    """Rows for the Model card page: plain validation, perturbed views (pooled, worst), the
    aspect views, the recipe's unseen cohort (and it under the aspect views, where measured)
    and the withheld test split (`xray_core.evaluation.external_test`), each with
    n, AUC, sensitivity / specificity at the model's threshold, specificity at sensitivity 0.95
    and ECE (None where not measured)."""
    shifted = card.get("shifted_validation") or {}
    hold = card.get("recipe_hold_out")
    test = external_test.figures(card)
    aspect = card.get("aspect_views") or {}
    if not shifted and not hold and not test and not aspect:
        return []
    rows = [{"evidence": "own validation", **_pick(shifted.get("plain") or _plain_row(card))}]
    names = {
        "shifted (pooled)": "own validation, 9 perturbed views pooled",
        "worst view": "own validation, worst perturbed view (each figure its worst)",
    }
    for key, label in names.items():
        if key in shifted:
            rows.append({"evidence": label, **_pick(shifted[key])})
    if "worst view" in shifted:  # per-view minima, each view over the plain n images
        rows[-1]["n"] = rows[0]["n"]
        rows[-1]["ece"] = _worst_ece(shifted)
    for key, label in ASPECT_LABELS.items():
        if key in aspect:
            rows.append({"evidence": label, **_pick(aspect[key])})
    if hold:
        run = f"recipe re-run without {hold['cohort']}"
        rows.append({"evidence": f"{run}: its own validation", **_pick(hold["validation"])})
        unseen = f"{run}: unseen {hold['cohort']} cases"
        rows.append({"evidence": unseen, **_pick(hold["held-out cohort"])})
        held_aspect = hold.get("aspect_views") or {}
        for key, words in HELD_ASPECT_WORDS.items():
            if key in held_aspect:
                rows.append({"evidence": f"{run}: unseen, {words}", **_pick(held_aspect[key])})
    if test:
        rows.append({"evidence": TEST_ROW, **_pick(test)})
    return rows


def display_rows(rows: list[dict]) -> list[dict]:
    """`robustness_rows` as text for a table: n as an integer, figures to 3 decimals, and
    "not measured" where a row has no figure (the test split reports no ranking figure)."""
    return [
        {
            "evidence": r["evidence"],
            **{
                k: "not measured"
                if r.get(k) is None
                else f"{r[k]:.0f}"
                if k == "n"
                else f"{r[k]:.3f}"
                for k in ROW_KEYS
            },
        }
        for r in rows
    ]


def _worst_ece(shifted: dict) -> float | None:
    """The highest ECE over the single perturbed views (not plain, not pooled); None if none."""
    pooled = {"plain", "shifted (pooled)", "worst view"}
    eces = [v["ece"] for k, v in shifted.items() if k not in pooled and v.get("ece") is not None]
    return max(eces) if eces else None


def _plain_row(card) -> dict:
    """The card's own validation figures in ROW_KEYS (spec at sensitivity 0.95 from its ROC)."""
    v = card["validation"]
    roc = v.get("roc") or {}
    spec = [1 - f for f, t in zip(roc.get("fpr", []), roc.get("tpr", [])) if t >= 0.95]
    return {
        **v,
        "spec_at_sens95": max(spec) if spec else None,
        "ece": (card.get("calibration") or {}).get("after", {}).get("ece"),
    }


def _pick(row: dict) -> dict:
    return {k: row.get(k) for k in ROW_KEYS}


def _unseen_parts(card, scored: dict) -> list[str]:
    """Clauses on specificity outside CARD's training cohort: its recipe's unseen-cohort
    result, and the test split of the first model in SCORED ({name: card}) whose own weights
    were scored there, beside that model's validation and hold-out."""
    parts = []
    hold = (card.get("recipe_hold_out") or {}).get("held-out cohort")
    if hold:
        parts.append(
            f"its recipe, trained again without the {card['recipe_hold_out']['cohort']} normals, "
            f"had specificity {rate(hold['specificity'])} on them at sensitivity "
            f"{rate(hold['sensitivity'])}"
        )
    others = [(n, c) for n, c in sorted(scored.items()) if external_test.figures(c) is not None]
    if others:
        name, c = others[0]
        which = "the one model" if len(others) == 1 else f"one of {len(others)} models"
        test, held = external_test.figures(c), (c.get("recipe_hold_out") or {})
        held_spec = (held.get("held-out cohort") or {}).get("specificity")
        also = "" if held_spec is None else f", its recipe's hold-out {rate(held_spec)}"
        parts.append(
            f"{name}, {which} scored on the withheld later cohort, fell to specificity "
            f"{rate(test['specificity'])} there (validation {rate(_plain_row(c)['specificity'])}"
            f"{also})"
        )
    return parts


def new_cases_sentence(card, scored: dict) -> str:
    """One plain sentence under a model's validation figures: what happened to specificity on
    cases outside its training cohort. CARD's own test-split figures when it has them; else its
    recipe's unseen-cohort result, and the test split of another model in SCORED ({name: card},
    the store's cards; only those scored on it count), whose drop shows how much even the
    hold-out can miss. Rates in [0, 1], shown to 2 decimals."""
    own = external_test.figures(card)
    if own is not None:
        plain = _plain_row(card)
        return (
            f"On the withheld official test split (a later cohort of the same hospital, "
            f"n = {own['n']}) these weights had specificity {rate(own['specificity'])} at "
            f"sensitivity {rate(own['sensitivity'])} (validation: {rate(plain['specificity'])} "
            f"at {rate(plain['sensitivity'])}): expect more false alarms on new images."
        )
    parts = _unseen_parts(card, scored)
    if not parts:
        return "These figures come from the training cohort: expect lower specificity elsewhere."
    return (
        "These figures come from the training cohort and are its best case: "
        + "; ".join(parts)
        + ". Expect more false alarms on new images."
    )


def withheld_split_line(card, scored: dict) -> str:
    """For a presentation (Present page, PDF): CARD's own test-split figures
    (`external_test.headline`), or that its weights were not scored there
    (`external_test.NOT_MEASURED`) followed by the evidence that exists (`_unseen_parts` over
    SCORED, {name: card})."""
    own = external_test.figures(card)
    if own is not None:
        return external_test.headline(own, float(card["validation"]["auc"]))
    parts = _unseen_parts(card, scored)
    tail = f" By how much: {'; '.join(parts)}." if parts else ""
    return external_test.NOT_MEASURED + tail
