// Small HTTP helpers for talking to the gateway exactly as a client would.

import { request } from 'node:http';
import { randomBytes } from 'node:crypto';

export const TENANT_A = 'Bearer sk-client-tenant-a';
export const TENANT_B = 'Bearer sk-client-tenant-b';

// Raw request with full control over headers and body (chunked when `chunks`
// is given). Resolves with status, headers, and the body as a Buffer.
export function rawRequest(baseUrl, { method = 'GET', path, headers = {}, body, chunks } = {}) {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const buffer = Buffer.concat(parts);
        let json;
        try {
          json = JSON.parse(buffer.toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, buffer, text: buffer.toString('utf8'), json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (chunks) {
      (async () => {
        // Small bodies arrive in visibly separate chunks; big ones as fast
        // as the socket drains.
        const pause = chunks.length <= 64 ? 5 : 0;
        for (const c of chunks) {
          if (!req.write(c)) await new Promise((r) => req.once('drain', r));
          if (pause) await new Promise((r) => setTimeout(r, pause));
        }
        req.end();
      })();
    } else {
      req.end(body);
    }
  });
}

export function postJson(baseUrl, path, payload, { auth = TENANT_A, headers = {} } = {}) {
  return rawRequest(baseUrl, {
    method: 'POST',
    path,
    headers: { Authorization: auth, 'Content-Type': 'application/json', ...headers },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

export function get(baseUrl, path, { auth = TENANT_A, headers = {} } = {}) {
  return rawRequest(baseUrl, { path, headers: { Authorization: auth, ...headers } });
}

// Builds a multipart/form-data body by hand so tests control the boundary,
// field order and part headers. A part is [name, value] for text or
// {name, filename?, contentType?, data} for a file.
export function multipartBody(parts, boundary = `----vgwtest${randomBytes(8).toString('hex')}`) {
  const chunks = [];
  for (const part of parts) {
    if (Array.isArray(part)) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part[0]}"\r\n\r\n${part[1]}\r\n`));
      continue;
    }
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.contentType) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), part.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function postMultipart(baseUrl, path, parts, { auth = TENANT_A, boundary, chunked = false } = {}) {
  const { body, contentType } = multipartBody(parts, boundary);
  const headers = { Authorization: auth, 'Content-Type': contentType };
  if (chunked) {
    headers['Transfer-Encoding'] = 'chunked';
    const chunks = [];
    const size = body.length > 1 << 20 ? 64 * 1024 : 7000;
    for (let i = 0; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
    return rawRequest(baseUrl, { method: 'POST', path, headers, chunks });
  }
  return rawRequest(baseUrl, { method: 'POST', path, headers, body });
}

// Polls GET /v1/videos/{id} until the status is terminal (or `until`).
export async function pollUntil(baseUrl, id, { auth = TENANT_A, until = ['completed', 'failed'], timeoutMs = 10000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const seen = [];
  for (;;) {
    const r = await get(baseUrl, `/v1/videos/${id}`, { auth });
    if (r.status !== 200) throw new Error(`poll failed: ${r.status} ${r.text}`);
    seen.push(r.json);
    if (until.includes(r.json.status)) return { video: r.json, seen };
    if (Date.now() > deadline) throw new Error(`video ${id} stuck in ${r.json.status}`);
    await new Promise((res) => setTimeout(res, 60));
  }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// JSON request straight to a mock vendor (mock self-tests), via fetch.
export async function fetchJson(baseUrl, path, { method = 'GET', body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, init);
  return { status: response.status, json: await response.json() };
}
