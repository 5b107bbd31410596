// `./build.sh run`: starts nginx with the module and conf-examples/nginx.conf.
// Vendors without keys in the environment are served by local mock vendors,
// so the gateway works end to end on a fresh machine.

import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fleetMember } from './vendor-fleet.mjs';
import { ROOT, MODULE, CONF_EXAMPLES, NGINX } from './gateway.mjs';

// nginx's prefix (logs, temp files for spilled uploads) is outside the
// checkout: its workers run as an unprivileged user that may not traverse
// the directory this repository was cloned into.
const prefix = join(tmpdir(), `vgw-run-${process.getuid?.() ?? 0}`);
mkdirSync(join(prefix, 'logs'), { recursive: true });
chmodSync(prefix, 0o755);

// The id key is kept across runs so ids from a previous run still open.
mkdirSync(join(ROOT, 'build/run'), { recursive: true });
const keyFile = join(ROOT, 'build/run/id_key');
if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
const env = { ...process.env, VGW_ID_KEY: process.env.VGW_ID_KEY ?? readFileSync(keyFile, 'utf8') };

const nameservers = existsSync('/etc/resolv.conf')
  ? [...readFileSync('/etc/resolv.conf', 'utf8').matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]).filter((ip) => !ip.includes(':'))
  : [];
writeFileSync(join(CONF_EXAMPLES, 'resolver.conf'),
  `# Written by ./build.sh run from /etc/resolv.conf.\nresolver ${nameservers.length ? nameservers.join(' ') : '127.0.0.1'} ipv6=off valid=60s;\nresolver_timeout 5s;\n`);

// Each vendor: the environment variables nginx.conf reads for it, and what
// they are set to when its local mock (from the test fleet) stands in.
const slow = { processingAfterMs: 3000, doneAfterMs: 10000 };
const VENDORS = [
  { name: 'openai', env: ['OPENAI_API_KEY'], url: 'VGW_OPENAI_BASE_URL',
    values: (m) => ({ OPENAI_API_KEY: m.apiKey }) },
  { name: 'kling', env: ['KLING_ACCESS_KEY', 'KLING_SECRET_KEY'], url: 'VGW_KLING_BASE_URL',
    values: (m) => ({ KLING_ACCESS_KEY: m.accessKey, KLING_SECRET_KEY: m.secretKey }) },
  { name: 'vidu', env: ['VIDU_API_KEY'], url: 'VGW_VIDU_BASE_URL', values: (m) => ({ VIDU_API_KEY: m.apiKey }) },
  { name: 'jimeng', env: ['JIMENG_ACCESS_KEY', 'JIMENG_SECRET_KEY'], url: 'VGW_JIMENG_BASE_URL',
    values: (m) => ({ JIMENG_ACCESS_KEY: m.accessKey, JIMENG_SECRET_KEY: m.secretKey }) },
  { name: 'hailuo', env: ['MINIMAX_API_KEY'], url: 'VGW_HAILUO_BASE_URL', values: (m) => ({ MINIMAX_API_KEY: m.apiKey }) },
  { name: 'seedance', env: ['ARK_API_KEY'], url: 'VGW_SEEDANCE_BASE_URL', values: (m) => ({ ARK_API_KEY: m.apiKey }) },
  { name: 'wan', env: ['DASHSCOPE_API_KEY'], url: 'VGW_WAN_BASE_URL', values: (m) => ({ DASHSCOPE_API_KEY: m.apiKey }) },
  { name: 'veo-gemini', env: ['GEMINI_API_KEY'], url: 'VGW_VEO_GEMINI_BASE_URL', values: (m) => ({ GEMINI_API_KEY: m.apiKey }) },
  { name: 'veo-vertex', env: ['VERTEX_ACCESS_TOKEN', 'VERTEX_PROJECT'], url: 'VGW_VEO_VERTEX_BASE_URL',
    values: (m) => ({ VERTEX_ACCESS_TOKEN: m.accessToken, VERTEX_PROJECT: m.project, VERTEX_LOCATION: m.location }) },
];

const mocks = [];
const notes = [];
for (const vendor of VENDORS) {
  const label = `${vendor.name}:`.padEnd(12);
  if (vendor.env.every((name) => env[name])) {
    notes.push(`${label}${env[vendor.url] ?? 'the vendor\'s public endpoint'}`);
    continue;
  }
  const m = await fleetMember(vendor.name).start(slow);
  const values = vendor.values(m);
  mocks.push(m);
  Object.assign(env, values, { [vendor.url]: m.url });
  notes.push(`${label}local mock at ${m.url} (set ${vendor.env.join(' and ')} to use the real API)`);
}

const nginx = spawn(NGINX, ['-p', prefix, '-c', join(CONF_EXAMPLES, 'nginx.conf'), '-g', `load_module ${MODULE}; daemon off;`], {
  env,
  stdio: 'inherit',
});

const base = 'http://127.0.0.1:8080';
console.log(`
vgw gateway listening on ${base}  (logs: ${prefix}/logs/, Ctrl-C to stop)
${notes.map((n) => `  ${n}`).join('\n')}

Try it:
  curl -s ${base}/v1/videos -H 'Authorization: Bearer me' \\
       -F model=kling-v2-6 -F prompt='a red panda surfing' -F seconds=5 | tee /tmp/video.json
  ID=$(sed 's/.*"id":"\\([^"]*\\)".*/\\1/' /tmp/video.json)
  curl -s ${base}/v1/videos/$ID -H 'Authorization: Bearer me'          # repeat until "completed"
  curl -s ${base}/v1/videos/$ID/content -H 'Authorization: Bearer me' -o video.mp4
Other models: sora-2 (OpenAI-compatible), viduq2, jimeng-v30, MiniMax-Hailuo-02,
doubao-seedance-1-0-pro-250528, wan2.5-t2v-preview, veo-3.1-generate-preview,
vertex-veo-3 (see README, Vendors).
`);

async function shutdown(code) {
  if (nginx.exitCode === null) nginx.kill('SIGQUIT');
  await Promise.all(mocks.map((m) => m.close()));
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
nginx.on('exit', (code) => shutdown(code ?? 1));
