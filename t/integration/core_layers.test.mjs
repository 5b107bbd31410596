// The pure core's folders form a DAG (each folder a layer that includes only
// layers below it), and no core file includes nginx: the core builds,
// tests and fuzzes on its own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../lib/gateway.mjs';

const CORE = join(ROOT, 'src/core');

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(cpp|hpp)$/.test(name) ? [path] : [];
  });
}

// folder -> the other core folders its files include
function folderGraph() {
  const graph = new Map();
  for (const file of sources(CORE)) {
    const rel = file.slice(CORE.length + 1);
    if (!rel.includes('/')) continue; // gateway.*, http_types.*: the top and the bottom
    const folder = rel.split('/')[0];
    if (!graph.has(folder)) graph.set(folder, new Set());
    for (const [, target] of readFileSync(file, 'utf8').matchAll(/#include "([a-z_]+)\/[^"]+"/g)) {
      if (target !== folder) graph.get(folder).add(target);
    }
  }
  return graph;
}

test('the core\'s folders form a DAG', () => {
  const graph = folderGraph();
  assert.ok(graph.size >= 10, [...graph.keys()].join(' '));
  const state = new Map(); // 1: on the path, 2: done
  const cycle = [];
  const visit = (node, path) => {
    if (state.get(node) === 2) return false;
    if (state.get(node) === 1) {
      cycle.push(...path.slice(path.indexOf(node)), node);
      return true;
    }
    state.set(node, 1);
    for (const next of graph.get(node) ?? []) if (visit(next, [...path, node])) return true;
    state.set(node, 2);
    return false;
  };
  for (const node of graph.keys()) {
    if (visit(node, [])) break;
  }
  assert.deepEqual(cycle, [], `include cycle: ${cycle.join(' -> ')}`);
});

test('no core file includes nginx or the nginx layer', () => {
  const offenders = sources(CORE).filter((file) =>
    /#include\s*[<"](ngx_|nginx|ngx\/)/.test(readFileSync(file, 'utf8')));
  assert.deepEqual(offenders, []);
});
