#!/usr/bin/env bash
# Checks every Cypher statement of src/Retrieval.Storage.Neo4j/Cypher.cs with Neo4j's own parser and semantic
# analysis (the npm package @neo4j-cypher/language-support), as Cypher 5 and Cypher 25: syntax, variable scope,
# deprecations. No Neo4j server needed. Needs node + npm and python3; installs the package into a temp folder.
#   tests/scripts/neo4j-cypher-lint.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund @neo4j-cypher/language-support@2.0.0-next.38 >/dev/null 2>&1
python3 "$root/tests/scripts/neo4j-cypher-extract.py" "$root/src/Retrieval.Storage.Neo4j/Cypher.cs" > statements.json
cat > lint.js <<'JS'
const { lintCypherQuery } = require('@neo4j-cypher/language-support');
const statements = require('./statements.json');
let problems = 0;
for (const version of ['CYPHER 5 ', 'CYPHER 25 ']) {
  for (const [name, query] of Object.entries(statements)) {
    const result = lintCypherQuery(version + query, {});
    for (const d of (result.diagnostics ?? result)) {
      // Parameters are bound at run time; UpsertRelations matches two entities by unique id on purpose.
      if (/^Parameter \$\w+ is not defined/.test(d.message) || /cartesian product/.test(d.message)) continue;
      if (d.severity === 1 || d.severity === 2) { problems++; console.log(`${version.trim()} ${name}: ${d.message}`); }
    }
  }
}
console.log(`${Object.keys(statements).length} statements checked as Cypher 5 and 25: ${problems} problems`);
process.exit(problems === 0 ? 0 : 1);
JS
node lint.js
