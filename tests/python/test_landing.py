"""Landing replacement: whole or not at all, even under kill -9, and never over foreign files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retention_warehouse.generate import generate
from retention_warehouse.importer import OrderFileError, import_orders
from retention_warehouse.landing import MARKER, LandingError, recover
from retention_warehouse.landing.contract import TABLES
from retention_warehouse.orchestration.landed_files import scan_landing

KILL_FRACTIONS = (0.05, 0.25, 0.5, 0.75, 0.9, 0.97)


def fingerprint(raw) -> str:
    return scan_landing(raw).fingerprint


def siblings(raw) -> list[str]:
    return sorted(p.name for p in raw.parent.iterdir() if p.name.startswith(f".{raw.name}."))


def cli(raw, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "retention_warehouse.cli", "--raw-dir", str(raw), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def timed(raw, *args: str) -> float:
    started = time.monotonic()
    assert cli(raw, *args).wait() == 0
    return time.monotonic() - started


def kill_after(raw, seconds: float, *args: str) -> None:
    process = cli(raw, *args)
    time.sleep(seconds)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def landed_schemas(raw) -> dict[str, set[pa.Schema]]:
    """The schema of every landed file, by table folder; partition folders must be the contract's."""
    schemas: dict[str, set[pa.Schema]] = {}
    for table in sorted(p for p in raw.iterdir() if p.is_dir()):
        for path in table.rglob("*.parquet"):
            folder = path.parent.relative_to(table).parts
            partition = TABLES[table.name].partition_column
            assert [part.split("=")[0] for part in folder] == ([partition] if partition else []), path
            schemas.setdefault(table.name, set()).add(pq.read_schema(path).remove_metadata())
    return schemas


def test_generator_and_importer_write_exactly_the_contract_of_the_sources_yaml(tmp_path):
    expected = {name: {table.schema} for name, table in TABLES.items()}
    assert set(expected) == {
        "customers", "products", "orders", "order_items", "marketing_spend", "survey_responses", "experiment_assignments",
    }
    assert TABLES["order_items"].schema.field("quantity").type == pa.int64()
    generate(tmp_path / "generated", orders=500, seed=2)
    assert landed_schemas(tmp_path / "generated") == expected
    source = tmp_path / "orders.csv"
    source.write_text("order_id,customer_id,order_date,amount\nA1,C1,2024-01-05,10.00\nA2,C1,2024-02-07,12.50\n")
    import_orders(source, tmp_path / "imported")
    assert landed_schemas(tmp_path / "imported") == expected


def test_generate_replaces_the_previous_landing_as_a_whole(tmp_path):
    raw = tmp_path / "raw"
    generate(raw, orders=1_000, seed=1, start_date="2020-01-01", years=1)
    generate(raw, orders=1_000, seed=1, start_date="2023-01-01", years=1)
    assert not list((raw / "orders").glob("order_month=2020-*"))
    assert (raw / MARKER).exists()
    assert siblings(raw) == []


@pytest.mark.parametrize(("foreign", "named"), [
    ("orders/important.txt", "orders/important.txt"),
    ("orders/order_month=2024-01/notes.csv", "orders/order_month=2024-01/notes.csv"),
    ("keep.txt", "keep.txt"),
    ("notes/a.md", "notes"),
])
def test_a_folder_with_files_the_project_did_not_write_is_refused(tmp_path, foreign, named):
    raw = tmp_path / "raw"
    generate(raw, orders=1_000, seed=1)
    (raw / MARKER).unlink()  # as a landing written before markers existed
    before = fingerprint(raw)
    (raw / foreign).parent.mkdir(parents=True, exist_ok=True)
    (raw / foreign).write_text("mine")
    with pytest.raises(LandingError, match=f"refusing to replace {raw}: it holds {raw / named},"):
        generate(raw, orders=1_000, seed=2)
    assert (raw / foreign).read_text() == "mine"
    assert fingerprint(raw) == before


def test_an_unmarked_landing_of_only_landing_files_is_replaced(tmp_path):
    raw = tmp_path / "raw"
    generate(raw, orders=1_000, seed=1)
    (raw / MARKER).unlink()
    generate(raw, orders=1_000, seed=2)
    assert (raw / MARKER).exists()


def test_a_rejected_import_keeps_the_previous_landing(tmp_path):
    raw = tmp_path / "raw"
    generate(raw, orders=1_000, seed=1)
    before = fingerprint(raw)
    source = tmp_path / "header_only.csv"
    source.write_text("customer_id,order_date,amount\n")
    with pytest.raises(OrderFileError, match="header_only.csv: no order rows"):
        import_orders(source, raw)
    assert fingerprint(raw) == before
    assert siblings(raw) == []


def test_a_landing_parked_by_a_killed_two_rename_swap_is_restored(tmp_path):
    raw = tmp_path / "raw"
    generate(raw, orders=1_000, seed=1)
    before = fingerprint(raw)
    parked = tmp_path / ".raw.previous-999999"
    os.rename(raw, parked)
    (tmp_path / ".raw.incoming-999999").mkdir()
    recover(raw)
    assert fingerprint(raw) == before
    assert siblings(raw) == []


@pytest.fixture(scope="module")
def two_landings(tmp_path_factory):
    """Fingerprints of landing A (what is there) and landing B (what a replacement writes)."""
    root = tmp_path_factory.mktemp("landings")
    a, b = root / "a" / "raw", root / "b" / "raw"
    generate(a, orders=2_000, seed=1)
    seconds = timed(b, "generate", "--orders", "300000", "--seed", "2")
    return fingerprint(a), fingerprint(b), seconds


@pytest.mark.parametrize("fraction", KILL_FRACTIONS)
def test_kill_during_generate_leaves_the_previous_or_the_new_landing(tmp_path, two_landings, fraction):
    before, after, seconds = two_landings
    raw = tmp_path / "raw"
    generate(raw, orders=2_000, seed=1)
    kill_after(raw, seconds * fraction, "generate", "--orders", "300000", "--seed", "2")
    recover(raw)  # what every command does first
    assert fingerprint(raw) in (before, after)
    assert siblings(raw) == []
    assert cli(raw, "generate", "--orders", "1000", "--seed", "3").wait() == 0


@pytest.fixture(scope="module")
def big_order_file(tmp_path_factory):
    root = tmp_path_factory.mktemp("import")
    rng = np.random.default_rng(5)
    n = 400_000
    days = rng.integers(0, 900, n)
    dates = (np.datetime64("2022-01-01") + days).astype(str)
    amounts = rng.integers(100, 20_000, n) / 100
    path = root / "orders.csv"
    with path.open("w") as handle:
        handle.write("customer_id,order_date,amount\n")
        handle.writelines(f"c{c},{d},{a:.2f}\n" for c, d, a in zip(rng.integers(0, 50_000, n), dates, amounts))
    imported = root / "raw"
    seconds = timed(imported, "import-orders", str(path))
    return path, fingerprint(imported), seconds


@pytest.mark.parametrize("fraction", KILL_FRACTIONS)
def test_kill_during_import_leaves_the_previous_or_the_new_landing(tmp_path, big_order_file, fraction):
    path, after, seconds = big_order_file
    raw = tmp_path / "raw"
    generate(raw, orders=2_000, seed=1)
    before = fingerprint(raw)
    kill_after(raw, seconds * fraction, "import-orders", str(path))
    recover(raw)
    assert fingerprint(raw) in (before, after)
    assert siblings(raw) == []
    assert cli(raw, "import-orders", str(path)).wait() == 0
    assert fingerprint(raw) == after
