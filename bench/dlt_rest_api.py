"""dlt's rest_api source loading /v1/bench/events into DuckDB, as the ingest benchmark's reference.

Run by bench/ingest.ts with .venv-dlt/bin/python; prints one JSON line with the timing.
"""
import argparse
import json
import os
import resource
import time

import dlt
from dlt.sources.rest_api import rest_api_source

parser = argparse.ArgumentParser()
parser.add_argument("--url", required=True)
parser.add_argument("--token", default="bench-token")
parser.add_argument("--records", type=int, default=1_000_000)
parser.add_argument("--limit", type=int, default=10_000)
parser.add_argument("--dir", required=True)
args = parser.parse_args()

os.environ["DLT_DATA_DIR"] = os.path.join(args.dir, "dlt-data")
os.environ["RUNTIME__LOG_LEVEL"] = "WARNING"

source = rest_api_source(
    {
        "client": {
            "base_url": args.url,
            "auth": {"type": "bearer", "token": args.token},
            "paginator": {"type": "cursor", "cursor_path": "next_cursor", "cursor_param": "cursor"},
        },
        "resources": [
            {
                "name": "events",
                "endpoint": {"path": "v1/bench/events", "params": {"limit": args.limit, "total": args.records}, "data_selector": "data"},
            }
        ],
    }
)
pipeline = dlt.pipeline(
    pipeline_name="bench",
    pipelines_dir=os.path.join(args.dir, "dlt-pipelines"),
    destination=dlt.destinations.duckdb(os.path.join(args.dir, "dlt.duckdb")),
    dataset_name="bronze",
)

def cpu_seconds():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


started, cpu_started = time.perf_counter(), cpu_seconds()
pipeline.run(source)
seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started

with pipeline.sql_client() as client:
    rows = client.execute_sql("SELECT COUNT(*) FROM events")[0][0]
print(json.dumps({"seconds": seconds, "cpuSeconds": cpu, "rows": rows, "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
