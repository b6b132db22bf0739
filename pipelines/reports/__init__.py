"""Citizen reports, write side: source batches → bronze (``bronze``) → silver (``conform``) → gold (``gold``);
``build`` runs the steps over a lake. Reads what ``pipelines.sources`` produces."""
