// Starts Debian's real nginx binary with the freshly built module, a config
// generated around the shipped conf-examples files, and the given vendor
// endpoints. Each gateway lives in its own directory under RUNTIME_ROOT.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { globalAgent } from 'node:http';
import { createServer, connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// VGW_MODULE: another build of the module (a sanitizer build, say).
export const MODULE = process.env.VGW_MODULE ?? join(ROOT, 'build/ngx_http_vgw_module.so');
export const CONF_EXAMPLES = join(ROOT, 'conf-examples');
export const NGINX = process.env.NGINX_BINARY ?? '/usr/sbin/nginx';

export async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function waitForPort(port, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); r(true); });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nginx did not listen on ${port}`);
}

// Vendor lines as an operator writes them, pointing at mocks.
export function vendorLines({ openai, kling } = {}) {
  const lines = [];
  if (openai) {
    lines.push(`vgw_vendor ${CONF_EXAMPLES}/vendors/openai.yaml base_url=${openai.url} api_key=${openai.apiKey};`);
  }
  if (kling) {
    lines.push(`vgw_vendor ${CONF_EXAMPLES}/vendors/kling.yaml base_url=${kling.url} ` +
      `access_key=${kling.accessKey} secret_key=${kling.secretKey};`);
  }
  return lines.join('\n    ');
}

// nginx's workers run as an unprivileged user and must reach their temp
// directories (client bodies spill there), so runtime files live outside the
// checkout, which may sit in a home directory they cannot traverse.
export const RUNTIME_ROOT = process.env.VGW_RUNTIME_ROOT ?? join(tmpdir(), `vgw-runtime-${process.getuid?.() ?? 0}`);

export function runtimeDir(name) {
  mkdirSync(RUNTIME_ROOT, { recursive: true });
  chmodSync(RUNTIME_ROOT, 0o755);
  const dir = join(RUNTIME_ROOT, `${name}-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  chmodSync(dir, 0o755);
  return dir;
}

export function renderConfig({ dir, port, http = '', server = '', location = '', workers = 1, idKeys, globals = '', maxBody = '40m', module = MODULE }) {
  const keys = (idKeys ?? ['test-id-key-0123456789abcdef']).map((k) => `vgw_id_key ${k};`).join('\n    ');
  return `
load_module ${module};
worker_processes ${workers};
error_log ${dir}/logs/error.log info;
pid ${dir}/nginx.pid;
${globals}
events { worker_connections 1024; }
http {
    access_log ${dir}/logs/access.log;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    ${keys}
    vgw_default_model sora-2;
    vgw_echo_parameters fps seed;
    ${process.env.VGW_DIRECT_CALLS === '0' ? 'vgw_direct_calls off;' : ''}
    ${http}
    server {
        listen 127.0.0.1:${port};
        client_max_body_size ${maxBody};
        ${server}
        location /v1/ {
            vgw_api;
            ${location}
        }
        include ${CONF_EXAMPLES}/vgw-locations.conf;
    }
}
`;
}

export function nginxTest(confText) {
  const dir = runtimeDir('conftest');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, confText.replaceAll('__DIR__', dir));
  const res = spawnSync(NGINX, ['-t', '-p', dir, '-c', conf], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  return { ok: res.status === 0, output: `${res.stdout}${res.stderr}` };
}

export async function startGateway(options = {}) {
  const dir = runtimeDir(options.name ?? 'gw');
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, renderConfig({ ...options, dir, port }));
  return launchNginx({ dir, port, conf, env: options.env, render: (o) => renderConfig({ ...options, ...o, dir, port }) });
}

// Runs nginx on a configuration file until stop(); `globals` are -g
// directives (load_module for a configuration that does not load it).
export async function launchNginx({ dir, port, conf, env = {}, globals = '', render }) {
  const child = spawn(NGINX, ['-p', dir, '-c', conf, '-g', `${globals}daemon off;`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    await Promise.race([
      waitForPort(port),
      exited.then((code) => { throw new Error(`nginx exited (${code}): ${output}`); }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const gw = {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    conf,
    // What nginx printed before its error log opened (config warnings).
    startupOutput: () => output,
    errorLog: () => (existsSync(join(dir, 'logs/error.log')) ? readFileSync(join(dir, 'logs/error.log'), 'utf8') : ''),
    accessLog: () => (existsSync(join(dir, 'logs/access.log')) ? readFileSync(join(dir, 'logs/access.log'), 'utf8') : ''),
    masterPid: () => Number(readFileSync(join(dir, 'nginx.pid'), 'utf8').trim()),
    workerPids() {
      const res = spawnSync('pgrep', ['-P', String(this.masterPid())], { encoding: 'utf8' });
      return res.stdout.split('\n').filter(Boolean).map(Number);
    },
    // Rewrites the config and sends HUP, like `nginx -s reload`.
    async reload(newOptions) {
      const before = this.workerPids();
      if (newOptions) writeFileSync(conf, render(newOptions));
      process.kill(this.masterPid(), 'SIGHUP');
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        const now = this.workerPids();
        if (now.length && now.every((p) => !before.includes(p))) {
          // Node's agent keeps connections alive; those to the retired
          // workers are closed by nginx, and a request sent on one before
          // the close is read fails with "socket hang up" (a client would
          // retry it). The tests' next requests go to the new workers.
          for (const [name, sockets] of Object.entries(globalAgent.freeSockets)) {
            if (name.startsWith(`127.0.0.1:${port}:`)) for (const s of sockets) s.destroy();
          }
          return;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('reload did not replace the workers');
    },
    // Alerts, crits and emergs are bugs in nginx modules: every test checks.
    seriousLogLines() {
      return this.errorLog().split('\n').filter((l) => /\[(alert|crit|emerg)\]/.test(l));
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  return gw;
}

// Stops gateways and returns the [alert]/[crit]/[emerg] lines they logged,
// which every test file requires to be none.
export async function stopAll(gateways) {
  const serious = [];
  for (const g of gateways) {
    await g.stop();
    serious.push(...g.seriousLogLines().map((l) => `${g.dir}: ${l}`));
  }
  return serious;
}
