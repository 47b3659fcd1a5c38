"""Explanations: Grad-CAM / Grad-CAM++ (tf-keras-vis), LIME superpixels, feature maps.

Heatmaps are (H, W) float32 in [0, 1] at the model's input size; drawing is in `overlay`.
"""
