"""The file names of a model store: one folder per model, one marker file for the default.

    model_store/
        DEFAULT                      the default model's name (one line)
        seed_spread.json             each shipped model's recipe over training seeds
                                     (research.seed_spread; read by xray_core.evaluation.compare;
                                     every recipe measured: research/seed_spread.json)
        <name>/model.keras           the Keras model (no optimizer state)
        <name>/card.json             the model card (xray_core.store.card.ModelCard)
        <name>/history.json          per-epoch training history
        <name>/gate.npz              the fitted out-of-distribution gate (xray_core.gate.ood)
        <name>/validation_scores.json  labels and scores on its validation split
                                     (xray_core.predict.validation_scores)
        <name>/neighbours.npz        the nearest-case index (xray_core.explain.nearest)
        <name>/external_test.json    figures on the withheld test split, as reported
                                     (`card external-test` puts them on the card)

Modules that read or write a store entry take the names from here. A feature that adds a file
to an entry adds its name here.
"""

DEFAULT_FILE = "DEFAULT"
SEED_SPREAD_FILE = "seed_spread.json"
MODEL_FILE = "model.keras"
CARD_FILE = "card.json"
HISTORY_FILE = "history.json"
GATE_FILE = "gate.npz"
SCORES_FILE = "validation_scores.json"
INDEX_FILE = "neighbours.npz"
EXTERNAL_TEST_FILE = "external_test.json"
