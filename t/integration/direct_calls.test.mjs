// Vendor calls on the module's own connections (`vgw_direct_calls on`):
// HTTPS to a vendor reached through an upstream{} block, with the vendor's
// name for SNI and certificate verification, kept-alive connections and
// resumed TLS sessions; certificates that do not verify cost no task.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { startKlingMock } from '../mocks/index.mjs';
import { CONF_EXAMPLES, runtimeDir, startGateway, stopAll } from '../lib/gateway.mjs';
import { get, postJson, pollUntil, sleep } from '../lib/http.mjs';
import { assertError } from '../lib/assertions.mjs';

const timing = { processingAfterMs: 80, doneAfterMs: 300 };
const kling = (name) => `${CONF_EXAMPLES}/vendors/${name}.yaml`;
let certs;
let vendor;
let idleVendor;
const gateways = [];

// A CA, and a certificate it signs for api.kling.test; a second CA that
// signs nothing the vendor presents.
function makeCertificates() {
  const dir = runtimeDir('direct-certs');
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'other-ca']) {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${ca}`,
      '-keyout', `${ca}.key`, '-out', `${ca}.pem`);
  }
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=api.kling.test', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:api.kling.test\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', '2', '-extfile', 'san.ext', '-out', 'server.pem');
  return {
    ca: join(dir, 'ca.pem'),
    otherCa: join(dir, 'other-ca.pem'),
    tls: { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
  };
}

async function gatewayFor(mock, { name, trusted, host = 'api.kling.test' }) {
  const g = await startGateway({
    name,
    http: `vgw_call_ssl_trusted_certificate ${trusted};
    upstream kling_tls { server 127.0.0.1:${mock.port}; keepalive 4; }
    vgw_vendor ${kling('kling')} base_url=https://${host} upstream=kling_tls access_key=${mock.accessKey} secret_key=${mock.secretKey};`,
    location: 'vgw_direct_calls on;',
  });
  gateways.push(g);
  return g;
}

before(async () => {
  certs = makeCertificates();
  vendor = await startKlingMock({ ...timing, tls: certs.tls, keepAliveTimeoutMs: 60000 });
  idleVendor = await startKlingMock({ ...timing, tls: certs.tls, keepAliveTimeoutMs: 100 });
});

after(async () => {
  const serious = await stopAll(gateways);
  for (const m of [vendor, idleVendor]) await m?.close();
  assert.deepEqual(serious, []);
});

test('HTTPS calls verify the vendor, send its Host and share one connection', async () => {
  const g = await gatewayFor(vendor, { name: 'direct-tls', trusted: certs.ca });
  for (let i = 0; i < 2; i++) {
    const r = await postJson(g.url, '/v1/videos', { model: 'kling-v2-6', prompt: `tls ${i}` });
    assert.equal(r.status, 200, r.text);
    const { video } = await pollUntil(g.url, r.json.id);
    assert.equal(video.status, 'completed');
  }
  assert.ok(vendor.requests.length >= 4);
  assert.equal(vendor.connections(), 1, `${vendor.requests.length} calls on ${vendor.connections()} TLS connections`);
  for (const q of vendor.requests) assert.equal(q.headers.host, 'api.kling.test');
});

test('a vendor that closes idle connections gets resumed TLS sessions', async () => {
  const g = await gatewayFor(idleVendor, { name: 'direct-tls-idle', trusted: certs.ca });
  for (let i = 0; i < 3; i++) {
    const r = await postJson(g.url, '/v1/videos', { model: 'kling-v2-6', prompt: `idle tls ${i}` });
    assert.equal(r.status, 200, r.text);
    assert.equal((await get(g.url, `/v1/videos/${r.json.id}`)).status, 200);
    await sleep(250);
  }
  assert.ok(idleVendor.connections() >= 3, `the vendor closed them (${idleVendor.connections()})`);
  assert.ok(idleVendor.resumedSessions() >= 1, `${idleVendor.resumedSessions()} of ${idleVendor.connections()} handshakes resumed`);
});

test('a certificate from an untrusted CA, or for another name, costs no task', async () => {
  const untrusted = await gatewayFor(vendor, { name: 'direct-tls-untrusted', trusted: certs.otherCa });
  const wrongName = await gatewayFor(vendor, { name: 'direct-tls-wrong-name', trusted: certs.ca, host: 'api.other.test' });
  for (const g of [untrusted, wrongName]) {
    const before = vendor.createCount();
    const r = await postJson(g.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'not this vendor' });
    assertError(r, 502, { code: 'vendor_unreachable' });
    assert.notEqual(r.headers['x-should-retry'], 'false', 'nothing was sent: a retry is safe');
    assert.equal(vendor.createCount(), before);
    assert.match(g.errorLog(), /vendor certificate/);
  }
});
