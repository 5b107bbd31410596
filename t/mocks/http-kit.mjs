// Server plumbing shared by the mocks: ephemeral listening, hard shutdown,
// body reading, JSON replies and one-shot fault injection.

import { createServer } from 'node:http';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

// Starts an HTTP server on 127.0.0.1 with an ephemeral port. close() also
// destroys sockets that are idle, mid-request or deliberately left hanging.
export async function listenEphemeral(handler) {
  const sockets = new Set();
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((error) => {
      if (res.headersSent) {
        res.destroy(error);
        return;
      }
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`mock server error: ${error.stack ?? error}`);
    });
  });
  server.on('connection', (socket) => {
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
    url: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
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
 *   {afterCreate: 'reset'|'hang'}  create kind only: process the create for real,
 *                               then reset/hang instead of sending the reply
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
      if (on !== 'create') throw new TypeError("afterCreate faults only apply to on: 'create'");
      if (fault.afterCreate !== 'reset' && fault.afterCreate !== 'hang') {
        throw new TypeError("afterCreate must be 'reset' or 'hang'");
      }
    }
    this.#pending.push({ ...fault, on });
  }

  take(kind) {
    const index = this.#pending.findIndex((fault) => fault.on === 'any' || fault.on === kind);
    return index === -1 ? null : this.#pending.splice(index, 1)[0];
  }

  get size() {
    return this.#pending.length;
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
