"""Entry point of the Prefect flow `build_warehouse` (defined in retention_warehouse.orchestration.flow).

    python flows/build_warehouse.py    serve the `daily` deployment on its cron schedule
    prefect deploy flows/build_warehouse.py:build_warehouse    (for a work pool)

`retention-warehouse run` runs the flow once, without this file.
"""

from retention_warehouse.orchestration.flow import build_warehouse, serve_daily

__all__ = ["build_warehouse"]

if __name__ == "__main__":
    serve_daily()
