// Vertex AI with a service-account JSON key: the gateway signs an RS256 JWT,
// trades it for an access token through nginx (an extra vendor call, never a
// blocking one), caches it in the worker and uses it for every call.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { startVeoVertexMock } from '../mocks/veo-vertex.mjs';
import { CONF_EXAMPLES, MODULE, nginxTest, runtimeDir, startGateway, stopAll } from '../lib/gateway.mjs';
import { get, postJson, pollUntil } from '../lib/http.mjs';
import { assertError } from '../lib/assertions.mjs';

let vertex;
let gw;
let keyFile;

before(async () => {
  vertex = await startVeoVertexMock({ processingAfterMs: 60, doneAfterMs: 200 });
  keyFile = join(runtimeDir('vertex-key'), 'sa.json');
  // Pretty-printed with line breaks, as the Cloud console downloads it.
  writeFileSync(keyFile, JSON.stringify(vertex.serviceAccountKey(), null, 2), { mode: 0o600 });
  gw = await startGateway({
    name: 'vertex-oauth',
    http: `vgw_vendor ${CONF_EXAMPLES}/vendors/veo-vertex.yaml base_url=${vertex.url} service_account=file:${keyFile} project=${vertex.project} location=${vertex.location};`,
  });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  await vertex?.close();
  assert.deepEqual(serious, []);
});

test('a failed token exchange is a 502 and nothing is created', async () => {
  vertex.failNext({ on: 'token', status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } });
  const r = await postJson(gw.url, '/v1/videos', { model: 'veo-3.0-generate-001', prompt: 'no token' });
  assertError(r, 502, { code: 'vendor_auth_failed' });
  assert.equal(vertex.createCount(), 0);
});

test('the service account is traded for a cached access token', async () => {
  const r = await postJson(gw.url, '/v1/videos', { model: 'veo-3.0-generate-001', prompt: 'oauth' });
  assert.equal(r.status, 200, r.text);
  const { video } = await pollUntil(gw.url, r.json.id);
  assert.equal(video.status, 'completed');
  const content = await get(gw.url, `/v1/videos/${r.json.id}/content`);
  assert.equal(content.status, 200);
  assert.ok(content.buffer.equals(vertex.videoBytes([...vertex.tasks.keys()].at(-1))));
  assert.equal(vertex.tokenExchanges.length, 1, 'one exchange served every call');
  const claims = vertex.tokenExchanges[0];
  assert.equal(claims.aud, `${vertex.url}/token`);
  assert.equal(claims.scope, 'https://www.googleapis.com/auth/cloud-platform');
  const calls = vertex.requests.filter((q) => q.path !== '/token');
  assert.ok(calls.length >= 3);
  for (const call of calls) assert.match(call.headers.authorization, /^Bearer ya29\.sa-/);
  assert.ok(!gw.errorLog().includes('PRIVATE KEY'), 'the key is never logged');
});

test('nginx -t rejects a file that is not a service-account key', () => {
  const bad = join(runtimeDir('vertex-bad'), 'bad.json');
  writeFileSync(bad, JSON.stringify({ type: 'authorized_user', client_id: 'x' }));
  const r = nginxTest(`load_module ${MODULE};
error_log stderr;
pid __DIR__/nginx.pid;
events {}
http {
    vgw_id_key test-key-0123456789abcdef;
    vgw_vendor ${CONF_EXAMPLES}/vendors/veo-vertex.yaml service_account=file:${bad} project=p;
}`);
  assert.equal(r.ok, false);
  assert.match(r.output, /not a service-account JSON key/);
});
