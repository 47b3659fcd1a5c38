"""What the models are for and whom they were trained on: the one place for this text.

The model card records the long forms (each card.json keeps its own copy, as trained); the app,
CLI and reports take the short forms from here.
"""

INTENDED_USE = (
    "Research and education only. Not a medical device: it must not be used to diagnose, "
    "treat or triage patients."
)
INTENDED_USE_SHORT = "Research and education only, not a medical device."
HOSPITAL = "Guangzhou Women and Children's Medical Center"
POPULATION_SHORT = "children aged 1–5 from one hospital"
POPULATION = (
    f"Trained on pediatric frontal chest X-rays of {POPULATION_SHORT} ({HOSPITAL}); "
    "performance on adults, other hospitals, other scanners or lateral views is unknown."
)
CITATION = (
    "Kermany D, Zhang K, Goldbaum M (2018). Labeled Optical Coherence Tomography (OCT) and "
    "Chest X-Ray Images for Classification. Mendeley Data v2, doi:10.17632/rscbjbr9sj.2 "
    "(CC BY 4.0)."
)
