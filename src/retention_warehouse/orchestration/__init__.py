"""Write-audit-publish orchestration: land, build, validate, publish and report the warehouse.

The Prefect flow in flows/build_warehouse.py wires these modules together; each module works
without Prefect so it can be tested and reused on its own.
"""
