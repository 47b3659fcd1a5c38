"""Explanations: one shape for every method, and the checks that say how far to trust a map.

    base          the shape: Param, Explanation (draws itself, lists its checks), helpers
    registry      every method by name: explain(handle, x, method, settings) -> Explanation
    gradcam       Grad-CAM / Grad-CAM++ (tf-keras-vis) on the last convolutional layer
    lime_explain  LIME with a foldover sample design (stable masks at app speed)
    feature_maps  a layer's channels; its mean activation as a map
    handle        ModelHandle: a stored model + lazily built tools and its randomised twin
    faithfulness  pure measures: rank correlation, deletion/insertion curves, border, markers
    checks        run_checks(explanation, explainer, handle, x) -> Faithfulness (figures + a
                  sentence); registry.check(explanation, handle, x) finds the explainer
    nearest       cases like this one: the k nearest training images in feature space
    overlay       drawing (RGB uint8), kept apart from computing

Heatmaps are (H, W) float32 in [0, 1] at the model's input size.
"""
