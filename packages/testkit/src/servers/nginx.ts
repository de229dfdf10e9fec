import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bounded, until } from '../wait'
import { freeLoopbackPort } from '../wire/loopback'

/** How to get nginx when it is missing (Debian and Ubuntu). */
export const NGINX_INSTALL_HINT = 'sudo apt-get install -y nginx-light'

/** How the proxy treats responses: the settings a test turns on and off. */
export interface NginxProxying {
  /**
   * `true`: a location left at nginx's defaults, `proxy_buffering on` with HTTP/1.0 to the
   * upstream, and `X-Accel-Buffering` ignored (as by a proxy configured without regard to
   * SSE): a response without a length reaches the client only when a 4 KiB buffer fills or
   * it ends, so an SSE stream stays silent and a complete poll passes. (Over HTTP/1.1 nginx
   * passes each chunk of a chunked body as it completes, buffering or not.) `false`:
   * `proxy_buffering off` over HTTP/1.1, bytes as they come.
   */
  buffering: boolean
  /**
   * What becomes of a WebSocket upgrade; nginx never carries one unless told to. `dropped`:
   * nginx's default, the hop-by-hop `Upgrade` header dropped and the request sent on as a
   * plain GET (which the hub answers as SSE, so the handshake never completes);
   * `forbidden`: answered 403 by nginx.
   */
  upgrades: 'dropped' | 'forbidden'
}

/**
 * Options of {@link startNginx}.
 *
 * @example
 * ```ts
 * const nginx = await startNginx({ upstreamPort: 8080, buffering: true, upgrades: 'dropped' })
 * ```
 */
export interface NginxOptions extends NginxProxying {
  /** The port on 127.0.0.1 that nginx proxies every request to. */
  upstreamPort: number
  /** The binary; default `nginx` on the PATH, else `/usr/sbin/nginx`. */
  bin?: string
  /** Ms to wait for nginx to accept connections. Default 10,000. */
  startTimeoutMs?: number
}

/** A running nginx on 127.0.0.1 in front of one upstream, with its own temp dir. */
export interface Nginx {
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly dir: string
  /**
   * Rewrites the config and reloads it (SIGHUP); resolves once the new worker runs and the
   * old one has exited, so every connection from then on meets the new config.
   */
  reconfigure(proxying: NginxProxying): Promise<void>
  /** Stops nginx (SIGTERM, then SIGKILL) and removes its dir; idempotent. */
  close(): Promise<void>
}

function config(dir: string, port: number, options: NginxOptions & NginxProxying): string {
  const temp = (name: string) => `${name}_temp_path ${join(dir, name)};`
  // A reload lets the old worker finish its requests, for at most a second.
  return `worker_processes 1;
worker_shutdown_timeout 1s;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} notice;
events { worker_connections 256; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  upstream hub {
    server 127.0.0.1:${options.upstreamPort};
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      ${options.upgrades === 'forbidden' ? 'if ($http_upgrade != "") { return 403; }' : ''}
      proxy_pass http://hub;
      proxy_set_header Host $http_host;
      proxy_read_timeout 120s;
      ${
        options.buffering
          ? 'proxy_buffering on;\n      proxy_ignore_headers X-Accel-Buffering;'
          : 'proxy_buffering off;\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";'
      }
      # Buffers stay in memory: no temp files for a worker that may not own the dir.
      proxy_max_temp_file_size 0;
    }
  }
}
`
}

async function accepts(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1')
  try {
    await Promise.race([
      once(socket, 'connect'),
      once(socket, 'error').then(([error]) => Promise.reject(error)),
    ])
    return true
  } catch {
    return false
  } finally {
    socket.destroy()
  }
}

async function launch(bin: string, dir: string, timeoutMs: number): Promise<ChildProcess> {
  // `-e`: the error log of start-up too, before the config names its own.
  const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')]
  const child = spawn(bin, [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  await bounded<void>(
    'nginx to start',
    (resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT'
            ? new Error(`nginx is not installed (${bin}); install it: ${NGINX_INSTALL_HINT}`)
            : error,
        )
      const onExit = (code: number | null) =>
        reject(new Error(`nginx exited with ${code}:\n${output}`))
      child.on('error', onError)
      child.on('exit', onExit)
      // nginx says nothing when it is ready; the error log does once the worker runs.
      void logCount(dir, WORKER_STARTED).then(
        () => resolve(),
        () => {},
      )
      return () => {
        child.off('error', onError)
        child.off('exit', onExit)
      }
    },
    { timeoutMs, detail: () => `output so far:\n${output}` },
  ).catch((error: unknown) => {
    child.kill('SIGKILL')
    throw error
  })
  return child
}

const WORKER_STARTED = /start worker process \d+/g
const WORKER_EXITED = /worker process \d+ exited/g

/** Resolves with how often the error log says `what`, once that is more than `seen`. */
async function logCount(dir: string, what: RegExp, seen = 0): Promise<number> {
  let count = 0
  await until(
    async () => {
      const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')
      count = log.match(what)?.length ?? 0
      return count > seen
    },
    `nginx's error log to show ${what.source}`,
    { timeoutMs: 10_000 },
  )
  return count
}

/** How often the error log says `what` now. */
async function countNow(dir: string, what: RegExp): Promise<number> {
  const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')
  return log.match(what)?.length ?? 0
}

/**
 * Starts Debian's nginx on a free loopback port with a config written to a fresh temp dir,
 * proxying everything to `upstreamPort`. Fails with the install command when the binary is
 * missing: tests that need nginx never skip.
 *
 * @example
 * ```ts
 * const nginx = await startNginx({ upstreamPort, buffering: true, upgrades: 'dropped' })
 * // ... requests to `${nginx.origin}/events`
 * await nginx.reconfigure({ buffering: false, upgrades: 'dropped' })
 * await nginx.close()
 * ```
 */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const bin = options.bin ?? 'nginx'
  const dir = await mkdtemp(join(tmpdir(), 'lifeline-nginx-'))
  let port = 0
  let child: ChildProcess | undefined
  const write = (proxying: NginxProxying) =>
    writeFile(join(dir, 'nginx.conf'), config(dir, port, { ...options, ...proxying }))

  // Another process may take the port between the probe and the bind: try a few.
  for (let attempt = 1; child === undefined; attempt++) {
    port = await freeLoopbackPort()
    await write(options)
    try {
      child = await launch(bin, dir, options.startTimeoutMs ?? 10_000).catch(async (error) => {
        // Debian keeps nginx in /usr/sbin, which a non-root PATH may lack.
        if (options.bin === undefined && String(error).includes('not installed'))
          return launch('/usr/sbin/nginx', dir, options.startTimeoutMs ?? 10_000)
        throw error
      })
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('Address already in use')) {
        await rm(dir, { recursive: true, force: true })
        throw error
      }
    }
  }
  await until(() => accepts(port), `nginx to accept on port ${port}`)

  let closed = false
  const running = child
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    dir,
    async reconfigure(proxying) {
      const started = await countNow(dir, WORKER_STARTED)
      const exited = await countNow(dir, WORKER_EXITED)
      await write(proxying)
      running.kill('SIGHUP')
      await logCount(dir, WORKER_STARTED, started)
      await logCount(dir, WORKER_EXITED, exited)
    },
    async close() {
      if (closed) return
      closed = true
      if (running.exitCode === null && running.signalCode === null) {
        const exited = once(running, 'exit')
        running.kill('SIGTERM')
        const timer = setTimeout(() => running.kill('SIGKILL'), 2_000)
        await exited
        clearTimeout(timer)
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
