// callback_url: the vendor calls the gateway back, the gateway checks the
// task with the vendor and sends the client an OpenAI video event, signed
// so that the official SDK's webhooks.unwrap() accepts it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import OpenAI from 'openai-6.49';

import { startKlingMock, startViduMock, startSeedanceMock, startHailuoMock } from '../mocks/index.mjs';
import { CONF_EXAMPLES, startGateway, vendorLines, stopAll, runtimeDir } from '../lib/gateway.mjs';
import { get, postJson, rawRequest, sleep } from '../lib/http.mjs';
import { assertError } from '../lib/assertions.mjs';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
let kling;
let others;
let gw;
let receiver;
const gateways = [];
const events = [];
let receiverStatus = 200;

async function startReceiver() {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      events.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: receiverStatus });
      res.writeHead(receiverStatus);
      res.end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/hooks/video`, close: () => new Promise((r) => server.close(r)) };
}

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 80, doneAfterMs: 300 });
  const timing = { processingAfterMs: 80, doneAfterMs: 300 };
  others = {
    vidu: { mock: await startViduMock(timing), model: 'viduq2' },
    seedance: { mock: await startSeedanceMock(timing), model: 'doubao-seedance-1-0-pro-250528' },
    hailuo: { mock: await startHailuoMock(timing), model: 'MiniMax-Hailuo-02' },
  };
  receiver = await startReceiver();
  const lines = Object.entries(others)
    .map(([name, { mock }]) => `vgw_vendor ${CONF_EXAMPLES}/vendors/${name}.yaml base_url=${mock.url} api_key=${mock.apiKey};`)
    .join('\n    ');
  gw = await startGateway({
    name: 'webhooks',
    http: `${vendorLines({ kling })}
    ${lines}
    vgw_webhook_secret ${secret};
    vgw_webhook_allow 127.0.0.1;`,
  });
});

after(async () => {
  const serious = await stopAll([gw, ...gateways].filter(Boolean));
  await kling?.close();
  for (const { mock } of Object.values(others ?? {})) await mock.close();
  await receiver?.close();
  assert.deepEqual(serious, []);
});

async function waitFor(predicate, what, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('a completed video reaches the client as a signed video.completed event', async () => {
  const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'notify me', callback_url: receiver.url });
  assert.equal(r.status, 200, r.text);
  const sent = kling.requests.filter((q) => q.method === 'POST').at(-1).body;
  assert.match(sent.callback_url, new RegExp(`^${gw.url}/v1/vgw/callbacks/cb_[A-Za-z0-9_-]+$`), 'Kling gets the gateway\'s URL');
  assert.ok(!JSON.stringify(sent).includes(receiver.url), 'the client URL never reaches the vendor');

  await waitFor(() => events.length >= 1, 'the event');
  const taskId = [...kling.tasks.keys()].at(-1);
  const processing = kling.callbacks.find((c) => c.taskId === taskId && c.state === 'processing');
  assert.equal(processing.answer.status, 200, 'an update before the end is acknowledged, not forwarded');
  assert.equal(events.length, 1);

  const client = new OpenAI({ apiKey: 'unused', webhookSecret: secret });
  const event = await client.webhooks.unwrap(events[0].body, events[0].headers);
  assert.equal(event.type, 'video.completed');
  assert.equal(event.object, 'event');
  assert.match(event.id, /^evt_/);
  assert.equal(event.data.id, r.json.id, 'the very id the create returned');
  await waitFor(() => kling.callbacks.some((c) => c.taskId === taskId && c.state === 'succeed' && c.answer), 'Kling\'s answer');
  assert.equal(kling.callbacks.find((c) => c.taskId === taskId && c.state === 'succeed').answer.status, 200);
  await assert.rejects(client.webhooks.unwrap(events[0].body.replace('completed', 'failed'), events[0].headers));
});

test('a failed video sends video.failed; the client endpoint failing makes the vendor retry', async () => {
  events.length = 0;
  receiverStatus = 500;
  const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: '[mock:fail] notify', callback_url: receiver.url });
  assert.equal(r.status, 200, r.text);
  const taskId = [...kling.tasks.keys()].at(-1);
  await waitFor(() => kling.callbacks.some((c) => c.taskId === taskId && c.state === 'failed' && c.answer), 'Kling\'s answer');
  const answer = kling.callbacks.find((c) => c.taskId === taskId && c.state === 'failed').answer;
  assert.equal(answer.status, 502, 'the vendor is told to retry');
  assert.equal(events.length, 2, 'two attempts, then give up');
  assert.equal(events[0].headers['webhook-id'], events[1].headers['webhook-id'], 'a retry keeps the event id');
  const client = new OpenAI({ apiKey: 'unused', webhookSecret: secret });
  const event = await client.webhooks.unwrap(events[0].body, events[0].headers);
  assert.equal(event.type, 'video.failed');
  assert.equal(event.data.id, r.json.id);
  receiverStatus = 200;
});

test('callback targets: internal addresses and hosts off the allow list are refused', async () => {
  for (const url of ['http://10.0.0.5/hook', 'http://localhost:9/hook', 'http://[::1]/x', 'ftp://example.com/x']) {
    const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'x', callback_url: url });
    assertError(r, 400, { param: 'callback_url', code: 'invalid_callback_url' });
  }
  const before = kling.createCount();
  const meta = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'x', metadata: { callback_url: 'https://hooks.example.com/x' } });
  assertError(meta, 400, { param: 'callback_url' });
  assert.match(meta.json.error.message, /allow list/);
  assert.equal(kling.createCount(), before, 'nothing was created');
});

test('forged or foreign callbacks are refused', async () => {
  const forged = await rawRequest(gw.url, {
    method: 'POST', path: '/v1/vgw/callbacks/cb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ task_id: '1' }),
  });
  assertError(forged, 404, { code: 'unknown_callback' });
  const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'x' });
  const asToken = await rawRequest(gw.url, {
    method: 'POST', path: `/v1/vgw/callbacks/${r.json.id.replace('video_', 'cb_')}`,
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ task_id: '1' }),
  });
  assertError(asToken, 404, { code: 'unknown_callback' });
});

test('Vidu, Seedance and MiniMax (after its URL challenge) call back the same way', async () => {
  const client = new OpenAI({ apiKey: 'unused', webhookSecret: secret });
  for (const [name, { mock, model }] of Object.entries(others)) {
    events.length = 0;
    const r = await postJson(gw.url, '/v1/videos', { model, prompt: `${name} notifies`, callback_url: receiver.url });
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    await waitFor(() => events.length >= 1, `${name}'s event`);
    const event = await client.webhooks.unwrap(events[0].body, events[0].headers);
    assert.equal(event.type, 'video.completed', name);
    assert.equal(event.data.id, r.json.id, name);
    const taskId = [...mock.tasks.keys()].at(-1);
    await waitFor(() => mock.callbacks.filter((c) => c.taskId === taskId && c.answer).length === 2, `${name} callbacks answered`);
    for (const c of mock.callbacks.filter((x) => x.taskId === taskId)) assert.equal(c.answer.status, 200, `${name} ${c.state}`);
    assert.equal(events.length, 1, `${name}: one event per video`);
  }
});

test('a callback that sees the task end writes its usage record and frees the tenant\'s task slot, before any poll', async () => {
  const key = 'sk-hooked-0123456789abcdef';
  const keys = join(runtimeDir('webhook-keys'), 'tenants.yaml');
  writeFileSync(keys, `tenants:
  - name: hooked
    keys: [sha256:${createHash('sha256').update(key).digest('hex')}]
    limits: {concurrent_tasks: 1}
`);
  const g = await startGateway({
    name: 'webhook-usage',
    http: `${vendorLines({ kling })}
    vgw_webhook_secret ${secret};
    vgw_webhook_allow 127.0.0.1;
    vgw_client_keys ${keys};
    log_format vgw_usage escape=none '$vgw_usage';`,
    server: 'access_log logs/usage.log vgw_usage if=$vgw_usage;',
  });
  gateways.push(g);
  const usage = () => {
    const path = join(g.dir, 'logs/usage.log');
    return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  };
  const auth = `Bearer ${key}`;
  events.length = 0;
  const first = await postJson(g.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'hooked', callback_url: receiver.url }, { auth });
  assert.equal(first.status, 200, first.text);
  const busy = await postJson(g.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'busy' }, { auth });
  assert.equal(busy.status, 429, busy.text);
  assert.equal(busy.json.error.code, 'concurrent_tasks_exceeded');
  await waitFor(() => events.length >= 1, 'the event');
  await waitFor(() => usage().some((r) => r.event === 'completed'), 'the usage record');
  const [record] = usage().filter((r) => r.event === 'completed');
  assert.equal(record.video_id, first.json.id);
  assert.equal(record.tenant, 'hooked');
  assert.equal(record.billable, true);
  const next = await postJson(g.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'next' }, { auth });
  assert.equal(next.status, 200, `the callback freed the slot: ${next.text}`);
  const polled = await get(g.url, `/v1/videos/${first.json.id}`, { auth });
  assert.equal(polled.json.status, 'completed');
  await sleep(100);
  assert.equal(usage().filter((r) => r.video_id === first.json.id && r.event !== 'created').length, 1,
    'a later poll writes no second record');
  const again = await postJson(g.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'still one slot' }, { auth });
  assert.equal(again.status, 429, 'nor frees a second slot');
});
