// Client keys and tenants: a keys file of SHA-256 digests (vgw_client_keys)
// or a tenant named by an external check (vgw_tenant), OpenAI's 401/403
// envelopes as the SDK sees them, ids bound to the tenant (keys rotate,
// videos stay), and limit_req keyed by $vgw_tenant answering 429s the SDK
// waits out.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import OpenAI from 'openai-7.59';

import { startKlingMock, startOpenAIMock } from '../mocks/index.mjs';
import { startGateway, stopAll, vendorLines, nginxTest, runtimeDir, MODULE } from '../lib/gateway.mjs';
import { get, postJson, rawRequest } from '../lib/http.mjs';

const ACME_KEY = 'sk-acme-0123456789abcdef-first';
const ACME_ROTATED = 'sk-acme-0123456789abcdef-second';
const BETA_KEY = 'sk-beta-0123456789abcdef-only';
const IDLE_KEY = 'sk-idle-0123456789abcdef-only';

const digest = (key) => `sha256:${createHash('sha256').update(key).digest('hex')}`;

function keysFile(text) {
  const dir = runtimeDir('keys');
  const path = join(dir, 'tenants.yaml');
  writeFileSync(path, text);
  return path;
}

const KEYS = keysFile(`# tenants of the test gateway
tenants:
  - name: acme
    keys: [${digest(ACME_KEY)}, ${digest(ACME_ROTATED)}]
    models: ["kling-*"]
  - name: beta
    keys:
      - ${digest(BETA_KEY)}
  - name: idle
    disabled: true
    keys: [${digest(IDLE_KEY)}]
`);

let kling;
let openai;
let gw;
const gateways = [];

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 150 });
  openai = await startOpenAIMock({ inProgressAfterMs: 50, doneAfterMs: 150 });
  gw = await startGateway({ name: 'tenants', http: `${vendorLines({ kling, openai })}\n    vgw_client_keys ${KEYS};` });
  gateways.push(gw);
});

after(async () => {
  const serious = await stopAll(gateways);
  await kling?.close();
  await openai?.close();
  assert.deepEqual(serious, []);
});

const client = (apiKey, options = {}) => new OpenAI({ apiKey, baseURL: `${gw.url}/v1`, maxRetries: 0, ...options });

test('without a listed key the SDK gets AuthenticationError, the key never echoed whole, and no vendor is called', async () => {
  const creates = kling.createCount();
  const wrong = 'sk-wrong-0123456789abcdef-guess';
  await assert.rejects(client(wrong).videos.create({ model: 'kling-v2-6', prompt: 'nope' }), (e) => {
    assert.ok(e instanceof OpenAI.AuthenticationError, e.constructor.name);
    assert.equal(e.status, 401);
    assert.equal(e.code, 'invalid_api_key');
    assert.ok(!e.message.includes(wrong), e.message);
    assert.ok(!e.message.includes('0123456789abcdef'), e.message);
    return true;
  });
  const none = await rawRequest(gw.url, { method: 'POST', path: '/v1/videos', headers: { 'Content-Type': 'application/json' }, body: '{"prompt":"p"}' });
  assert.equal(none.status, 401, none.text);
  assert.equal(none.json.error.code, 'invalid_api_key');
  assert.match(none.json.error.message, /didn't provide an API key/);
  const digestAsKey = await get(gw.url, '/v1/videos/video_x', { auth: `Bearer ${digest(ACME_KEY)}` });
  assert.equal(digestAsKey.status, 401, 'the stored digest is not a key');
  const unified = await postJson(gw.url, '/v1/video/generations', { model: 'kling-v2-6', prompt: 'p' }, { auth: 'Bearer nope' });
  assert.equal(unified.status, 401, unified.text);
  assert.equal(kling.createCount(), creates);
});

test('ids are bound to the tenant: a rotated key keeps its videos, another tenant cannot open them', async () => {
  const video = await client(ACME_KEY).videos.create({ model: 'kling-v2-6', prompt: 'acme video' });
  const again = await client(ACME_ROTATED).videos.retrieve(video.id);
  assert.equal(again.id, video.id);
  await assert.rejects(client(BETA_KEY).videos.retrieve(video.id), (e) => e instanceof OpenAI.NotFoundError);
  const content = await get(gw.url, `/v1/videos/${video.id}/content`, { auth: `Bearer ${BETA_KEY}` });
  assert.equal(content.status, 404, 'nor download them');
});

test('a model the tenant may not use, or a disabled tenant, is PermissionDeniedError', async () => {
  const creates = openai.createCount();
  await assert.rejects(client(ACME_KEY).videos.create({ model: 'sora-2', prompt: 'not allowed' }), (e) => {
    assert.ok(e instanceof OpenAI.PermissionDeniedError, e.constructor.name);
    assert.equal(e.status, 403);
    assert.equal(e.code, 'model_not_allowed');
    assert.equal(e.param, 'model');
    return true;
  });
  const beta = await client(BETA_KEY).videos.create({ model: 'sora-2', prompt: 'beta may' });
  assert.equal(beta.object, 'video');
  assert.equal(openai.createCount(), creates + 1);
  await assert.rejects(client(IDLE_KEY).videos.retrieve(beta.id), (e) => {
    assert.ok(e instanceof OpenAI.PermissionDeniedError, e.constructor.name);
    assert.equal(e.code, 'tenant_disabled');
    return true;
  });
});

test('limit_req keyed by $vgw_tenant: a 429 envelope with Retry-After, waited out by the SDK, per tenant', async () => {
  const g = await startGateway({
    name: 'tenant-limits',
    http: `${vendorLines({ kling, openai })}
    vgw_client_keys ${KEYS};
    limit_req_zone $vgw_tenant zone=per_tenant:1m rate=2r/s;
    log_format tenants '$status $vgw_tenant';`,
    server: 'access_log logs/tenants.log tenants;',
    location: 'limit_req zone=per_tenant nodelay; limit_req_status 429;',
  });
  gateways.push(g);
  const acme = new OpenAI({ apiKey: ACME_KEY, baseURL: `${g.url}/v1`, maxRetries: 0 });
  const first = await acme.videos.create({ model: 'kling-v2-6', prompt: 'first' });
  const limited = await acme.videos.create({ model: 'kling-v2-6', prompt: 'too soon' }).catch((e) => e);
  assert.ok(limited instanceof OpenAI.RateLimitError, String(limited));
  assert.equal(limited.code, 'rate_limit_exceeded');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1, 'Retry-After in whole seconds');
  const beta = new OpenAI({ apiKey: BETA_KEY, baseURL: `${g.url}/v1`, maxRetries: 0 });
  assert.equal((await beta.videos.retrieve(first.id).catch((e) => e)).status, 404, 'another tenant has its own bucket');
  const patient = new OpenAI({ apiKey: ACME_KEY, baseURL: `${g.url}/v1` }); // the SDK's default retries
  const later = await patient.videos.create({ model: 'kling-v2-6', prompt: 'after waiting' });
  assert.equal(later.object, 'video');
  const lines = readFileSync(join(g.dir, 'logs/tenants.log'), 'utf8').trim().split('\n');
  assert.ok(lines.includes('429 acme'), lines.join('\n'));
  assert.ok(lines.includes('404 beta'), lines.join('\n'));
});

test('an external check names the tenant (auth_request and vgw_tenant)', async () => {
  // The operator's own auth service: knows its callers, answers a tenant.
  const checks = [];
  const auth = createServer((req, res) => {
    checks.push(req.headers.authorization);
    const tenant = { 'Bearer sso-alice': 'team-red', 'Bearer sso-bob': 'team-red', 'Bearer sso-carol': 'team-blue' }[req.headers.authorization];
    res.writeHead(tenant ? 200 : 401, tenant ? { 'X-Tenant': tenant } : {}).end();
  });
  await new Promise((r) => auth.listen(0, '127.0.0.1', r));
  try {
    const g = await startGateway({
      name: 'external-tenant',
      http: vendorLines({ kling, openai }),
      server: `
        location = /_auth {
            internal;
            proxy_pass http://127.0.0.1:${auth.address().port}/check;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }`,
      location: 'auth_request /_auth; auth_request_set $checked_tenant $upstream_http_x_tenant; vgw_tenant $checked_tenant;',
    });
    gateways.push(g);
    const created = await postJson(g.url, '/v1/videos', { model: 'sora-2', prompt: 'red team' }, { auth: 'Bearer sso-alice' });
    assert.equal(created.status, 200, created.text);
    const sameTeam = await get(g.url, `/v1/videos/${created.json.id}`, { auth: 'Bearer sso-bob' });
    assert.equal(sameTeam.status, 200, 'ids are bound to the tenant the check named');
    const otherTeam = await get(g.url, `/v1/videos/${created.json.id}`, { auth: 'Bearer sso-carol' });
    assert.equal(otherTeam.status, 404, otherTeam.text);
    const refused = await get(g.url, `/v1/videos/${created.json.id}`, { auth: 'Bearer stranger' });
    assert.equal(refused.status, 401, 'the check refused: an OpenAI envelope');
    assert.equal(refused.json.error.type, 'invalid_request_error');
    assert.ok(checks.length >= 4);
  } finally {
    auth.close();
  }
});

test('nginx -t reports a bad keys file with file:line; a reload picks up new keys', async () => {
  const bad = keysFile(`tenants:\n  - name: acme\n    keys: [${ACME_KEY}]\n`);
  const res = nginxTest(`load_module ${MODULE};
events {}
http { vgw_client_keys ${bad}; }`);
  assert.equal(res.ok, false);
  assert.ok(res.output.includes(`${bad}:3:`), res.output);
  assert.match(res.output, /sha256/);
  assert.ok(!res.output.includes('0123456789abcdef-first'), 'nor does it print the key');

  const path = keysFile(`tenants:\n  - name: acme\n    keys: [${digest(ACME_KEY)}]\n`);
  const g = await startGateway({ name: 'keys-reload', http: `${vendorLines({ kling, openai })}\n    vgw_client_keys ${path};` });
  gateways.push(g);
  assert.equal((await get(g.url, '/v1/videos/video_x', { auth: `Bearer ${BETA_KEY}` })).status, 401);
  writeFileSync(path, `tenants:\n  - name: acme\n    keys: [${digest(ACME_KEY)}]\n  - name: beta\n    keys: [${digest(BETA_KEY)}]\n`);
  await g.reload();
  assert.equal((await get(g.url, '/v1/videos/video_x', { auth: `Bearer ${BETA_KEY}` })).status, 404, 'beta is known after the reload');
});

test('tenant limits: creates per minute and video-seconds per day, as the SDK sees them', async () => {
  const path = keysFile(`tenants:
  - name: acme
    keys: [${digest(ACME_KEY)}]
    limits: {creates_per_minute: 2}
  - name: beta
    keys: [${digest(BETA_KEY)}]
    limits: {video_seconds_per_day: 15}
`);
  const g = await startGateway({ name: 'tenant-quota', http: `${vendorLines({ kling, openai })}\n    vgw_client_keys ${path};` });
  gateways.push(g);
  const acme = new OpenAI({ apiKey: ACME_KEY, baseURL: `${g.url}/v1`, maxRetries: 0 });
  const before = kling.createCount();
  // Whole minutes: two creates must land in the same one.
  if (new Date().getUTCSeconds() > 50) await new Promise((r) => setTimeout(r, 11000));
  await acme.videos.create({ model: 'kling-v2-6', prompt: 'one' });
  await acme.videos.create({ model: 'kling-v2-6', prompt: 'two' });
  const third = await acme.videos.create({ model: 'kling-v2-6', prompt: 'three' }).catch((e) => e);
  assert.ok(third instanceof OpenAI.RateLimitError, String(third));
  assert.equal(third.code, 'rate_limit_exceeded');
  assert.ok(Number(third.headers.get('retry-after')) >= 1);

  // Kling renders 5 s clips: three fit in 15 video-seconds, a fourth does not,
  // and the SDK's own retries do not try again (x-should-retry: false).
  const beta = new OpenAI({ apiKey: BETA_KEY, baseURL: `${g.url}/v1` });
  for (let i = 0; i < 3; i++) await beta.videos.create({ model: 'kling-v2-6', prompt: `clip ${i}`, seconds: '4' });
  const fourth = await beta.videos.create({ model: 'kling-v2-6', prompt: 'clip 4', seconds: '4' }).catch((e) => e);
  assert.ok(fourth instanceof OpenAI.RateLimitError, String(fourth));
  assert.equal(fourth.code, 'insufficient_quota');
  assert.equal(kling.createCount(), before + 5, 'no vendor task for a refused create');
});

test('concurrent unfinished tasks per tenant, across workers: 429 concurrent_tasks_exceeded until a poll sees one finish, which the SDK waits out', async () => {
  const path = keysFile(`tenants:
  - name: acme
    keys: [${digest(ACME_KEY)}]
    limits: {concurrent_tasks: 2}
`);
  const g = await startGateway({ name: 'tenant-slots', workers: 2, http: `${vendorLines({ kling })}\n    vgw_client_keys ${path};` });
  gateways.push(g);
  const acme = new OpenAI({ apiKey: ACME_KEY, baseURL: `${g.url}/v1`, maxRetries: 0 });
  const before = kling.createCount();
  const first = await acme.videos.create({ model: 'kling-v2-6', prompt: 'slot one' });
  await acme.videos.create({ model: 'kling-v2-6', prompt: 'slot two' });
  const third = await acme.videos.create({ model: 'kling-v2-6', prompt: 'slot three' }).catch((e) => e);
  assert.ok(third instanceof OpenAI.RateLimitError, String(third));
  assert.equal(third.code, 'concurrent_tasks_exceeded');
  assert.equal(third.headers.get('retry-after'), '10');
  assert.equal(kling.createCount(), before + 2);

  // Finished at the vendor, but not yet seen by the gateway: still counted.
  await new Promise((r) => setTimeout(r, 300));
  const stillFull = await postJson(g.url, '/v1/video/generations', { model: 'kling-v2-6', prompt: 'unified' }, { auth: `Bearer ${ACME_KEY}` });
  assert.equal(stillFull.status, 429, stillFull.text);
  assert.equal(stillFull.json.code, 'concurrent_tasks_exceeded');

  // The SDK with its default retries waits Retry-After out; meanwhile a poll
  // (on new connections, so both workers) sees the first task finish, and
  // frees exactly one slot however often it is polled.
  const patient = new OpenAI({ apiKey: ACME_KEY, baseURL: `${g.url}/v1` });
  const waiting = patient.videos.create({ model: 'kling-v2-6', prompt: 'slot after waiting' });
  await new Promise((r) => setTimeout(r, 1000));
  for (let i = 0; i < 4; i++) {
    const seen = await get(g.url, `/v1/videos/${first.id}`, { auth: `Bearer ${ACME_KEY}`, headers: { connection: 'close' } });
    assert.equal(seen.json.status, 'completed', seen.text);
  }
  const made = await waiting;
  assert.equal(made.status, 'queued');
  assert.equal(kling.createCount(), before + 3);
  const full = await acme.videos.create({ model: 'kling-v2-6', prompt: 'slot five' }).catch((e) => e);
  assert.equal(full.code, 'concurrent_tasks_exceeded', 'four polls of one task freed one slot');
});
