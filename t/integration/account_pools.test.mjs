// Vendor account pools: one vendor's rules loaded under several accounts
// (account=, priority=, weight=, max_tasks=). A create goes to the first
// account with a free task slot, fails over on refusals that leave no task
// (a revoked key, an open breaker, a full account), never after the create
// may have reached the vendor; the id names the account, so polls and
// downloads use the account that made the task. The Kling mock scopes
// tasks per access key, as Kling does.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import OpenAI from 'openai-7.59';

import { startKlingMock } from '../mocks/index.mjs';
import { startGateway, stopAll, CONF_EXAMPLES, nginxTest, renderConfig } from '../lib/gateway.mjs';
import { get, pollUntil, sleep } from '../lib/http.mjs';

const ACCOUNTS = ['a', 'b', 'c', 'd'].map((n) => ({ accessKey: `ak-${n}`, secretKey: `sk-${n}-0123456789` }));
let kling;
const gateways = [];

const account = (name, key, extra = '') =>
  `vgw_vendor ${CONF_EXAMPLES}/vendors/kling.yaml base_url=${kling.url} account=${name} ` +
  `access_key=${key.accessKey} secret_key=${key.secretKey}${extra};`;

async function gatewayOf(name, lines) {
  const gw = await startGateway({
    name,
    workers: 2,
    http: `${lines.join('\n    ')}
    vgw_circuit_breaker failures=2 cooldown=30s;
    log_format vgw_usage escape=none '$vgw_usage';`,
    server: 'access_log logs/usage.log vgw_usage if=$vgw_usage;',
  });
  gateways.push(gw);
  return gw;
}

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 400, accounts: ACCOUNTS });
});

after(async () => {
  const serious = await stopAll(gateways);
  await kling?.close();
  assert.deepEqual(serious, []);
});

const sdk = (gw, options = {}) =>
  new OpenAI({ apiKey: 'sk-client', baseURL: `${gw.url}/v1`, maxRetries: 0, ...options });
const tasksOf = (key) => kling.createCountOf(key.accessKey);
const callsOf = (key, method) =>
  kling.requests.filter((r) => r.method === method && r.tokenClaims?.iss === key.accessKey).length;

function usage(gw) {
  const path = join(gw.dir, 'logs/usage.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test('a full account (max_tasks) passes creates to the next; each id is polled and downloaded on its own account', async () => {
  const [a, b] = ACCOUNTS;
  const gw = await gatewayOf('pool-caps', [account('kling-a', a, ' max_tasks=2'), account('kling-b', b)]);
  const client = sdk(gw);
  const made = [];
  for (let i = 0; i < 3; i++) made.push(await client.videos.create({ model: 'kling-v2-6', prompt: `pool ${i}` }));
  assert.equal(tasksOf(a), 2);
  assert.equal(tasksOf(b), 1);
  assert.equal(kling.requests.filter((r) => r.code === 1303).length, 0, 'the gateway kept within the cap itself');
  for (const video of made) {
    const done = await pollUntil(gw.url, video.id, { auth: 'Bearer sk-client' });
    assert.equal(done.video.status, 'completed');
    const content = await get(gw.url, `/v1/videos/${video.id}/content`, { auth: 'Bearer sk-client' });
    assert.equal(content.status, 200);
  }
  const records = usage(gw).filter((r) => r.event === 'completed');
  assert.deepEqual(records.map((r) => r.account).sort(), ['kling-a', 'kling-a', 'kling-b']);
  assert.ok(records.every((r) => r.vendor === 'kling'));
  // Seen finished: kling-a's slots are free again.
  const again = await client.videos.create({ model: 'kling-v2-6', prompt: 'pool again' });
  assert.equal(tasksOf(a), 3, again.id);
});

test('every account full: 429 vendor_capacity_exceeded with Retry-After, and no vendor call', async () => {
  const [, , c, d] = ACCOUNTS;
  const gw = await gatewayOf('pool-full', [account('kling-c1', c, ' max_tasks=1'), account('kling-d1', d, ' max_tasks=1')]);
  const client = sdk(gw);
  await client.videos.create({ model: 'kling-v2-6', prompt: 'fills c' });
  await client.videos.create({ model: 'kling-v2-6', prompt: 'fills d' });
  const posts = kling.requests.filter((r) => r.method === 'POST').length;
  const refused = await client.videos.create({ model: 'kling-v2-6', prompt: 'no room' }).catch((e) => e);
  assert.ok(refused instanceof OpenAI.RateLimitError, String(refused));
  assert.equal(refused.code, 'vendor_capacity_exceeded');
  assert.equal(refused.headers.get('retry-after'), '10');
  assert.equal(kling.requests.filter((r) => r.method === 'POST').length, posts);
});

test('accounts of one priority share creates by weight', async () => {
  const [, , c, d] = ACCOUNTS;
  const gw = await gatewayOf('pool-weights', [
    account('kling-c', c, ' priority=1 weight=3'),
    account('kling-d', d, ' priority=1 weight=1'),
  ]);
  const client = sdk(gw);
  const before = [tasksOf(c), tasksOf(d)];
  for (let i = 0; i < 40; i++) await client.videos.create({ model: 'kling-v2-6', prompt: `weighted ${i}` });
  const toC = tasksOf(c) - before[0];
  const toD = tasksOf(d) - before[1];
  assert.equal(toC + toD, 40);
  assert.ok(toC >= 22 && toC <= 37, `weight 3:1 sent ${toC}:${toD}`);
});

test('an account whose breaker is open is skipped without a call; a 5xx that may have made a task is never failed over', async () => {
  const [a, b] = ACCOUNTS;
  const gw = await gatewayOf('pool-breaker', [account('kling-a', a), account('kling-b', b)]);
  const client = sdk(gw);
  const atB = tasksOf(b);
  for (let i = 0; i < 2; i++) {
    kling.failNext({ on: 'create', status: 503, body: { code: 5001, message: 'service busy', request_id: 'r' } });
    const failed = await client.videos.create({ model: 'kling-v2-6', prompt: `busy ${i}` }).catch((e) => e);
    assert.ok(failed instanceof OpenAI.APIError && failed.status >= 500, String(failed));
    assert.equal(failed.headers.get('x-should-retry'), 'false', 'the task may exist');
  }
  assert.equal(tasksOf(b), atB, 'a 503 after the create was sent is not retried on kling-b');
  await sleep(1100); // a worker reads the shared breaker once a second
  const callsToA = callsOf(a, 'POST') + kling.requests.filter((r) => r.method === 'POST' && r.fault).length;
  const made = await client.videos.create({ model: 'kling-v2-6', prompt: 'around the breaker' });
  assert.equal(tasksOf(b), atB + 1, made.id);
  assert.equal(callsOf(a, 'POST') + kling.requests.filter((r) => r.method === 'POST' && r.fault).length, callsToA,
    'kling-a was not called');
  kling.clearFaults();
});

test('a revoked key fails over to the next account: the SDK with its retries ends with exactly one task', async () => {
  const [a, b] = ACCOUNTS;
  const gw = await gatewayOf('pool-revoked', [account('kling-a2', a), account('kling-b2', b)]);
  const before = [tasksOf(a), tasksOf(b)];
  const old = await sdk(gw).videos.create({ model: 'kling-v2-6', prompt: 'before revocation' });
  assert.equal(tasksOf(a), before[0] + 1);
  kling.revoke(a.accessKey);
  const video = await sdk(gw, { maxRetries: 2 }).videos.create({ model: 'kling-v2-6', prompt: 'after revocation' });
  assert.equal(tasksOf(a), before[0] + 1);
  assert.equal(tasksOf(b), before[1] + 1, 'exactly one task, on kling-b');
  const refusedAtA = kling.requests.filter((r) => r.method === 'POST' && r.code === 1002);
  assert.equal(refusedAtA.length, 1, 'kling-a refused once; no retry reached it again');
  const done = await pollUntil(gw.url, video.id, { auth: 'Bearer sk-client' });
  assert.equal(done.video.status, 'completed');
  // The task made on kling-a before the revocation lives there: its polls
  // say why they fail instead of asking another account.
  const orphan = await get(gw.url, `/v1/videos/${old.id}`, { auth: 'Bearer sk-client' });
  assert.equal(orphan.status, 502, orphan.text);
  assert.equal(orphan.json.error.code, 'vendor_auth_failed');
});

test('nginx -t: two accounts of one name, or a bad account name, are configuration errors', async () => {
  const [a, b] = ACCOUNTS;
  for (const [lines, says] of [
    [[account('same', a), account('same', b)], /vendor account 'same' is configured twice/],
    [[account('bad/name', a)], /account 'bad\/name' must be/],
    [[account('x', a, ' weight=0')], /weight must be 1-1000/],
  ]) {
    const conf = renderConfig({ dir: '__DIR__', port: 1, http: lines.join('\n    ') });
    const result = nginxTest(conf);
    assert.equal(result.ok, false, result.output);
    assert.match(result.output, says);
  }
});
