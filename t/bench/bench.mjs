// `./build.sh bench [--smoke]`: the gateway against plain nginx proxy_pass,
// side by side in one run, on loopback. One front nginx (1 worker) hosts
// both the module and two floors (plain proxy_pass locations that receive
// the request already translated to the vendor's format: over kept-alive
// connections, and with a new connection per request); a second nginx is
// the vendor (static replies, a large static file), so its cost is not
// counted. wrk drives the request shapes, three interleaved repeats each
// (medians reported); the front worker's CPU time per request (the headline:
// it holds under noise) and RSS come from /proc. A poll-storm row counts the
// vendor status calls many polling clients cause. Results: a table on
// stdout and build/bench/results.md.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, statSync, truncateSync, writeFileSync, closeSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CONF_EXAMPLES, MODULE, NGINX, ROOT, RUNTIME_ROOT, freePort } from '../lib/gateway.mjs';
import { multipartBody, rawRequest } from '../lib/http.mjs';
import { peakGrowth } from '../lib/worker-memory.mjs';
import { pngBytes } from '../mocks/media.mjs';

const smoke = process.argv.includes('--smoke');
// --only=retrieve,uploads runs a subset (names: the rows, streaming, uploads).
const only = (process.argv.find((a) => a.startsWith('--only=')) ?? '').slice(7).split(',').filter(Boolean);
const wanted = (name) => only.length === 0 || only.includes(name);
const OUT = join(ROOT, smoke ? 'build/bench-smoke' : 'build/bench');
// nginx prefixes and served files: where unprivileged workers can reach them.
const WORK = join(RUNTIME_ROOT, smoke ? 'bench-smoke' : 'bench');
const HERE = dirname(fileURLToPath(import.meta.url));
const SECONDS = smoke ? 1 : 8;
const LATENCY_SECONDS = smoke ? 1 : 5;
const CONCURRENCY = 32;
const REPEATS = smoke ? 1 : 3;
const SIDES = ['floor_keepalive', 'floor_new', 'module'];
const STORM_CLIENTS = 64;
const STREAM_MIB = smoke ? [8, 16] : [64, 256];
const UPLOAD = smoke ? { mib: 2, concurrency: 4 } : { mib: 20, concurrency: 20 };
const AUTH = 'Bearer bench-client';
const ACCESS_KEY = 'ak-bench';
const SECRET_KEY = 'sk-bench';

mkdirSync(join(OUT), { recursive: true });
mkdirSync(join(WORK, 'files'), { recursive: true });
chmodSync(RUNTIME_ROOT, 0o755);
chmodSync(WORK, 0o755);
mkdirSync(join(WORK, 'up/logs'), { recursive: true });
mkdirSync(join(WORK, 'front/logs'), { recursive: true });

// An image that sniffs as PNG, `bytes` long.
function imageBytes(bytes) {
  const head = pngBytes({ width: 64, height: 64 });
  return Buffer.concat([head, randomBytes(Math.max(0, bytes - head.length))]);
}

function writeFile(name, data) {
  const path = join(WORK, name);
  writeFileSync(path, data);
  return path;
}

function bigFile(mib) {
  const path = join(WORK, 'files', `big-${mib}.bin`);
  if (!existsSync(path) || statSync(path).size !== mib << 20) {
    const fd = openSync(path, 'w');
    const chunk = randomBytes(1 << 20);
    for (let i = 0; i < mib; i++) writeSync(fd, chunk);
    closeSync(fd);
  }
  return path;
}

const upPort = await freePort();
const frontPort = await freePort();
const TASK = '8123456789';
const created = JSON.stringify({ code: 0, message: 'SUCCEED', request_id: 'r', data: { task_id: TASK, task_status: 'submitted', created_at: 1764500000000, updated_at: 1764500000000 } });
const succeeded = (file) => JSON.stringify({ code: 0, message: 'SUCCEED', request_id: 'r', data: { task_id: TASK, task_status: 'succeed', created_at: 1764500000000, updated_at: 1764500090000, task_result: { videos: [{ id: 'v', url: `http://127.0.0.1:${upPort}/files/${file}`, duration: '5' }] } } });
const nginxString = (s) => `'${s.replace(/'/g, "\\'")}'`;

for (const mib of STREAM_MIB) bigFile(mib);

writeFileSync(join(WORK, 'up/nginx.conf'), `
worker_processes 1;
error_log logs/error.log warn;
pid nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    default_type application/json;
    client_max_body_size 100m;
    client_body_buffer_size 1m;
    server {
        listen 127.0.0.1:${upPort} backlog=4096;
        location ~ ^/v1/videos/(text2video|image2video)$ { return 200 ${nginxString(created)}; }
        # A text2video task's result is the smaller file, an image2video
        # task's the larger: the two streaming sizes.
        location /v1/videos/text2video/ {
            # Counted by the poll-storm row: vendor status calls.
            access_log ${WORK}/up/logs/polls.log;
            return 200 ${nginxString(succeeded(`big-${STREAM_MIB[0]}.bin`))};
        }
        location /v1/videos/image2video/ { return 200 ${nginxString(succeeded(`big-${STREAM_MIB[1]}.bin`))}; }
        location /files/ { alias ${WORK}/files/; default_type video/mp4; }
    }
}`);

writeFileSync(join(WORK, 'front/nginx.conf'), `
load_module ${MODULE};
worker_processes 1;
error_log logs/error.log warn;
pid nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    client_max_body_size 100m;
    vgw_id_key bench-id-key-0123456789abcdef;
    vgw_id_binding off;
    # VGW_BENCH_DIRECT=0: vendor calls as subrequests to the call location.
    ${process.env.VGW_BENCH_DIRECT === '0' ? 'vgw_direct_calls off;' : ''}
    # The vendor on kept-alive connections, as the shipped configuration
    # reaches every vendor (vendor-upstreams.conf).
    upstream vendor_api { server 127.0.0.1:${upPort}; keepalive 64; }
    vgw_vendor ${CONF_EXAMPLES}/vendors/kling.yaml base_url=http://127.0.0.1:${upPort} upstream=vendor_api access_key=${ACCESS_KEY} secret_key=${SECRET_KEY};
    server {
        listen 127.0.0.1:${frontPort} backlog=4096;
        location /v1/ { vgw_api; }
        include ${CONF_EXAMPLES}/vgw-locations.conf;
        # The floors: the same vendor request, already translated, through a
        # plain proxy_pass: over kept-alive connections (what an operator
        # deploys), and with a new connection per request.
        location /floor-keepalive/ {
            proxy_pass http://vendor_api/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
        location /floor/ {
            proxy_pass http://127.0.0.1:${upPort}/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}`);

function startNginx(dir, extra = []) {
  const res = spawnSync(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), ...extra], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`nginx failed: ${res.stderr}`);
}
function stopNginx(dir) {
  spawnSync(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-s', 'stop'], { encoding: 'utf8' });
}
const workerPid = (dir) => {
  const master = readFileSync(join(dir, 'nginx.pid'), 'utf8').trim();
  return Number(spawnSync('pgrep', ['-P', master], { encoding: 'utf8' }).stdout.trim().split('\n')[0]);
};
// The scheduler's own count of the time the process ran (user and kernel),
// in nanoseconds: /proc/PID/stat's utime+stime move in 10 ms ticks, too
// coarse for a transfer of a few dozen milliseconds.
function cpuSeconds(pid) {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
}
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

// Samples the worker's RSS every 10 ms while `work` runs.
async function measured(pid, work) {
  const before = { cpu: cpuSeconds(pid), rss: rssKiB(pid) };
  let peak = before.rss;
  const timer = setInterval(() => { peak = Math.max(peak, rssKiB(pid)); }, 10);
  const result = await work();
  clearInterval(timer);
  peak = Math.max(peak, rssKiB(pid));
  return { result, cpu: cpuSeconds(pid) - before.cpu, rssBefore: before.rss, rssPeak: peak, rssAfter: rssKiB(pid) };
}

function wrk({ path, method = 'GET', bodyFile = '', contentType = '', connections, seconds }) {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', join(HERE, 'wrk-request.lua'), `http://127.0.0.1:${frontPort}${path}`], {
      env: { ...process.env, BENCH_METHOD: method, BENCH_BODY_FILE: bodyFile, BENCH_CONTENT_TYPE: contentType, BENCH_AUTH: AUTH },
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', () => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH '));
      if (!line) return reject(new Error(`wrk said: ${out}`));
      resolve(JSON.parse(line.slice(6)));
    });
  });
}

async function http(method, path, { body, contentType, headers = {} } = {}) {
  const response = await fetch(`http://127.0.0.1:${frontPort}${path}`, {
    method, body, headers: { Authorization: AUTH, ...(contentType && { 'Content-Type': contentType }), ...headers },
  });
  const buffer = Buffer.from(await response.arrayBuffer());
  return { status: response.status, buffer, json: () => JSON.parse(buffer.toString('utf8')) };
}

// --- request shapes -------------------------------------------------------
const image = imageBytes(1 << 20);
const prompt = 'A red panda surfing a wave at sunset, cinematic';
const jsonCreate = writeFile('json-create.json', JSON.stringify({ model: 'kling-v2-6', prompt, seconds: '5', size: '1280x720' }));
const mpPlain = multipartBody([['model', 'kling-v2-6'], ['prompt', prompt], ['seconds', '5'], ['size', '1280x720']]);
const mpPlainFile = writeFile('mp-create.bin', mpPlain.body);
const mpImage = multipartBody([['model', 'kling-v2-6'], ['prompt', prompt], ['seconds', '5'],
  { name: 'input_reference', filename: 'frame.png', contentType: 'image/png', data: image }]);
const mpImageFile = writeFile('mp-image.bin', mpImage.body);
// What the module sends Kling for each, so the floor carries the same bytes.
const klingT2v = writeFile('kling-t2v.json', JSON.stringify({ model_name: 'kling-v2-6', prompt, duration: '5', aspect_ratio: '16:9' }));
const klingI2v = writeFile('kling-i2v.json', JSON.stringify({ model_name: 'kling-v2-6', prompt, duration: '5', image: image.toString('base64') }));

startNginx(join(WORK, 'up'));
startNginx(join(WORK, 'front'));
const results = [];
try {
  const worker = workerPid(join(WORK, 'front'));
  const create = await http('POST', '/v1/videos', { body: readFileSync(jsonCreate), contentType: 'application/json' });
  if (create.status !== 200) throw new Error(`create failed: ${create.buffer}`);
  const videoId = create.json().id;

  const floorHeaders = { contentType: 'application/json' };
  const floors = (path, extra = {}) => ({
    floor_keepalive: { path: `/floor-keepalive${path}`, ...extra },
    floor_new: { path: `/floor${path}`, ...extra },
  });
  const scenarios = [
    { name: 'JSON create', module: { path: '/v1/videos', method: 'POST', bodyFile: jsonCreate, contentType: 'application/json' },
      ...floors('/v1/videos/text2video', { method: 'POST', bodyFile: klingT2v, ...floorHeaders }) },
    { name: 'multipart create', module: { path: '/v1/videos', method: 'POST', bodyFile: mpPlainFile, contentType: mpPlain.contentType },
      ...floors('/v1/videos/text2video', { method: 'POST', bodyFile: klingT2v, ...floorHeaders }) },
    { name: 'multipart create, 1 MiB image', module: { path: '/v1/videos', method: 'POST', bodyFile: mpImageFile, contentType: mpImage.contentType },
      ...floors('/v1/videos/image2video', { method: 'POST', bodyFile: klingI2v, ...floorHeaders }) },
    { name: 'retrieve', module: { path: `/v1/videos/${videoId}` },
      ...floors(`/v1/videos/text2video/${TASK}`) },
  ];
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const s of scenarios) {
    if (!wanted(s.name)) continue;
    const runs = { floor_keepalive: [], floor_new: [], module: [] };
    // Interleaved repeats: a slow spell of the machine hits every side.
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      for (const side of SIDES) {
        const req = s[side];
        const throughput = await measured(worker, () => wrk({ ...req, connections: CONCURRENCY, seconds: SECONDS }));
        const latency = await wrk({ ...req, connections: 1, seconds: LATENCY_SECONDS });
        const t = throughput.result;
        if (t.status_errors || t.socket_errors) throw new Error(`${s.name}/${side}: ${t.status_errors} bad statuses, ${t.socket_errors} socket errors`);
        runs[side].push({
          rps: t.requests / (t.duration_us / 1e6),
          p50: latency.p50_us,
          p99: latency.p99_us,
          cpuUs: (throughput.cpu / t.requests) * 1e6,
          rssPeakMiB: throughput.rssPeak / 1024,
        });
      }
    }
    const row = { name: s.name };
    for (const side of SIDES) {
      row[side] = Object.fromEntries(Object.keys(runs[side][0]).map((k) => [k, median(runs[side].map((r) => r[k]))]));
    }
    results.push(row);
    console.error(`  ${s.name}: done`);
  }

  // Poll storm: many clients polling one id; what the vendor sees.
  let storm = null;
  if (wanted('poll storm')) {
    // Every status call of the rows above is in the log too (and of
    // earlier runs: nginx appends): emptied here, so only the storm's are
    // counted (nginx keeps appending to the emptied file).
    const pollLog = join(WORK, 'up/logs/polls.log');
    if (existsSync(pollLog)) truncateSync(pollLog, 0);
    const r = await wrk({ path: `/v1/videos/${videoId}`, connections: STORM_CLIENTS, seconds: SECONDS });
    if (r.status_errors || r.socket_errors) throw new Error(`poll storm: ${r.status_errors} bad statuses, ${r.socket_errors} socket errors`);
    let vendorCalls = 0;
    for (const byte of readFileSync(pollLog)) if (byte === 10) vendorCalls++;
    const seconds = r.duration_us / 1e6;
    storm = { clients: STORM_CLIENTS, rps: r.requests / seconds, p99: r.p99_us, vendorPerSecond: vendorCalls / seconds };
  }

  // Streaming: MB/s through the module vs proxy_pass, and the worker's RSS
  // growth for two file sizes (it must not grow with the file).
  const streams = [];
  const small = multipartBody([['model', 'kling-v2-6'], ['prompt', prompt],
    { name: 'input_reference', filename: 'f.png', contentType: 'image/png', data: imageBytes(4096) }]);
  const streamCreates = [
    { body: readFileSync(jsonCreate), contentType: 'application/json' },
    { body: small.body, contentType: small.contentType },
  ];
  // Each size REPEATS times, floor and module interleaved; medians. The
  // front worker's CPU per MiB holds under noise where MB/s (a transfer of
  // under a second on a shared machine) swings by a quarter.
  const streamOnce = (query) => measured(worker, () => new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}', '-H', `Authorization: ${AUTH}`, `http://127.0.0.1:${frontPort}${query}`]);
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', () => resolve({ out, seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
  }));
  for (const [index, mib] of wanted('streaming') ? STREAM_MIB.entries() : []) {
    const id = (await http('POST', '/v1/videos', streamCreates[index])).json().id;
    const runs = { floor: [], module: [] };
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      for (const [side, query] of [['floor', `/floor/files/big-${mib}.bin`], ['module', `/v1/videos/${id}/content`]]) {
        const m = await streamOnce(query);
        const [code, bytes] = m.result.out.split(' ').map(Number);
        if (code !== 200 || bytes !== mib << 20) throw new Error(`stream ${side} ${mib} MiB: HTTP ${code}, ${bytes} bytes`);
        runs[side].push({ mbps: bytes / 1e6 / m.result.seconds, cpuMsPerMiB: (m.cpu * 1000) / mib, rssGrowthMiB: (m.rssPeak - m.rssBefore) / 1024 });
      }
    }
    const row = { mib };
    for (const side of ['floor', 'module']) {
      row[side] = Object.fromEntries(Object.keys(runs[side][0]).map((k) => [k, median(runs[side].map((r) => r[k]))]));
      row[side].rssGrowthMiB = Math.max(...runs[side].map((r) => r.rssGrowthMiB));
    }
    streams.push(row);
  }

  // Memory: many large creates at once, peak worker RSS (the kernel's
  // high-water mark) against the bytes sent; then a chunked body over
  // client_max_body_size, which nginx refuses only once it is over.
  const upImage = imageBytes(UPLOAD.mib << 20);
  const big = multipartBody([['model', 'kling-v2-6'], ['prompt', prompt],
    { name: 'input_reference', filename: 'big.png', contentType: 'image/png', data: upImage }]);
  const bigJson = Buffer.from(JSON.stringify({ model: 'kling-v2-6', prompt, input_reference: { image_url: `data:image/png;base64,${upImage.toString('base64')}` } }));
  const baseline = rssKiB(worker);
  const uploads = { bodiesMiB: (big.body.length * UPLOAD.concurrency) / (1 << 20), baselineMiB: baseline / 1024, runs: [] };
  const burst = async (name, body, contentType) => {
    const m = await peakGrowth(worker, () => Promise.all(Array.from({ length: UPLOAD.concurrency }, () => http('POST', '/v1/videos', { body, contentType }))));
    const bad = m.result.filter((r) => r.status !== 200);
    if (bad.length) throw new Error(`${bad.length} ${name} failed: ${bad[0].buffer}`);
    uploads.runs.push({ name, bodiesMiB: (body.length * UPLOAD.concurrency) / (1 << 20), growthMiB: m.growth / (1 << 20) });
  };
  if (wanted('uploads')) {
    await burst('multipart, image encoded to base64 for Kling', big.body, big.contentType);
    await burst('JSON, base64 data URL passed to Kling', bigJson, 'application/json');
    const over = Buffer.alloc(101 << 20, 'x');
    const chunks = [];
    for (let i = 0; i < over.length; i += 256 * 1024) chunks.push(over.subarray(i, i + 256 * 1024));
    const refused = await peakGrowth(worker, () => rawRequest(`http://127.0.0.1:${frontPort}`, {
      method: 'POST', path: '/v1/videos', headers: { Authorization: AUTH, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, chunks,
    }));
    if (refused.result.status !== 413) throw new Error(`chunked over the limit: HTTP ${refused.result.status}`);
    uploads.refusedChunked = { mib: over.length / (1 << 20), growthMiB: refused.growth / (1 << 20) };
  }
  await new Promise((r) => setTimeout(r, 500));
  uploads.afterMiB = rssKiB(worker) / 1024;

  report(results, streams, uploads, storm);
} finally {
  stopNginx(join(WORK, 'front'));
  stopNginx(join(WORK, 'up'));
}

function report(rows, streams, uploads, storm) {
  const f = (n, d = 0) => n.toFixed(d);
  const pct = (a, b) => `${f((a / b) * 100)}%`;
  const lines = [];
  lines.push(`Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, ${f(totalmem() / 2 ** 30, 1)} GiB; nginx ${spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr.trim().split('/')[1]}; 1 worker; loopback; ${process.env.VGW_BENCH_DIRECT === '0' ? 'module with vgw_direct_calls off; ' : ''}${smoke ? 'SMOKE (not figures)' : `${SECONDS} s per run, medians of ${REPEATS} interleaved repeats`}`);
  lines.push('Floors: plain proxy_pass of the already translated request over kept-alive connections (an upstream block with keepalive, what an operator deploys) and with a new connection per request; the module reaches the vendor over kept-alive connections.');
  lines.push('');
  lines.push(`| Request | CPU µs/req: floor keepalive / floor new conn / module | module ÷ keepalive floor | req/s (c=${CONCURRENCY}): floor keepalive / new conn / module | module / keepalive floor | p50 / p99 µs (c=1): floor keepalive / module | peak worker RSS MiB |`);
  lines.push('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const [k, n, m] = [r.floor_keepalive, r.floor_new, r.module];
    lines.push(`| ${r.name} | ${f(k.cpuUs)} / ${f(n.cpuUs)} / ${f(m.cpuUs)} | ${f(m.cpuUs / k.cpuUs, 2)}× | ${f(k.rps)} / ${f(n.rps)} / ${f(m.rps)} | ${pct(m.rps, k.rps)} | ${k.p50} / ${k.p99} → ${m.p50} / ${m.p99} | ${f(m.rssPeakMiB, 1)} |`);
  }
  if (storm) {
    lines.push('');
    lines.push(`Poll storm: ${storm.clients} clients polling one video: ${f(storm.rps)} req/s, p99 ${storm.p99} µs, ${f(storm.vendorPerSecond)} vendor status calls/s.`);
  }
  lines.push('');
  lines.push('| Streaming | worker CPU ms/MiB: floor / module | module ÷ floor | MB/s: floor / module | module / floor | worker RSS growth MiB (max): floor / module |');
  lines.push('|---|---|---|---|---|---|');
  for (const s of streams) {
    lines.push(`| ${s.mib} MiB file | ${f(s.floor.cpuMsPerMiB, 2)} / ${f(s.module.cpuMsPerMiB, 2)} | ${f(s.module.cpuMsPerMiB / s.floor.cpuMsPerMiB, 2)}× | ${f(s.floor.mbps)} / ${f(s.module.mbps)} | ${pct(s.module.mbps, s.floor.mbps)} | ${f(s.floor.rssGrowthMiB, 1)} / ${f(s.module.rssGrowthMiB, 1)} |`);
  }
  lines.push('');
  lines.push(`| Memory: ${UPLOAD.concurrency} creates at once, ${UPLOAD.mib} MiB image | bodies MiB | peak worker growth MiB | per body byte (bound 2) |`);
  lines.push('|---|---|---|---|');
  for (const u of uploads.runs) {
    lines.push(`| ${u.name} | ${f(u.bodiesMiB)} | ${f(u.growthMiB)} | ${f(u.growthMiB / u.bodiesMiB, 2)} |`);
  }
  if (uploads.refusedChunked) {
    const c = uploads.refusedChunked;
    lines.push(`| a ${f(c.mib)} MiB chunked body over client_max_body_size (refused) | ${f(c.mib)} | ${f(c.growthMiB)} | ${f(c.growthMiB / c.mib, 2)} (bound 0.25) |`);
  }
  lines.push('');
  lines.push(`Worker RSS ${f(uploads.baselineMiB, 1)} MiB before the memory runs, ${f(uploads.afterMiB, 1)} MiB after.`);
  const text = lines.join('\n');
  console.log(text);
  writeFileSync(join(OUT, 'results.md'), `${text}\n`);
  writeFileSync(join(OUT, 'results.json'), JSON.stringify({ rows, streams, uploads, storm }, null, 2));
}
