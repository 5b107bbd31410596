// The benchmark (./build.sh bench) in a very short smoke mode, to prove it
// still runs end to end. No figure is asserted: timings belong to the
// benchmark's report, never to the test suite.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../lib/gateway.mjs';

test('the benchmark runs in smoke mode and writes its table', { timeout: 240_000 }, () => {
  const run = spawnSync(process.execPath, [join(ROOT, 't/bench/bench.mjs'), '--smoke'], { encoding: 'utf8', timeout: 230_000 });
  assert.equal(run.status, 0, run.stderr + run.stdout);
  const results = JSON.parse(readFileSync(join(ROOT, 'build/bench-smoke/results.json'), 'utf8'));
  assert.deepEqual(results.rows.map((r) => r.name), ['JSON create', 'multipart create', 'multipart create, 1 MiB image', 'retrieve']);
  for (const r of results.rows) {
    for (const side of ['floor_keepalive', 'floor_new', 'module']) {
      assert.ok(r[side].rps > 0 && r[side].p50 > 0 && r[side].cpuUs > 0, `${r.name} ${side}`);
    }
  }
  assert.equal(results.streams.length, 2);
  assert.ok(results.storm.rps > 0 && results.storm.vendorPerSecond > 0, 'the poll-storm row');
  assert.ok(readFileSync(join(ROOT, 'build/bench-smoke/results.md'), 'utf8').includes('| Streaming |'));
});
