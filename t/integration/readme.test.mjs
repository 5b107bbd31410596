// The README's vendor table is generated from the vendor YAML files; this
// fails when someone edits one without regenerating the other.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../lib/gateway.mjs';
import { readmeTable, renderVendorTable, vendorRows } from '../lib/vendor-table.mjs';

test('README vendor table matches conf-examples/vendors/*.yaml', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.equal(readmeTable(readme), renderVendorTable(), 'run: node t/lib/vendor-table.mjs --write');
});

test('every shipped vendor file is in the table', () => {
  const rows = vendorRows().map((r) => r[0]);
  for (const name of ['openai', 'sora-relay', 'kling', 'vidu', 'jimeng', 'hailuo', 'seedance', 'wan', 'veo-gemini', 'veo-vertex']) {
    assert.ok(rows.some((r) => r.includes(`\`${name}.yaml\``)), name);
  }
});
