// `./build.sh run`: starts nginx with the module and conf-examples/nginx.conf
// (see run-config.mjs). Vendors without keys in the environment are served
// by local mock vendors, so the gateway works end to end on a fresh machine.

import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fleetMember } from './vendor-fleet.mjs';
import { ROOT, MODULE, NGINX } from './gateway.mjs';
import { RUN_VENDORS, serverOf, writeRunConfig } from './run-config.mjs';

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
// Webhooks on, so every relay example (the unified seed's callback_url
// included) runs as written; a new signing key each start.
env.VGW_WEBHOOK_SECRET ??= `whsec_${randomBytes(32).toString('base64')}`;

const slow = { processingAfterMs: 3000, doneAfterMs: 10000 };

const mocks = [];
const servers = {};
const notes = [];
for (const vendor of RUN_VENDORS) {
  const label = `${vendor.name}:`.padEnd(12);
  if (vendor.env.every((name) => env[name])) {
    if (env[vendor.url]) servers[vendor.upstream] = serverOf(env[vendor.url]);
    notes.push(`${label}${env[vendor.url] ?? 'the vendor\'s public endpoint'}`);
    continue;
  }
  const m = await fleetMember(vendor.name).start(slow);
  mocks.push(m);
  servers[vendor.upstream] = serverOf(m.url);
  Object.assign(env, vendor.values(m), { [vendor.url]: m.url });
  notes.push(`${label}local mock at ${m.url} (set ${vendor.env.join(' and ')} to use the real API)`);
}

const conf = writeRunConfig({ dir: prefix, servers });
const nginx = spawn(NGINX, ['-p', prefix, '-c', conf, '-g', `load_module ${MODULE}; daemon off;`], {
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
Webhooks: callback_url events are signed with ${env.VGW_WEBHOOK_SECRET}
  (verify with client.webhooks.unwrap(body, headers, secret) in the openai SDK).
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
