"""Grading: tier policies, decisions and their explanations, lint, history, perks and subsidies."""
