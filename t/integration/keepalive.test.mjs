// Vendor calls on kept-alive connections: a vendor reached through an
// upstream{} block with keepalive serves a create, its polls and the OAuth
// exchange on one connection, with base_url's host as Host (and in the
// signature), and a vendor that closes idle connections costs no request.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { startJimengMock, startKlingMock, startVeoVertexMock } from '../mocks/index.mjs';
import { CONF_EXAMPLES, nginxTest, renderConfig, runtimeDir, startGateway, stopAll } from '../lib/gateway.mjs';
import { get, postJson, pollUntil, sleep } from '../lib/http.mjs';

const timing = { processingAfterMs: 80, doneAfterMs: 300 };
const yaml = (name) => `${CONF_EXAMPLES}/vendors/${name}.yaml`;
let kling;
let jimeng;
let vertex;
let idle;
let gw;
let idleGw;
const gateways = [];

before(async () => {
  kling = await startKlingMock({ ...timing, keepAliveTimeoutMs: 60000 });
  jimeng = await startJimengMock({ ...timing, keepAliveTimeoutMs: 60000 });
  vertex = await startVeoVertexMock({ ...timing, keepAliveTimeoutMs: 60000 });
  idle = await startKlingMock({ ...timing, keepAliveTimeoutMs: 100 });
  const keyFile = join(runtimeDir('keepalive-key'), 'sa.json');
  writeFileSync(keyFile, JSON.stringify(vertex.serviceAccountKey()), { mode: 0o600 });
  // base_url names the vendor's host (never resolved here: the calls go to
  // the upstream block), except for Vertex, whose token endpoint is on the
  // same server as its API.
  gw = await startGateway({
    name: 'keepalive',
    http: `upstream kling_api { server 127.0.0.1:${kling.port}; keepalive 4; }
    upstream jimeng_api { server 127.0.0.1:${jimeng.port}; keepalive 4; }
    upstream vertex_api { server 127.0.0.1:${vertex.port}; keepalive 4; }
    vgw_vendor ${yaml('kling')} base_url=http://api.kling.test upstream=kling_api access_key=${kling.accessKey} secret_key=${kling.secretKey};
    vgw_vendor ${yaml('jimeng')} base_url=http://visual.jimeng.test upstream=jimeng_api access_key=${jimeng.accessKey} secret_key=${jimeng.secretKey};
    vgw_vendor ${yaml('veo-vertex')} base_url=${vertex.url} upstream=vertex_api service_account=file:${keyFile} project=${vertex.project} location=${vertex.location};`,
  });
  idleGw = await startGateway({
    name: 'keepalive-idle',
    http: `upstream kling_api { server 127.0.0.1:${idle.port}; keepalive 4; }
    vgw_vendor ${yaml('kling')} base_url=http://api.kling.test upstream=kling_api access_key=${idle.accessKey} secret_key=${idle.secretKey};`,
  });
  gateways.push(gw, idleGw);
});

after(async () => {
  const serious = await stopAll(gateways);
  for (const m of [kling, jimeng, vertex, idle]) await m?.close();
  assert.deepEqual(serious, []);
});

async function createAndPoll(g, model) {
  const r = await postJson(g.url, '/v1/videos', { model, prompt: `keepalive ${model}` });
  assert.equal(r.status, 200, r.text);
  const { video } = await pollUntil(g.url, r.json.id);
  assert.equal(video.status, 'completed');
  return r.json.id;
}

test('a create and its polls share one connection, with the vendor\'s own Host', async () => {
  await createAndPoll(gw, 'kling-v2-6');
  await createAndPoll(gw, 'kling-v2-6');
  assert.ok(kling.requests.length >= 4);
  assert.equal(kling.connections(), 1, `${kling.requests.length} calls on ${kling.connections()} connections`);
  for (const q of kling.requests) assert.equal(q.headers.host, 'api.kling.test');
});

test('signatures are computed over the Host that is sent (Volcengine)', async () => {
  await createAndPoll(gw, 'jimeng-v30');
  assert.ok(jimeng.requests.every((q) => q.status === 200), 'the mock verified every signature');
  assert.equal(jimeng.connections(), 1);
  assert.ok(jimeng.requests.every((q) => q.headers.host === 'visual.jimeng.test'));
});

test('the OAuth exchange rides the same connection as the calls it authorises', async () => {
  await createAndPoll(gw, 'veo-3.0-generate-001');
  assert.ok(vertex.requests.some((q) => q.path === '/token'), 'a token was exchanged');
  assert.equal(vertex.connections(), 1, `${vertex.requests.length} calls on ${vertex.connections()} connections`);
});

test('a vendor that closes idle connections costs no request', async () => {
  for (let i = 0; i < 5; i++) {
    const r = await postJson(idleGw.url, '/v1/videos', { model: 'kling-v2-6', prompt: `idle ${i}` });
    assert.equal(r.status, 200, r.text);
    assert.equal((await get(idleGw.url, `/v1/videos/${r.json.id}`)).status, 200);
    await sleep(250); // past the vendor's 100 ms keep-alive timeout
  }
  assert.ok(idle.connections() >= 5, `the vendor did close them (${idle.connections()} connections)`);
});

test('nginx -t refuses an upstream= that names no upstream block', () => {
  const conf = renderConfig({
    dir: '__DIR__', port: 1,
    http: `vgw_vendor ${yaml('kling')} upstream=nowhere access_key=a secret_key=b;`,
  });
  const res = nginxTest(conf);
  assert.equal(res.ok, false);
  assert.match(res.output, /vendor "kling" names upstream "nowhere", but no upstream\{\} block has that name/);
});
