"""research.ensemble_shift: singles and the logit-mean ensemble, pooled views."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from research.ensemble_shift import POOLED, ensemble_table


def scores_for(y, noise, rng):
    """{view: probabilities}: the label plus Gaussian noise, squashed into (0, 1)."""
    return {v: 1 / (1 + np.exp(-(4 * y - 2 + rng.normal(0, noise, y.size)))) for v in ("a", "b")}


def test_identical_members_give_the_single_auc():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 100)
    s = scores_for(y, 2.0, rng)
    out = ensemble_table([s, s, s], y, ["a", "b"])
    for view in ("a", "b", POOLED):
        assert out[view]["ensemble"] == pytest.approx(out[view]["singles"][0])


def test_independent_noise_averages_out_and_pooled_stacks_views():
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1], 300)
    members = [scores_for(y, 3.0, rng) for _ in range(5)]
    out = ensemble_table(members, y, ["a", "b"])
    assert out["a"]["ensemble"] > max(out["a"]["singles"]) + 0.01
    first = np.concatenate([members[0]["a"], members[0]["b"]])
    pooled = roc_auc_score(np.concatenate([y, y]), first)
    assert out[POOLED]["singles"][0] == pytest.approx(pooled)


def test_a_view_on_other_images_is_scored_against_its_own_labels():
    """The unseen cohort has its own images and labels; pooled views keep the shared ones."""
    rng = np.random.default_rng(2)
    y = np.repeat([0, 1], 100)
    y_unseen = np.repeat([0, 1], [30, 10])
    members = [{**scores_for(y, 2.0, rng), "unseen": scores_for(y_unseen, 2.0, rng)["a"]}]
    out = ensemble_table(members, y, ["a", "b"], {"unseen": y_unseen})
    assert out["unseen"]["singles"][0] == pytest.approx(
        roc_auc_score(y_unseen, members[0]["unseen"])
    )
    with pytest.raises(ValueError):
        ensemble_table(members, y, ["a", "b"])  # 40 scores against 200 labels
