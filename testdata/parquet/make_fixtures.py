# Makes testdata/parquet/*.parquet from the first 50 rows of
# testdata/market/binance-usdm/BTCUSDT-1m.csv with pyarrow.
import csv, decimal, pyarrow as pa, pyarrow.parquet as pq
rows = list(csv.DictReader(open("testdata/market/binance-usdm/BTCUSDT-1m.csv")))[:50]
names = ["open", "high", "low", "close", "volume"]
t = [int(r["timestamp"]) for r in rows]
dec = {n: [decimal.Decimal(r[n]) for r in rows] for n in names}
table = pa.table(
    {"timestamp": pa.array(t, pa.timestamp("ms", tz="UTC"))}
    | {n: pa.array(dec[n], pa.decimal128(18, 3)) for n in names}
)
pq.write_table(table, "testdata/parquet/btcusdt-1m-decimal.parquet", compression="snappy")
table = pa.table(
    {"Timestamp": pa.array([x * 1000 for x in t], pa.timestamp("us"))}
    | {n.capitalize(): pa.array([float(r[n]) for r in rows], pa.float64()) for n in names}
)
pq.write_table(table, "testdata/parquet/btcusdt-1m-float.parquet", compression="zstd")
