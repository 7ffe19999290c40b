# Runs the SQL that dbt test or soda scan ran, as they ran it (one statement after the other, on one
# connection, read-only), to time their query work alone. bench/quality.ts starts it in .venv-quality.
#   python bench/quality_sql.py <file.duckdb> <statements.json>
# Prints one JSON line: the seconds each statement took and their sum.
import json
import sys
import time

import duckdb

db, statements_file = sys.argv[1], sys.argv[2]
with open(statements_file) as f:
    statements = json.load(f)
connection = duckdb.connect(db, read_only=True)
seconds = []
for sql in statements:
    started = time.perf_counter()
    connection.execute(sql).fetchall()
    seconds.append(time.perf_counter() - started)
connection.close()
print(json.dumps({"seconds": sum(seconds), "each": seconds}))
