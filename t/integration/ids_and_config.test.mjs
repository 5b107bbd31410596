// Stateless ids across reloads, restarts, a fleet and key rotation; config
// validation at `nginx -t`; request facts as nginx variables.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startKlingMock, startOpenAIMock } from '../mocks/index.mjs';
import { startGateway, stopAll, vendorLines, nginxTest, runtimeDir, MODULE, CONF_EXAMPLES } from '../lib/gateway.mjs';
import { get, postJson, pollUntil, TENANT_A } from '../lib/http.mjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

let kling;
let openai;
const gateways = [];

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 150 });
  openai = await startOpenAIMock({ inProgressAfterMs: 50, doneAfterMs: 150 });
});

after(async () => {
  const serious = await stopAll(gateways);
  await kling?.close();
  await openai?.close();
  assert.deepEqual(serious, []);
});

async function gateway(options) {
  const g = await startGateway({ http: vendorLines({ kling, openai }), ...options });
  gateways.push(g);
  return g;
}

test('ids survive a reload and a full restart, with no second vendor create', async () => {
  const g = await gateway({ name: 'reload' });
  const created = await postJson(g.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'survive', size: '1080x1920' });
  assert.equal(created.status, 200, created.text);
  const id = created.json.id;
  const creates = kling.createCount();
  await g.reload();
  const afterReload = await get(g.url, `/v1/videos/${id}`);
  assert.equal(afterReload.status, 200, afterReload.text);
  assert.equal(afterReload.json.size, '1080x1920');
  await g.stop();
  const g2 = await gateway({ name: 'restart' });
  const { video } = await pollUntil(g2.url, id);
  assert.equal(video.status, 'completed');
  assert.equal(video.created_at, created.json.created_at);
  assert.equal((await get(g2.url, `/v1/videos/${id}/content`)).status, 200);
  assert.equal(kling.createCount(), creates);
});

test('any instance sharing the key serves any id (a fleet needs no shared state)', async () => {
  const a = await gateway({ name: 'fleet-a', workers: 2 });
  const b = await gateway({ name: 'fleet-b' });
  const created = await postJson(a.url, '/v1/videos', { prompt: 'fleet', model: 'sora-2' });
  const fromB = await get(b.url, `/v1/videos/${created.json.id}`);
  assert.equal(fromB.status, 200, fromB.text);
  assert.equal(fromB.json.id, created.json.id);
  const other = await gateway({ name: 'other-key', idKeys: ['a-completely-different-key-000'] });
  assert.equal((await get(other.url, `/v1/videos/${created.json.id}`)).status, 404);
});

test('key rotation: new ids use the new key, old ids still open', async () => {
  const oldKey = 'rotation-old-key-0123456789';
  const newKey = 'rotation-new-key-9876543210';
  const g = await gateway({ name: 'rotate', idKeys: [oldKey] });
  const old = await postJson(g.url, '/v1/videos', { prompt: 'old', model: 'sora-2' });
  await g.reload({ idKeys: [newKey, oldKey] });
  assert.equal((await get(g.url, `/v1/videos/${old.json.id}`)).status, 200, 'old id after rotation');
  const fresh = await postJson(g.url, '/v1/videos', { prompt: 'new', model: 'sora-2' });
  await g.reload({ idKeys: [newKey] });
  assert.equal((await get(g.url, `/v1/videos/${fresh.json.id}`)).status, 200, 'new id sealed with the new key');
  assert.equal((await get(g.url, `/v1/videos/${old.json.id}`)).status, 404, 'retired key no longer opens');
});

test('ids can be bound to another identity, or to none', async () => {
  const g = await gateway({ name: 'binding', location: 'vgw_id_binding $http_x_tenant;' });
  const created = await postJson(g.url, '/v1/videos', { prompt: 'tenant header', model: 'sora-2' }, { headers: { 'X-Tenant': 't1' } });
  assert.equal((await get(g.url, `/v1/videos/${created.json.id}`, { headers: { 'X-Tenant': 't1' }, auth: 'Bearer whatever' })).status, 200);
  assert.equal((await get(g.url, `/v1/videos/${created.json.id}`, { headers: { 'X-Tenant': 't2' } })).status, 404);
  const open = await gateway({ name: 'unbound', location: 'vgw_id_binding off;' });
  const c2 = await postJson(open.url, '/v1/videos', { prompt: 'unbound', model: 'sora-2' });
  assert.equal((await get(open.url, `/v1/videos/${c2.json.id}`, { auth: 'Bearer someone-else' })).status, 200);
});

test('request facts are nginx variables, usable in access logs', async () => {
  const g = await gateway({
    name: 'vars',
    http: `${vendorLines({ kling, openai })}
    log_format vgw 'op=$vgw_operation vendor=$vgw_vendor model=$vgw_model task=$vgw_task_id outcome=$vgw_outcome';`,
    server: 'access_log logs/vgw.log vgw;',
  });
  const created = await postJson(g.url, '/v1/videos', { model: 'kling-v1-6', prompt: 'logged' });
  const task = [...kling.tasks.keys()].at(-1);
  await get(g.url, `/v1/videos/${created.json.id}`);
  await postJson(g.url, '/v1/videos', { model: 'nope', prompt: 'x' });
  await new Promise((r) => setTimeout(r, 100));
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(join(g.dir, 'logs/vgw.log'), 'utf8').trim().split('\n');
  assert.equal(lines[0], `op=create vendor=kling model=kling-v1-6 task=${task} outcome=ok`);
  assert.equal(lines[1], `op=retrieve vendor=kling model=kling-v1-6 task=${task} outcome=ok`);
  assert.equal(lines[2], 'op=create vendor=- model=nope task=- outcome=model_not_found');
});

function confWith(vendorYaml, extra = '') {
  const dir = runtimeDir('rules');
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, vendorYaml);
  return {
    file,
    conf: `load_module ${MODULE};
error_log stderr;
pid __DIR__/nginx.pid;
events {}
http {
    vgw_id_key test-key-0123456789abcdef;
    vgw_vendor ${file} api_key=k;
    ${extra}
}`,
  };
}

test('nginx -t accepts the shipped configuration', () => {
  const ok = nginxTest(`load_module ${MODULE};
error_log stderr;
pid __DIR__/nginx.pid;
events {}
http {
    vgw_id_key test-key-0123456789abcdef;
    vgw_vendor ${CONF_EXAMPLES}/vendors/openai.yaml api_key=k;
    vgw_vendor ${CONF_EXAMPLES}/vendors/kling.yaml access_key=a secret_key=s;
    server { listen 127.0.0.1:1; location /v1/ { vgw_api; } include ${CONF_EXAMPLES}/vgw-locations.conf; }
}`);
  assert.ok(ok.ok, ok.output);
});

test('nginx -t rejects bad vendor rules with file, line and reason', async () => {
  const { readFileSync } = await import('node:fs');
  const base = readFileSync(join(CONF_EXAMPLES, 'vendors/openai.yaml'), 'utf8');
  const cases = [
    [base.replace('task_id: id', 'task_id: id\n  tasks_id: id'), /unknown key 'tasks_id' in create/],
    [base.replace('completed: completed\n', 'completed: done\n'), /status must map to queued, in_progress, completed or failed/],
    [base.replace('path: /v1/videos/${task_id}', 'path: /v1/videos/${task}'), /unknown name 'task'/],
    [base.replace('scheme: bearer', 'scheme: hmac_magic'), /unknown auth scheme 'hmac_magic'/],
    [base.replace('vendor: openai', 'vendor: [openai'), /bad.yaml:\d+/],
    [base.replace('$when: has(image|url)', '$when: has(image|url) &&'), /bad expression/],
  ];
  for (const [yaml, reason] of cases) {
    const { file, conf } = confWith(yaml);
    const r = nginxTest(conf);
    assert.equal(r.ok, false, `should fail: ${reason}`);
    assert.match(r.output, reason);
    assert.match(r.output, new RegExp(`vgw: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+)?: `));
  }
  const lineCase = confWith(base.replace('  task_id: id\n', '  task_id: id\n  bogus: 1\n'));
  const r = nginxTest(lineCase.conf);
  const expectedLine = base.split('\n').findIndex((l) => l === '  task_id: id') + 2;
  assert.match(r.output, new RegExp(`bad.yaml:${expectedLine}: unknown key 'bogus'`));
  const missingKey = nginxTest(`load_module ${MODULE};\nerror_log stderr;\npid __DIR__/p;\nevents {}\nhttp { vgw_vendor ${CONF_EXAMPLES}/vendors/openai.yaml api_key=k; }`);
  assert.equal(missingKey.ok, false);
  assert.match(missingKey.output, /no vgw_id_key configured/);
  const shortKey = nginxTest(`load_module ${MODULE};\nerror_log stderr;\npid __DIR__/p;\nevents {}\nhttp { vgw_id_key short; }`);
  assert.equal(shortKey.ok, false);
  assert.match(shortKey.output, /at least 16 characters/);
  const unknownCredential = confWith(base, '');
  const badCred = nginxTest(unknownCredential.conf.replace('api_key=k', 'api_key=k apikey=x'));
  assert.equal(badCred.ok, false);
  assert.match(badCred.output, /no credential named 'apikey'/);
});

test('secrets and base URLs can come from the environment', async () => {
  const g = await gateway({
    name: 'env',
    http: `vgw_vendor ${CONF_EXAMPLES}/vendors/openai.yaml base_url=env:VGW_TEST_OPENAI_URL api_key=env:VGW_TEST_OPENAI_KEY;`,
    idKeys: ['env:VGW_TEST_ID_KEY'],
    env: { VGW_TEST_OPENAI_URL: openai.url, VGW_TEST_OPENAI_KEY: openai.apiKey, VGW_TEST_ID_KEY: 'id-key-from-environment-123' },
  });
  const created = await postJson(g.url, '/v1/videos', { prompt: 'from env' });
  assert.equal(created.status, 200, created.text);
  assert.equal(openai.requests.at(-1).headers.authorization, `Bearer ${openai.apiKey}`);
  assert.ok(!g.errorLog().includes(openai.apiKey), 'the key is never logged');
  assert.ok(!g.accessLog().includes(openai.apiKey));
  assert.equal((await get(g.url, `/v1/videos/${created.json.id}`, { auth: TENANT_A })).status, 200);
});

test('retired models are refused naming their replacement; an alias serves a model from another vendor', async () => {
  const g = await gateway({
    name: 'retired',
    http: `${vendorLines({ kling, openai })}
    vgw_model_retired sora-1* sora-2;
    vgw_model_retired sora-2-pro;
    vgw_model_alias sora-2 kling-v2-6;`,
  });
  const retired = await postJson(g.url, '/v1/videos', { model: 'sora-1.5', prompt: 'old' });
  assert.equal(retired.status, 400, retired.text);
  assert.equal(retired.json.error.code, 'model_retired');
  assert.equal(retired.json.error.param, 'model');
  assert.match(retired.json.error.message, /Use 'sora-2' instead/);
  const noReplacement = await postJson(g.url, '/v1/videos', { model: 'sora-2-pro', prompt: 'old' });
  assert.equal(noReplacement.json.error.code, 'model_retired');
  assert.doesNotMatch(noReplacement.json.error.message, /instead/);
  const klingCreates = kling.createCount();
  const openaiCreates = openai.createCount();
  const aliased = await postJson(g.url, '/v1/videos', { model: 'sora-2', prompt: 'served by kling' });
  assert.equal(aliased.status, 200, aliased.text);
  assert.equal(aliased.json.model, 'kling-v2-6');
  assert.equal(kling.createCount(), klingCreates + 1);
  assert.equal(openai.createCount(), openaiCreates);
  const twice = nginxTest(`load_module ${MODULE};\nerror_log stderr;\npid __DIR__/p;\nevents {}\nhttp { vgw_model_alias a b; vgw_model_alias a c; }`);
  assert.equal(twice.ok, false);
  assert.match(twice.output, /aliased twice/);
});
