"""Streamlit dashboards of the Huế IOC: the wall, the leaders and the operators.

Run with ``hue-ioc dashboard`` (see hue_ioc/commands/dashboard.py); pages live in ``app_pages/``."""
