"""The model store: cards, file names, loading, the scorer and its TFLite twin."""
