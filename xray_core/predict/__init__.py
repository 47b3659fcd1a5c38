"""One study scored: gate, calibrated probability, label."""
