// Server plumbing shared by the mocks: ephemeral listening, hard shutdown,
// body reading, JSON replies and one-shot fault injection.

import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

// Starts an HTTP server on 127.0.0.1 with an ephemeral port. close() also
// destroys sockets that are idle, mid-request or deliberately left hanging.
// connections() counts the TCP connections accepted so far; keepAliveTimeoutMs
// is how long an idle kept-alive connection stays open (Node's default: 5 s);
// with `tls` ({ key, cert }) it speaks HTTPS and counts TLS handshakes, and
// how many of them resumed a session.
export async function listenEphemeral(handler, { keepAliveTimeoutMs, tls } = {}) {
  const sockets = new Set();
  let accepted = 0;
  let resumed = 0;
  const serve = (req, res) => {
    Promise.resolve(handler(req, res)).catch((error) => {
      if (res.headersSent) {
        res.destroy(error);
        return;
      }
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`mock server error: ${error.stack ?? error}`);
    });
  };
  const server = tls ? createTlsServer({ ...tls }, serve) : createServer(serve);
  if (keepAliveTimeoutMs !== undefined) {
    // Closes (FIN) a connection idle for that long after its last reply,
    // as a vendor's load balancer does.
    server.on('request', (req, res) => {
      const socket = req.socket;
      clearTimeout(socket.idleTimer);
      res.on('finish', () => {
        socket.idleTimer = setTimeout(() => socket.end(), keepAliveTimeoutMs);
      });
    });
  }
  server.on(tls ? 'secureConnection' : 'connection', (socket) => {
    accepted += 1;
    if (tls && socket.isSessionReused()) resumed += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  let closing = null;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    connections: () => accepted,
    resumedSessions: () => resumed,
    close() {
      closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) {
          clearTimeout(socket.idleTimer);
          socket.destroy();
        }
      });
      return closing;
    },
  };
}

export async function readBody(req, limit = MAX_BODY_BYTES) {
  const chunks = [];
  let total = 0;
  for await (const chunk of req) {
    total += chunk.length;
    if (total > limit) throw new BodyTooLargeError(`request body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res, status, payload, headers = {}) {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

// Media type without parameters, lowercased ("application/json; charset=utf-8" -> "application/json").
export function mediaType(contentTypeHeader) {
  return (contentTypeHeader ?? '').split(';')[0].trim().toLowerCase();
}

export function parseJsonOrUndefined(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One-shot faults, consumed in the order they were queued by the first API
 * request whose kind matches `on` ('any' matches every kind).
 *
 *   {status, body?, headers?}   answer this instead; the request is not processed
 *   {hang: true}                never answer; the socket stays open until close()
 *   {reset: true}               destroy the connection (TCP RST) without answering
 *   {afterCreate: outcome}      create kind only: process the create for real
 *                               (the task exists), then spoil the reply; see
 *                               AFTER_CREATE for the outcomes
 */
export class FaultQueue {
  #pending = [];
  #kinds;

  constructor(kinds) {
    this.#kinds = kinds;
  }

  add(fault) {
    const on = fault.on ?? (fault.afterCreate ? 'create' : 'any');
    if (on !== 'any' && !this.#kinds.includes(on)) {
      throw new TypeError(`fault.on must be 'any' or one of ${this.#kinds.join(', ')}; got ${on}`);
    }
    const shapes = [
      fault.status !== undefined,
      fault.hang === true,
      fault.reset === true,
      fault.afterCreate !== undefined,
    ];
    if (shapes.filter(Boolean).length !== 1) {
      throw new TypeError('a fault needs exactly one of: status, hang: true, reset: true, afterCreate');
    }
    if (fault.afterCreate !== undefined) {
      // Routes that make a task: a create, and a remix where a mock has one.
      if (on !== 'create' && on !== 'remix') throw new TypeError("afterCreate faults only apply to on: 'create' or 'remix'");
      const known = AFTER_CREATE.includes(fault.afterCreate) ||
        Number.isInteger(fault.afterCreate?.status) || Number.isInteger(fault.afterCreate?.delayMs);
      if (!known) throw new TypeError(`afterCreate must be one of ${AFTER_CREATE.join(', ')}, {status} or {delayMs}`);
    }
    this.#pending.push({ ...fault, on });
  }

  take(kind) {
    const index = this.#pending.findIndex((fault) => fault.on === 'any' || fault.on === kind);
    return index === -1 ? null : this.#pending.splice(index, 1)[0];
  }

  // The vendor recovers: faults not yet consumed are dropped.
  clear() {
    this.#pending.length = 0;
  }

  get size() {
    return this.#pending.length;
  }
}

/**
 * What a vendor, or the network between, can do to a create reply after the
 * task was really created:
 *   'reset'    TCP RST instead of the reply
 *   'hang'     no reply at all, the connection stays open
 *   'cut'      the headers and half the body, then the connection closes
 *   'garbage'  HTTP 200 whose body is not JSON
 *   'html'     HTTP 200 with an HTML page (a proxy's)
 *   'gzip', 'deflate', 'raw-deflate'  the real reply, compressed, with
 *              Content-Encoding (raw-deflate: deflate without the zlib
 *              wrapper, as many servers send it)
 *   'brotli'   the real reply labelled Content-Encoding: br (undecodable)
 *   'huge'     the real reply padded to 3 MiB
 *   {status}   that HTTP status with the vendor's error body
 *   {delayMs}  the real reply, that much later
 */
export const AFTER_CREATE = ['reset', 'hang', 'cut', 'garbage', 'html', 'gzip', 'deflate', 'raw-deflate', 'brotli', 'huge'];

// Sends (or withholds) the reply to a create that really happened, as
// `outcome` says. `reply` is what the vendor would have sent; `faultBody`
// gives its error shape for a status. Returns the status to log.
export async function spoilReply(res, outcome, { status, payload, headers = {} }, faultBody) {
  const json = JSON.stringify(payload);
  const send = (code, body, extra = {}) => {
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': body.length, ...headers, ...extra });
    res.end(body);
    return code;
  };
  if (outcome === 'reset' || outcome === 'hang') return abandonResponse(res, outcome);
  if (Number.isInteger(outcome?.delayMs)) {
    await new Promise((r) => setTimeout(r, outcome.delayMs));
    return send(status, Buffer.from(json));
  }
  if (Number.isInteger(outcome?.status)) {
    return send(outcome.status, Buffer.from(JSON.stringify(faultBody(outcome.status))));
  }
  switch (outcome) {
    case 'cut': {
      const body = Buffer.from(json);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length, ...headers });
      res.write(body.subarray(0, body.length >> 1));
      setTimeout(() => res.socket?.destroy(), 20);
      return status;
    }
    case 'garbage':
      return send(200, Buffer.from(`${json.slice(0, json.length >> 1)}\u0000\u00ff not json`));
    case 'html':
      return send(200, Buffer.from('<html><body><h1>200 OK</h1></body></html>'), { 'Content-Type': 'text/html' });
    case 'gzip':
      return send(status, gzipSync(json), { 'Content-Encoding': 'gzip' });
    case 'deflate':
      return send(status, deflateSync(json), { 'Content-Encoding': 'deflate' });
    case 'raw-deflate':
      return send(status, deflateRawSync(json), { 'Content-Encoding': 'deflate' });
    case 'brotli':
      return send(status, Buffer.from(json), { 'Content-Encoding': 'br' });
    case 'huge':
      return send(status, Buffer.from(JSON.stringify({ ...payload, padding: 'x'.repeat(3 << 20) })));
    default:
      throw new TypeError(`unknown afterCreate outcome ${JSON.stringify(outcome)}`);
  }
}

// Carries out a reset/hang outcome; returns the value to log as the status.
export function abandonResponse(res, outcome) {
  if (outcome === 'reset') {
    // resetAndDestroy sends a TCP RST, which is what a crashed upstream or a
    // dropped load-balancer connection looks like to the gateway.
    res.socket?.resetAndDestroy();
  }
  // 'hang': do nothing at all; listenEphemeral().close() destroys the socket.
  return null;
}

// Sends a {status, body, headers} fault. Object bodies are JSON; a missing body
// gets the vendor's own error shape from defaultBody(status).
export function sendFaultResponse(res, fault, defaultBody) {
  const body = fault.body === undefined ? defaultBody(fault.status) : fault.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    res.writeHead(fault.status, { 'Content-Length': Buffer.byteLength(body), ...fault.headers });
    res.end(body);
  } else {
    sendJson(res, fault.status, body, fault.headers);
  }
  return fault.status;
}

/**
 * Posts `payload()` as JSON to `url` at each delay (ms), the way vendors
 * notify a callback_url, and logs {taskId, state, answer} entries in `log`
 * (answer: {status, body} or {error}). Timers go in `timers` so close() can
 * cancel them.
 */
export function scheduleCallbacks({ url, delays, payload, taskId, state, log, timers }) {
  for (const delay of delays) {
    const timer = setTimeout(async () => {
      timers.delete(timer);
      const entry = { taskId, state: state(), answer: null };
      log.push(entry);
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(payload()),
        });
        entry.answer = { status: response.status, body: await response.text() };
      } catch (error) {
        entry.answer = { error: String(error) };
      }
    }, delay);
    timers.add(timer);
  }
}
