// Validates the API's OpenAPI description against the OpenAPI 3.1 schema and resolves every
// reference in it, with swagger-parser (pinned by package-lock.json).
//
//   fupin openapi > target/openapi.json && node tests/openapi/validate.mjs target/openapi.json
//
// Exits non-zero, with the validator's message, when the document is not valid.
import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs FILE');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(file, 'utf8'));
if (!String(doc.openapi).startsWith('3.1.')) {
  console.error(`${file}: openapi is ${doc.openapi}, expected 3.1.x`);
  process.exit(1);
}
try {
  const api = await SwaggerParser.validate(doc);
  const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
  const operations = Object.values(api.paths).reduce(
    (n, item) => n + methods.filter((m) => item[m]).length,
    0,
  );
  console.log(
    `${file}: valid OpenAPI ${api.openapi} (${Object.keys(api.paths).length} paths, ` +
      `${operations} operations, ${Object.keys(api.components?.schemas ?? {}).length} schemas)`,
  );
} catch (e) {
  console.error(`${file}: not a valid OpenAPI description:\n${e.message}`);
  process.exit(1);
}
