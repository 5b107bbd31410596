// The gateway never becomes a path into the network it sits in: image URLs
// (bytes-only vendors) and webhook targets are checked before anything is
// sent, however their host is spelled; host names are resolved with nginx's
// resolver (a mock DNS server here), every address is checked, and the
// connection goes to the checked address. A loopback listener counts every
// connection that gets through.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

import { startDnsMock } from '../mocks/dns.mjs';
import { pngBytes } from '../mocks/media.mjs';
import { startGateway, stopAll } from '../lib/gateway.mjs';
import { startFleet } from '../lib/vendor-fleet.mjs';
import { postJson, sleep } from '../lib/http.mjs';
import { assertError } from '../lib/assertions.mjs';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const png = pngBytes({ width: 32, height: 32 });

// A server on loopback standing for everything internal: it logs every
// request and connection, and serves images well and badly.
async function startInternalServer() {
  const requests = [];
  let connections = 0;
  const timers = new Set();
  const server = createServer((req, res) => {
    requests.push({ path: req.url, host: req.headers.host, method: req.method });
    if (req.url.startsWith('/img.png')) {
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length, 'X-Internal-Secret': 'do-not-leak' });
      res.end(png);
    } else if (req.url.startsWith('/huge.png')) {
      // Announces 2 GiB, then sends as fast as the gateway reads.
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(2 ** 31) });
      const chunk = Buffer.concat([png, Buffer.alloc(1 << 20)]);
      const pump = () => { while (res.write(chunk)); };
      res.on('drain', pump);
      pump();
    } else if (req.url.startsWith('/endless.png')) {
      // No Content-Length: chunked, without end.
      res.writeHead(200, { 'Content-Type': 'image/png' });
      const chunk = Buffer.concat([png, Buffer.alloc(1 << 20)]);
      const pump = () => { while (res.write(chunk)); };
      res.on('drain', pump);
      pump();
    } else if (req.url.startsWith('/slow.png')) {
      // A byte at a time, never often enough to end, always often enough
      // that no read timeout fires.
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(png.length + 1000) });
      res.write(png);
      const timer = setInterval(() => res.write('x'), 200);
      timers.add(timer);
      res.on('close', () => clearInterval(timer));
    } else if (req.url.startsWith('/cut.png')) {
      // Half of what it announces, then the connection closes.
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(png.length * 2) });
      res.write(png);
      setTimeout(() => res.socket?.destroy(), 20);
    } else if (req.url.startsWith('/accel.png')) {
      // A server trying to steer nginx into one of its internal locations.
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length, 'X-Accel-Redirect': '/gateway-secret/x' });
      res.end(png);
    } else if (req.url.startsWith('/hook')) {
      req.resume();
      req.on('end', () => { res.writeHead(200); res.end(); });
    } else {
      res.writeHead(418, { 'Content-Type': 'text/plain' });
      res.end('internal-only teapot');
    }
  });
  server.on('connection', () => { connections += 1; });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return {
    port: server.address().port,
    requests,
    connections: () => connections,
    close() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

let dns;
let internal;
let fleet;
let gw; // no allow lists: nothing internal is reachable
let allowing; // images.test and hooks.test are allowed
const gateways = [];

before(async () => {
  internal = await startInternalServer();
  dns = await startDnsMock({
    records: {
      'evil.test': '127.0.0.1',
      'meta.test': '169.254.169.254',
      'ten.test': '10.1.2.3',
      'mixed.test': ['93.184.216.34', '127.0.0.1'],
      'images.test': '127.0.0.1',
      'hooks.test': '127.0.0.1',
      // Public on the first lookup, loopback on every later one.
      'rebind.test': (n) => (n === 1 ? '93.184.216.34' : '127.0.0.1'),
    },
  });
  fleet = await startFleet({ names: ['veo-gemini', 'kling'] });
  // TTL 0 (the mock's): every lookup reaches the DNS server, none is cached.
  const common = `resolver ${dns.address} ipv6=off;
    resolver_timeout 2s;
    vgw_image_fetch_timeout 2s;
    vgw_webhook_secret ${secret};
    ${fleet.lines}`;
  const fastConnect = 'location = /_vgw/quick { internal; proxy_pass $vgw_upstream_url; proxy_set_header Host $vgw_upstream_host; proxy_connect_timeout 1s; }';
  gw = await startGateway({ name: 'ssrf', http: common, server: fastConnect, location: 'vgw_call_location /_vgw/quick;' });
  allowing = await startGateway({
    name: 'ssrf-allow',
    http: `${common}
    vgw_image_fetch_allow images.test;
    vgw_webhook_allow hooks.test;`,
    // An internal location only nginx itself may enter.
    server: 'location /gateway-secret/ { internal; return 200 "gateway secret"; }',
  });
  gateways.push(gw, allowing);
});

after(async () => {
  const serious = await stopAll(gateways);
  await fleet?.close();
  await dns?.close();
  await internal?.close();
  assert.deepEqual(serious, []);
});

const veoCreate = (g, imageUrl) =>
  postJson(g.url, '/v1/videos', { model: 'veo-3.1-generate-preview', prompt: 'ssrf', input_reference: { image_url: imageUrl } });

// Every way of writing an internal address that some reader (a browser,
// glibc's inet_aton, nginx's ngx_inet_addr) takes for one.
const SPELLINGS = [
  '127.0.0.01', '0177.0.0.1', '0x7f.0.0.1', '127.1', '2130706433', '0x7f000001', '017700000001',
  '0169.254.169.254', '169.254.169.254', '127.000.000.001', '127.0.0.1.', '10.0.0.1', '100.64.0.1',
  '[::1]', '[::ffff:127.0.0.1]', '[0:0:0:0:0:ffff:7f00:1]', '[::ffff:7f00:1]', '[fe80::1]', '[fc00::1]',
  'localhost', 'localhost.', 'app.localhost', 'metadata.google.internal', '0.0.0.0', '0',
];

test('internal addresses, however spelled, are refused before any connection', async () => {
  const before = internal.connections();
  const creates = fleet.mocks['veo-gemini'].createCount();
  for (const host of SPELLINGS) {
    const url = `http://${host}:${internal.port}/img.png`;
    const image = await veoCreate(gw, url);
    const e = assertError(image, 400, { code: 'invalid_image_url', param: 'input_reference.image_url' });
    assert.doesNotMatch(e.message, /teapot|418/);
    const hook = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'ssrf hook', callback_url: url });
    assertError(hook, 400, { code: 'invalid_callback_url', param: 'callback_url' });
  }
  assert.equal(internal.connections(), before, 'no connection reached the internal server');
  assert.equal(fleet.mocks['veo-gemini'].createCount(), creates);
});

test('host names that resolve to internal addresses are refused, every address checked', async () => {
  const before = internal.connections();
  for (const name of ['evil.test', 'meta.test', 'ten.test', 'mixed.test']) {
    const r = await veoCreate(gw, `http://${name}:${internal.port}/img.png`);
    const e = assertError(r, 400, { code: 'invalid_image_url' });
    assert.match(e.message, /resolves to an internal address/, name);
    assert.ok(dns.lookups(name) >= 1, `${name} was looked up with nginx's resolver`);
  }
  const unknown = await veoCreate(gw, `http://nowhere.test:${internal.port}/img.png`);
  assertError(unknown, 400, { code: 'invalid_image_url' });
  assert.equal(internal.connections(), before);
});

test('an allowed host name is fetched from the address that was checked, under its own name', async () => {
  const creates = fleet.mocks['veo-gemini'].createCount();
  const r = await veoCreate(allowing, `http://images.test:${internal.port}/img.png?v=1`);
  assert.equal(r.status, 200, r.text);
  const fetched = internal.requests.at(-1);
  assert.equal(fetched.path, '/img.png?v=1');
  assert.equal(fetched.host, `images.test:${internal.port}`, 'Host is the URL\'s, not the address');
  assert.equal(fleet.mocks['veo-gemini'].createCount(), creates + 1);
  const sent = fleet.mocks['veo-gemini'].requests.filter((q) => q.method === 'POST').at(-1);
  assert.equal(sent.body.instances[0].image.bytesBase64Encoded, png.toString('base64'));
});

test('DNS rebinding: one lookup, and the connection goes to the address it returned', async () => {
  const before = internal.connections();
  const r = await veoCreate(gw, `http://rebind.test:${internal.port}/img.png`);
  assertError(r, 400, { code: 'image_fetch_failed' });
  assert.equal(dns.lookups('rebind.test'), 1, 'the name is resolved once');
  assert.equal(internal.connections(), before, 'the second answer (loopback) was never used');
});

test('what a server answered never reaches the client', async () => {
  const r = await veoCreate(allowing, `http://images.test:${internal.port}/missing.png`);
  const e = assertError(r, 400, { code: 'image_fetch_failed' });
  // (\b: the message names the URL, whose ephemeral port may hold 418.)
  assert.doesNotMatch(e.message, /\b418\b|teapot|internal-only/);
  assert.equal(r.headers['x-internal-secret'], undefined);
});

test('an image server cannot steer nginx (X-Accel-Redirect) or pass off half an image', async () => {
  const veo = fleet.mocks['veo-gemini'];
  const r = await veoCreate(allowing, `http://images.test:${internal.port}/accel.png`);
  assert.equal(r.status, 200, r.text);
  const sent = veo.requests.filter((q) => q.method === 'POST').at(-1);
  assert.equal(sent.body.instances[0].image.bytesBase64Encoded, png.toString('base64'), 'the server\'s own image, not the internal location');
  const creates = veo.createCount();
  const cut = await veoCreate(allowing, `http://images.test:${internal.port}/cut.png`);
  assertError(cut, 400, { code: 'image_fetch_failed' });
  assert.equal(veo.createCount(), creates, 'a cut-off image is not sent to the vendor');
});

test('images are bounded in size and time: envelopes, never a dropped connection', async () => {
  const huge = await veoCreate(allowing, `http://images.test:${internal.port}/huge.png`);
  assert.match(assertError(huge, 400, { code: 'image_fetch_failed' }).message, /larger than the gateway fetches/);
  const endless = await veoCreate(allowing, `http://images.test:${internal.port}/endless.png`);
  assert.match(assertError(endless, 400, { code: 'image_fetch_failed' }).message, /larger than the gateway fetches/);
  const started = Date.now();
  const slow = await veoCreate(allowing, `http://images.test:${internal.port}/slow.png`);
  assert.match(assertError(slow, 400, { code: 'image_fetch_failed' }).message, /in time/);
  assert.ok(Date.now() - started < 10000, 'gave up after vgw_image_fetch_timeout');
});

test('webhook targets: allowed names are resolved and pinned, others never contacted', async () => {
  const kling = fleet.mocks.kling;
  const seen = internal.requests.length;
  const r = await postJson(allowing.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'hook me', callback_url: `http://hooks.test:${internal.port}/hook` });
  assert.equal(r.status, 200, r.text);
  const deadline = Date.now() + 5000;
  while (!internal.requests.slice(seen).some((q) => q.path === '/hook') && Date.now() < deadline) await sleep(20);
  const hook = internal.requests.slice(seen).find((q) => q.path === '/hook');
  assert.ok(hook, 'the event was delivered');
  assert.equal(hook.host, `hooks.test:${internal.port}`);
  // Without an allow list a public-looking name is accepted at create; at
  // delivery it resolves to loopback and nothing is sent.
  const before = internal.connections();
  const evil = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'hook evil', callback_url: `http://evil.test:${internal.port}/hook` });
  assert.equal(evil.status, 200, evil.text);
  const task = [...kling.tasks.keys()].at(-1);
  const until = Date.now() + 5000;
  while (kling.callbacks.filter((c) => c.taskId === task && c.answer).length < 2 && Date.now() < until) await sleep(20);
  const answers = kling.callbacks.filter((c) => c.taskId === task && c.state === 'succeed');
  assert.ok(answers.length > 0 && answers.every((c) => c.answer?.status === 502), JSON.stringify(answers));
  assert.equal(internal.connections(), before, 'no event reached the internal server');
});
