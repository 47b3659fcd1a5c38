"""Archive scoring: every file of a folder tree or manifest -> one row each, streamed to
CSV or Parquet (`python -m xray_core score`).

Modules:
    inputs      walk a folder tree or read a manifest CSV (path[,label]) -> entries
    scoring     the one batch scoring function both engines call (decode, contract, model,
                calibration, the gate exactly as `inference.assess` decides)
    sink        streaming CSV / Parquet writers: one write per row, strict reading (a cut
                last row found and cut before resume), the OWASP rule on CSV cells
    local       the local engine: a bounded decode pool feeding batched inference
    ray_engine  the same scoring function on Ray Data (optional: requirements-scale.txt)
    run         the orchestration: resume, engine, progress line, summary
"""
