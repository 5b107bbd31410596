// The circuit breaker: a vendor that keeps failing stops receiving calls,
// from every worker, for a cooldown; then one probe decides.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI from 'openai-7.59';

import { startKlingMock, startOpenAIMock } from '../mocks/index.mjs';
import { startGateway, stopAll, vendorLines } from '../lib/gateway.mjs';
import { get, postJson, sleep } from '../lib/http.mjs';

let kling;
let openai;
let gw;

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 150 });
  openai = await startOpenAIMock({ inProgressAfterMs: 50, doneAfterMs: 150 });
  gw = await startGateway({
    name: 'breaker',
    workers: 2,
    http: `${vendorLines({ kling, openai })}
    vgw_circuit_breaker failures=3 cooldown=4s;`,
  });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  await kling?.close();
  await openai?.close();
  assert.deepEqual(serious, []);
});

const vendorCalls = () => kling.requests.filter((r) => r.method === 'POST').length;
const unavailable = { on: 'create', status: 503, body: { code: 5001, message: 'service busy', request_id: 'r' } };

test('after 3 failures no worker calls the vendor; the SDK sees 503 with Retry-After; other vendors are untouched', async () => {
  const video = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'before the outage' });
  assert.equal(video.status, 200, video.text);
  for (let i = 0; i < 200; i++) kling.failNext(unavailable);
  const before = vendorCalls();
  const client = new OpenAI({ apiKey: 'sk-client-tenant-a', baseURL: `${gw.url}/v1`, maxRetries: 0 });
  const outcomes = [];
  for (let i = 0; i < 50; i++) {
    outcomes.push(await client.videos.create({ model: 'kling-v2-6', prompt: `outage ${i}` }).catch((e) => e));
  }
  assert.ok(outcomes.every((e) => e instanceof OpenAI.APIError && e.status >= 500), outcomes.map(String).join('\n'));
  assert.equal(vendorCalls() - before, 3, 'only the calls that opened the breaker reached the vendor');
  const refused = outcomes.at(-1);
  assert.equal(refused.status, 503);
  assert.equal(refused.code, 'vendor_unavailable');
  const wait = Number(refused.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 4, `Retry-After ${wait}`);
  // Polls of that vendor are held back too, once a worker that found it
  // closed this second looks again (the next second); another vendor is not.
  await sleep(1100);
  const poll = await get(gw.url, `/v1/videos/${video.json.id}`);
  assert.equal(poll.status, 503, poll.text);
  const other = await postJson(gw.url, '/v1/videos', { model: 'sora-2', prompt: 'another vendor' });
  assert.equal(other.status, 200, other.text);
});

test('after the cooldown one probe goes through: a failed one re-opens it, a good one closes it', async () => {
  await sleep(3100); // the cooldown (4s) runs out; the vendor is still down
  const before = vendorCalls();
  const probe = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'probe' });
  assert.ok(probe.status >= 500, probe.text);
  assert.equal(vendorCalls() - before, 1, 'one probe');
  const held = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'held' });
  assert.equal(held.status, 503);
  assert.equal(held.json.error.code, 'vendor_unavailable');
  assert.equal(vendorCalls() - before, 1, 'open again after the failed probe');

  kling.clearFaults(); // the vendor recovers
  await sleep(4100);
  const ok = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'recovered' });
  assert.equal(ok.status, 200, ok.text);
  for (let i = 0; i < 6; i++) {
    const again = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: `closed ${i}` });
    assert.equal(again.status, 200, again.text);
  }
  assert.equal(vendorCalls() - before, 8);
});
