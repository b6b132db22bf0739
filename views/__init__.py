"""Every figure a person sees, computed once as plain functions over the lake.

Screens, the monthly PDF and XLSX, the API and ``hue-ioc kpis`` call these functions, so they cannot
disagree.
"""
