"""The ground floor: settings, time and calendar, formatting, labels and the KPI formulas.

Everything here is pure or reads only the environment; every other package may import it and it
imports none of them.
"""
