"""The out-of-distribution gate: a fitted distance on feature vectors."""
