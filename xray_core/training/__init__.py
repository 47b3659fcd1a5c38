"""Training a model: the config, augmentation, the fit and its card."""
