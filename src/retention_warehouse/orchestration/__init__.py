"""Write-audit-publish orchestration: land, build, validate, publish and report the warehouse.

The Prefect flow (flow.py; flows/build_warehouse.py is its entry point for serving) wires these
modules together; every other module works without Prefect, so it can be tested and reused alone.
"""
