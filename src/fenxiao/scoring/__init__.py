"""Scoring: the five dimensions, metrics, scorecards, the scorer plug-in point and its registry."""
