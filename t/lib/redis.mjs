// A real redis-server (Debian's package) for the fleet-store tests: started
// on a free port with nothing persisted, stopped and started again on the
// same port, and asked questions with a few lines of RESP.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './gateway.mjs';

const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

function encode(args) {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`;
  return out;
}

// Parses one reply at `at`; [value, next] or null when more bytes are needed.
function parse(buf, at = 0) {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('utf8', at + 1, eol);
  const next = eol + 2;
  if (type === '+') return [line, next];
  if (type === '-') return [new Error(line), next];
  if (type === ':') return [Number(line), next];
  if (type === '$') {
    const n = Number(line);
    if (n < 0) return [null, next];
    if (buf.length < next + n + 2) return null;
    return [buf.toString('utf8', next, next + n), next + n + 2];
  }
  if (type === '*') {
    const n = Number(line);
    if (n < 0) return [null, next];
    const items = [];
    let pos = next;
    for (let i = 0; i < n; i++) {
      const item = parse(buf, pos);
      if (!item) return null;
      items.push(item[0]);
      pos = item[1];
    }
    return [items, pos];
  }
  throw new Error(`unexpected RESP type ${type}`);
}

// One command on a connection of its own, in database `db`.
export function redisCommand(port, password, db, ...args) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const wanted = 1 + (password ? 1 : 0) + (db ? 1 : 0);
    const replies = [];
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let parsed;
      let at = 0;
      while (replies.length < wanted && (parsed = parse(buf, at))) {
        replies.push(parsed[0]);
        at = parsed[1];
      }
      buf = buf.subarray(at);
      if (replies.length === wanted) {
        socket.end();
        const reply = replies[wanted - 1];
        if (reply instanceof Error) reject(reply);
        else resolve(reply);
      }
    });
    const prelude = (password ? encode(['AUTH', password]) : '') + (db ? encode(['SELECT', String(db)]) : '');
    socket.write(prelude + encode(args));
  });
}

export async function startRedis({ password } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vgw-redis-'));
  let child = null;
  const server = {
    port,
    password,
    command: (...args) => redisCommand(port, password, 0, ...args),
    commandIn: (db, ...args) => redisCommand(port, password, db, ...args),
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'];
      if (password) args.push('--requirepass', password);
      child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'ignore', 'inherit'] });
      const deadline = Date.now() + 10000;
      for (;;) {
        try {
          if ((await server.command('PING')) === 'PONG') return;
        } catch (e) {
          if (Date.now() > deadline) throw new Error(`redis-server did not start: ${e.message}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (!child) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      child = null;
    },
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
