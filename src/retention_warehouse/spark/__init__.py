"""Apache Spark support: a Spark session configured from the dbt profile, table I/O for the Python
steps, and the DuckDB-vs-Spark equivalence check (`retention-warehouse compare-engines`)."""
