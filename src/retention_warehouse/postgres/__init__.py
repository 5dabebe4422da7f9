"""PostgreSQL serving: publish the marts to a PostgreSQL schema that BI tools read."""
