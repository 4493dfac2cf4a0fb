// Runs one SPARQL query with Comunica (npm @comunica/query-sparql, installed by
// scripts/setup.sh --test) against a source given by URL alone, so that Comunica
// itself finds out, from the service description, that it is a SPARQL endpoint.
// Usage: node comunica_query.mjs URL QUERY  -> one JSON object on stdout:
// {"kind": "bindings"|"quads"|"boolean", "rows": [...], "sourceType": ...}
import { QueryEngine } from "@comunica/query-sparql";

const [url, query] = process.argv.slice(2);
const engine = new QueryEngine();
const context = { sources: [url], lenient: false };
const result = await engine.query(query, context);
const out = { kind: result.resultType, rows: [] };
if (result.resultType === "bindings") {
  const stream = await result.execute();
  for await (const bindings of stream) {
    const row = {};
    for (const [variable, term] of bindings) {
      row[variable.value] = { termType: term.termType, value: term.value };
    }
    out.rows.push(row);
  }
} else if (result.resultType === "quads") {
  const stream = await result.execute();
  for await (const quad of stream) {
    out.rows.push([quad.subject.value, quad.predicate.value, quad.object.value]);
  }
} else {
  out.rows.push(await result.execute());
}
process.stdout.write(JSON.stringify(out) + "\n");
