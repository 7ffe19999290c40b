import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:'); const c = await db.connect();
const q = async (s) => { try { const r = await c.runAndReadAll(s); console.log(JSON.stringify(r.getRowObjectsJson())); } catch (e) { console.log('ERR', e.message.split('\n')[0]); } };
await q(`create macro f(x DATE) AS x + 1, (x TIMESTAMP) AS x + INTERVAL 1 DAY, (x) AS 'other'`);
await q(`create macro sf_lateral(same, place) AS same OR CAST(CASE WHEN same IS NULL OR NOT same THEN place END AS BOOLEAN)`);
await q(`create table t(d varchar, a varchar); insert into t values ('2024-01-01', '2025-01-01')`);
await q(`select d::DATE as a, CASE WHEN sf_lateral(a IS NOT DISTINCT FROM (d::DATE), 'boom') THEN f(d::DATE) END from t`);
await q(`select d::DATE as b, CASE WHEN sf_lateral(b IS NOT DISTINCT FROM (d::DATE), 'boom') THEN f(d::DATE) END from t`);
await q(`select d::DATE as b, CASE WHEN sf_lateral(b IS NOT DISTINCT FROM (d::DATE), 'boom') THEN f(d::DATE) END from t where false`);
