"""Statistics with no model in them: metrics, calibration, intervals, prevalence."""
