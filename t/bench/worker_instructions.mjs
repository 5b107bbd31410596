// Instructions per request in the whole front worker (nginx and the module,
// user space), which machine noise does not change: the configuration the
// last `./build.sh bench` wrote, its front nginx run under callgrind as a
// single process, 50 kept-alive requests to warm up, counters zeroed, 200
// sequential kept-alive requests, counters dumped. Run after
// `./build.sh bench`: `node t/bench/worker_instructions.mjs` (or after
// `./build.sh bench --smoke`, with --smoke: the same configuration, written
// in a minute). --full-store counts with the embedded store full, as a long
// benchmark leaves it (the catalogue fills any zone): a 1m zone (the least it takes), filled
// by creates before counting. Needs valgrind.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';

import { NGINX, RUNTIME_ROOT } from '../lib/gateway.mjs';

const WORK = join(RUNTIME_ROOT, process.argv.includes('--smoke') ? 'bench-smoke' : 'bench');
const FRONT = join(WORK, 'front');
const UP = join(WORK, 'up');
if (!existsSync(join(FRONT, 'nginx.conf'))) throw new Error(`run ./build.sh bench (--smoke) first (no ${FRONT}/nginx.conf)`);
const FULL_STORE = process.argv.includes('--full-store');
const WARM = FULL_STORE ? 3000 : 50;
const COUNTED = 200;

const conf = readFileSync(join(FRONT, 'nginx.conf'), 'utf8');
const port = Number(/listen 127\.0\.0\.1:(\d+)/.exec(conf)[1]);
let callgrindConf = conf.replace('worker_processes 1;', 'worker_processes 1; daemon off; master_process off;');
if (FULL_STORE) callgrindConf = callgrindConf.replace(/^(\s*)vgw_id_key /m, '$1vgw_store_size 1m;\n$1vgw_id_key ');
writeFileSync(join(FRONT, 'callgrind.conf'), callgrindConf);

const run = (args) => spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
run([NGINX, '-p', UP, '-c', join(UP, 'nginx.conf')]);
const prefix = join(FRONT, 'callgrind.out');
for (const f of readdirSync(FRONT)) if (f.startsWith('callgrind.out.')) rmSync(join(FRONT, f));
const front = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${prefix}.%p`, NGINX, '-p', FRONT, '-c', join(FRONT, 'callgrind.conf')], { stdio: 'ignore' });

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function request(path, { method = 'GET', body, contentType } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path, method, agent,
      headers: { Authorization: 'Bearer bench-client', ...(contentType && { 'Content-Type': contentType }), ...(body && { 'Content-Length': body.length }) },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${path}: HTTP ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function counted(name, path, options) {
  for (let i = 0; i < WARM; i++) await request(path, options);
  run(['callgrind_control', '-z', String(front.pid)]);
  for (let i = 0; i < COUNTED; i++) await request(path, options);
  const before = new Set(readdirSync(FRONT));
  run(['callgrind_control', '-d', String(front.pid)]);
  const dump = readdirSync(FRONT).find((f) => f.startsWith('callgrind.out.') && !before.has(f));
  const total = Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(join(FRONT, dump), 'utf8'))[1]);
  return { name, perRequest: Math.round(total / COUNTED) };
}

try {
  const deadline = Date.now() + 120000;
  for (;;) {
    try { await request('/floor-keepalive/v1/videos/text2video/8123456789'); break; } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const json = (file) => ({ method: 'POST', body: readFileSync(join(WORK, file)), contentType: 'application/json' });
  const id = JSON.parse(await request('/v1/videos', json('json-create.json'))).id;
  const rows = [
    await counted('JSON create, floor keepalive', '/floor-keepalive/v1/videos/text2video', json('kling-t2v.json')),
    await counted('JSON create, module', '/v1/videos', json('json-create.json')),
    await counted('retrieve, floor keepalive', '/floor-keepalive/v1/videos/text2video/8123456789'),
    await counted('retrieve, module', `/v1/videos/${id}`),
  ];
  console.log('| Request | instructions per request (worker, user space) |\n|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.perRequest} |`);
} finally {
  agent.destroy();
  front.kill('SIGQUIT');
  run([NGINX, '-p', UP, '-c', join(UP, 'nginx.conf'), '-s', 'stop']);
}
