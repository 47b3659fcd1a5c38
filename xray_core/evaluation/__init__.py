"""Figures of a model: on a folder, under shift, on cohorts, for the pages."""
