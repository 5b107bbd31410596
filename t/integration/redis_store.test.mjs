// The store for a fleet: two gateways (two workers each) on one real
// redis-server (with a password and its own database), reached through an
// upstream{} block with keepalive. They share Idempotency-Keys, tenant
// limits, circuit breakers, usage claims and the catalogue of videos
// (lists, prompts, tombstones); polls of one video on both coalesce into
// one vendor status call per period. With Redis stopped mid-run
// every existing video stays readable, limits fail open and idempotent
// creates fail closed, until Redis is back.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import OpenAI from 'openai-7.59';

import { startKlingMock } from '../mocks/index.mjs';
import { startGateway, stopAll, vendorLines, runtimeDir } from '../lib/gateway.mjs';
import { get, postJson, pollUntil, sleep } from '../lib/http.mjs';
import { startRedis } from '../lib/redis.mjs';

const ACME_KEY = 'sk-acme-0123456789abcdef-fleet';
const BETA_KEY = 'sk-beta-0123456789abcdef-fleet';
const digest = (key) => `sha256:${createHash('sha256').update(key).digest('hex')}`;
const PASSWORD = 'redis-secret-0123';
const DB = 3;

let redis;
let kling;
let slowKling;
let a;
let b;
const gateways = [];

function keysFile() {
  const path = join(runtimeDir('fleet-keys'), 'tenants.yaml');
  writeFileSync(path, `tenants:
  - name: acme
    keys: [${digest(ACME_KEY)}]
    limits: {creates_per_minute: 1000}
  - name: beta
    keys: [${digest(BETA_KEY)}]
    limits: {creates_per_minute: 3}
`);
  return path;
}

before(async () => {
  redis = await startRedis({ password: PASSWORD });
  kling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 300 });
  const keys = keysFile();
  const passwordFile = join(runtimeDir('fleet-keys'), 'redis-password');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  slowKling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 150, statusDelayMs: 200 });
  const options = (name, vendor = kling, extra = '') => ({
    name,
    workers: 2,
    http: `${vendorLines({ kling: vendor })}${extra}
    vgw_client_keys ${keys};
    vgw_circuit_breaker failures=2 cooldown=30s;
    upstream fleet_store {
        server 127.0.0.1:${redis.port} max_fails=0;
        keepalive 4;
    }
    vgw_store_redis fleet_store db=${DB} password=file:${passwordFile} timeout=500ms;
    log_format vgw_usage escape=none '$vgw_usage';`,
    server: 'access_log logs/usage.log vgw_usage if=$vgw_usage;',
  });
  a = await startGateway(options('fleet-a'));
  gateways.push(a);
  b = await startGateway(options('fleet-b'));
  gateways.push(b);
  for (const name of ['fleet-polls-c', 'fleet-polls-d']) {
    gateways.push(await startGateway(options(name, slowKling, '\n    vgw_status_cache 2s;')));
  }
});

after(async () => {
  const serious = await stopAll(gateways);
  await kling?.close();
  await slowKling?.close();
  await redis?.close();
  assert.deepEqual(serious, []);
});

let serial = 0;
const freshKey = () => `fleet-${process.pid}-${Date.now()}-${serial++}`;
const acme = { auth: `Bearer ${ACME_KEY}` };
const beta = { auth: `Bearer ${BETA_KEY}` };
const create = (gw, body, key, who = acme) =>
  postJson(gw.url, '/v1/videos', body, { ...who, headers: key ? { 'Idempotency-Key': key } : {} });

function usage(gw) {
  const path = join(gw.dir, 'logs/usage.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test('an Idempotency-Key is one task across two gateways, kept in Redis with a 24 h expiry', async () => {
  const key = freshKey();
  const tasks = kling.createCount();
  const first = await create(a, { model: 'kling-v2-6', prompt: 'fleet once' }, key);
  assert.equal(first.status, 200, first.text);
  const again = await create(b, { model: 'kling-v2-6', prompt: 'fleet once' }, key);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.id, first.json.id, 'the other gateway replays the answer');
  assert.equal(kling.createCount(), tasks + 1);
  const changed = await create(b, { model: 'kling-v2-6', prompt: 'fleet twice' }, key);
  assert.equal(changed.status, 422, changed.text);
  assert.equal(changed.json.error.code, 'idempotency_key_reused');

  // The keys are Redis's, in the configured database, under the prefix.
  const names = await redis.commandIn(DB, 'KEYS', 'vgw:*');
  const idem = names.filter((n) => n.startsWith('vgw:idem'));
  assert.ok(idem.length >= 1, names.join(' '));
  const ttl = await redis.commandIn(DB, 'TTL', idem[0]);
  assert.ok(ttl > 86000 && ttl <= 86400, `ttl ${ttl}`);
  assert.deepEqual(await redis.command('KEYS', '*'), [], 'nothing in database 0');
});

test('concurrent creates with one key on both gateways make one task; the SDK retries into it', async () => {
  const key = freshKey();
  const tasks = kling.createCount();
  kling.failNext({ afterCreate: { delayMs: 400 } });
  const racing = await Promise.all(
    Array.from({ length: 6 }, (_, i) => create(i % 2 ? b : a, { model: 'kling-v2-6', prompt: 'fleet race' }, key)));
  const statuses = racing.map((r) => r.status);
  assert.ok(statuses.every((s) => s === 200 || s === 409), statuses.join(','));
  assert.ok(statuses.includes(409), 'the others see the key in use');
  const ids = new Set(racing.filter((r) => r.status === 200).map((r) => r.json.id));
  assert.equal(ids.size, 1);
  const sdk = new OpenAI({ apiKey: ACME_KEY, baseURL: `${b.url}/v1` });
  const replayed = await sdk.videos.create({ model: 'kling-v2-6', prompt: 'fleet race' }, { headers: { 'Idempotency-Key': key } });
  assert.equal(replayed.id, [...ids][0]);
  assert.equal(kling.createCount(), tasks + 1);
});

test('a tenant limit is one budget across the fleet', async () => {
  if (new Date().getUTCSeconds() > 50) await sleep(11000); // one minute's bucket
  const tasks = kling.createCount();
  const made = [];
  for (const gw of [a, b, a]) made.push(await create(gw, { model: 'kling-v2-6', prompt: 'beta budget' }, null, beta));
  assert.deepEqual(made.map((r) => r.status), [200, 200, 200]);
  const fourth = await create(b, { model: 'kling-v2-6', prompt: 'beta over' }, null, beta);
  assert.equal(fourth.status, 429, fourth.text);
  assert.equal(fourth.json.error.code, 'rate_limit_exceeded');
  assert.ok(Number(fourth.headers['retry-after']) >= 1);
  assert.equal(kling.createCount(), tasks + 3);
});

test('usage: exactly one final record per task across both gateways', async () => {
  const made = await create(a, { model: 'kling-v2-6', prompt: 'fleet billable' });
  assert.equal(made.status, 200, made.text);
  const id = made.json.id;
  for (let wave = 0; wave < 6; wave++) {
    const polls = await Promise.all([a, b, a, b].map((gw) => get(gw.url, `/v1/videos/${id}`, acme)));
    for (const p of polls) assert.equal(p.status, 200, p.text);
    await sleep(100);
  }
  await pollUntil(a.url, id, acme);
  await sleep(200);
  const finals = [...usage(a), ...usage(b)].filter((r) => r.video_id === id && r.event !== 'created');
  assert.equal(finals.length, 1, JSON.stringify(finals));
  assert.equal(finals[0].event, 'completed');
  assert.equal(finals[0].tenant, 'acme');
});

test('polls of one video on two gateways make one vendor status call per period', async () => {
  const [c, d] = gateways.slice(2);
  const made = await create(c, { model: 'kling-v2-6', prompt: 'fleet storm' });
  assert.equal(made.status, 200, made.text);
  await sleep(200);
  const statusCalls = () => slowKling.requests.filter((r) => r.method === 'GET').length;
  const before = statusCalls();
  // 20 clients at 10 Hz for a second, alternating gateways and connections
  // (four workers): each worker's own cache would cost four calls at least.
  const pollers = Array.from({ length: 20 }, async (_, client) => {
    for (let tick = 0; tick < 10; tick++) {
      const started = Date.now();
      const gw = (client + tick) % 2 ? d : c;
      const p = await get(gw.url, `/v1/videos/${made.json.id}`, { ...acme, headers: { connection: 'close' } });
      assert.equal(p.status, 200, p.text);
      assert.equal(p.json.status, 'completed');
      await sleep(Math.max(0, 100 - (Date.now() - started)));
    }
  });
  await Promise.all(pollers);
  const calls = statusCalls() - before;
  assert.ok(calls >= 1 && calls <= 2, `${calls} vendor status calls for 200 polls on two gateways`);
  const names = await redis.commandIn(DB, 'KEYS', 'vgw:poll:*');
  assert.equal(names.length, 1, names.join(' '));
});

const vendorCreates = () => kling.requests.filter((r) => r.method === 'POST').length;

test('a breaker opened on one gateway protects the vendor from the other', async () => {
  const unavailable = { on: 'create', status: 503, body: { code: 5001, message: 'service busy', request_id: 'r' } };
  for (let i = 0; i < 10; i++) kling.failNext(unavailable);
  for (let i = 0; i < 2; i++) {
    const failed = await create(a, { model: 'kling-v2-6', prompt: `fleet outage ${i}` });
    assert.ok(failed.status >= 500, failed.text);
  }
  await sleep(1100); // a healthy worker reads the shared breaker once a second
  const calls = vendorCreates();
  const refused = await create(b, { model: 'kling-v2-6', prompt: 'fleet refused' });
  assert.equal(refused.status, 503, refused.text);
  assert.equal(refused.json.error.code, 'vendor_unavailable');
  assert.ok(Number(refused.headers['retry-after']) >= 1);
  assert.equal(vendorCreates(), calls, 'the vendor was not called');
  kling.clearFaults();
  await redis.commandIn(DB, 'FLUSHDB');
});

test('the catalogue is the fleet\'s: a video made on one gateway is listed on the other, and deleted on one it is gone on both', async () => {
  const sdk = (gw) => new OpenAI({ apiKey: ACME_KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  const onA = await sdk(a).videos.create({ model: 'kling-v2-6', prompt: 'made on a' });
  const onB = await sdk(b).videos.create({ model: 'kling-v2-6', prompt: 'made on b' });
  const listed = (await sdk(b).videos.list({ limit: 2 })).data;
  assert.deepEqual(listed.map((v) => [v.id, v.prompt]), [[onB.id, 'made on b'], [onA.id, 'made on a']]);
  assert.equal((await sdk(b).videos.retrieve(onA.id)).prompt, 'made on a');
  const betaList = await new OpenAI({ apiKey: BETA_KEY, baseURL: `${a.url}/v1` }).videos.list();
  assert.ok(!betaList.data.some((v) => v.id === onA.id || v.id === onB.id), 'another tenant sees none of them');
  assert.equal((await pollUntil(a.url, onA.id, acme)).video.status, 'completed');
  assert.deepEqual(await sdk(b).videos.delete(onA.id), { id: onA.id, object: 'video.deleted', deleted: true });
  for (const gw of [a, b]) {
    const gone = await get(gw.url, `/v1/videos/${onA.id}`, acme);
    assert.equal(gone.status, 404, gone.text);
    assert.equal(gone.json.error.code, 'video_not_found');
  }
  const after = (await sdk(a).videos.list({ limit: 2 })).data.map((v) => v.id);
  assert.ok(!after.includes(onA.id));
  assert.ok(after.includes(onB.id));
});

test('Redis stopped mid-run: videos stay readable, limits fail open, idempotent creates fail closed; then it is back', async () => {
  const made = await create(a, { model: 'kling-v2-6', prompt: 'before the outage' });
  assert.equal(made.status, 200, made.text);
  await redis.stop();
  try {
    for (const gw of [a, b]) {
      const read = await get(gw.url, `/v1/videos/${made.json.id}`, acme);
      assert.equal(read.status, 200, `an existing id never depends on the store: ${read.text}`);
      const plain = await create(gw, { model: 'kling-v2-6', prompt: 'no key, store down' }, null, beta);
      assert.equal(plain.status, 200, `limits fail open: ${plain.text}`);
      const keyed = await create(gw, { model: 'kling-v2-6', prompt: 'keyed, store down' }, freshKey());
      assert.equal(keyed.status, 503, keyed.text);
      assert.equal(keyed.json.error.code, 'store_unavailable');
    }
  } finally {
    await redis.start();
  }
  const key = freshKey();
  let back;
  for (let i = 0; i < 40; i++) {
    back = await create(b, { model: 'kling-v2-6', prompt: 'after the outage' }, key);
    if (back.status === 200) break;
    await sleep(250);
  }
  assert.equal(back.status, 200, back.text);
  const replay = await create(a, { model: 'kling-v2-6', prompt: 'after the outage' }, key);
  assert.equal(replay.json.id, back.json.id, 'idempotency works again across the fleet');
  for (const gw of [a, b]) assert.match(gw.errorLog(), /Redis store did not answer/);
  for (const gw of [a, b]) assert.doesNotMatch(gw.errorLog(), new RegExp(PASSWORD), 'the password is never logged');
});
