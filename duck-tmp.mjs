import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
for (const s of process.argv.slice(2)) {
  try { const r = await c.runAndReadAll(s); console.log(JSON.stringify(r.getRowsJS(), (k,v)=>typeof v==='bigint'?v.toString():v), r.columnTypes().map(String)); } catch (e) { console.log('ERR', e.message.split('\n').slice(0,3).join(' | ')); }
}
