// Usage records through nginx's own log machinery: a record when a create
// makes a task, and exactly one when a poll first sees it end (completed:
// billable; failed: not), however many polls, on however many workers.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

import { startKlingMock } from '../mocks/index.mjs';
import { startGateway, stopAll, vendorLines } from '../lib/gateway.mjs';
import { get, postJson, sleep } from '../lib/http.mjs';

let kling;
let gw;

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 300 });
  gw = await startGateway({
    name: 'usage',
    workers: 2,
    http: `${vendorLines({ kling })}
    log_format vgw_usage escape=none '$vgw_usage';`,
    server: 'access_log logs/usage.log vgw_usage if=$vgw_usage;',
  });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  await kling?.close();
  assert.deepEqual(serious, []);
});

function records() {
  const path = join(gw.dir, 'logs/usage.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

async function pollStorm(id) {
  // 40 polls, 8 at a time, across both workers, through the task's end.
  for (let wave = 0; wave < 5; wave++) {
    const polls = await Promise.all(Array.from({ length: 8 }, () => get(gw.url, `/v1/videos/${id}`)));
    for (const p of polls) assert.equal(p.status, 200, p.text);
    await sleep(100);
  }
}

test('one created record per task and exactly one final record, billable only when completed', async () => {
  const ok = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'billable', seconds: '8', size: '720x1280' });
  const bad = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'free [mock:fail]' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(bad.status, 200, bad.text);
  await Promise.all([pollStorm(ok.json.id), pollStorm(bad.json.id)]);
  await sleep(200); // the access log is written as each request ends
  const all = records();
  const of = (id, event) => all.filter((r) => r.video_id === id && r.event === event);
  assert.equal(of(ok.json.id, 'created').length, 1, JSON.stringify(all));
  assert.equal(of(ok.json.id, 'completed').length, 1, JSON.stringify(all));
  assert.equal(of(bad.json.id, 'created').length, 1);
  assert.equal(of(bad.json.id, 'failed').length, 1, JSON.stringify(all));
  assert.equal(of(bad.json.id, 'completed').length, 0);
  const [done] = of(ok.json.id, 'completed');
  assert.equal(done.billable, true);
  assert.equal(done.vendor, 'kling');
  assert.equal(done.model, 'kling-v2-6');
  assert.equal(done.seconds, '10', 'the seconds Kling renders');
  assert.equal(done.size, '720x1280');
  assert.ok(done.created_at > 0 && done.completed_at >= done.created_at);
  assert.equal(of(bad.json.id, 'failed')[0].billable, false);
  assert.equal(of(ok.json.id, 'created')[0].seconds, '10');
  assert.equal(all.length, 4, 'nothing else');
});
