"""Celery settings of a camera-fleet worker: the same ones the executor uses (hue_ioc.defs.cameras).

``celery -A dagster_celery.app worker`` imports a module named ``dagster_celery_config`` when it is on the
path; put this folder on PYTHONPATH beside the repository:

    PYTHONPATH=$PWD:$PWD/deploy/celery celery -A dagster_celery.app worker -Q dagster -P solo -n cam1@%h
"""

from hue_ioc.defs.cameras import celery_settings

globals().update(celery_settings())
