// `pods/exec` and `pods/attach` as kube-apiserver + kubelet answer them, over WebSocket
// (`v5.channel.k8s.io`, `v4.channel.k8s.io`: one binary message per write, first byte = channel;
// v5 adds channel 255 "close stream", KEP-4006) and over SPDY/3.1 with `v4.channel.k8s.io` (one
// stream per channel, named by its `streamType` header). The exit status goes on the error channel
// as a v1 Status without kind/apiVersion (fixtures bodies/exec/exec-websocket-101-then-error-frames.json).
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { createChunkQueue } from './chunk-queue.js';
import { runInContainer, type ContainerIO } from './container-sim.js';
import type { RequestContext } from './handler-context.js';
import type { KubeObject } from './object-store.js';
import type { ResourceSpec } from './registry.js';
import { createSpdySession, type SpdyStream } from './spdy-session.js';
import { withTerminal } from './terminal.js';
import { badRequest } from './status.js';
import { acceptStream, scheduledPod, trackUpgraded } from './stream-upgrade.js';

const WEBSOCKET_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
const SPDY_PROTOCOLS = ['v4.channel.k8s.io'] as const;
const CH = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;
const STREAM_SETUP_TIMEOUT_MS = 30_000;

interface Options {
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Where the program's streams go, whatever the transport. */
interface Channels {
  io: Omit<ContainerIO, 'env' | 'tty'>;
  status(body: Record<string, unknown>): Promise<void>;
  finish(): void;
}

function flag(url: URL, name: string): boolean {
  const v = url.searchParams.get(name);
  return v === 'true' || v === '1';
}

function readOptions(ctx: RequestContext, pod: KubeObject, subresource: string): Options {
  const url = ctx.url;
  const containers = ((pod['spec'] as { containers?: { name: string }[] } | undefined)?.containers ?? []).map((c) => c.name);
  let container = url.searchParams.get('container') ?? '';
  if (container === '') {
    if (containers.length !== 1) throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`);
    container = containers[0]!;
  } else if (!containers.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  }
  const tty = flag(url, 'tty');
  const o: Options = {
    container,
    command: url.searchParams.getAll('command'),
    stdin: flag(url, 'stdin'),
    stdout: flag(url, 'stdout'),
    // kubelet drops stderr when a TTY is asked for: the terminal merges it into stdout.
    stderr: flag(url, 'stderr') && !tty,
    tty,
  };
  if (subresource === 'exec' && o.command.length === 0) throw badRequest('you must specify at least 1 command');
  if (!o.stdin && !o.stdout && !o.stderr) throw badRequest('you must specify at least one of stdin, stdout, stderr');
  return o;
}

function exitStatus(code: number, argv: string[]): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function webSocketChannels(ws: WebSocket, o: Options, v5: boolean): Channels {
  const abort = new AbortController();
  const input = createChunkQueue();
  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    if (data[0] === CH.stdin) input.push(Buffer.from(data.subarray(1)));
    else if (v5 && data[0] === CH.close && data[1] === CH.stdin) input.end();
  });
  ws.on('close', () => {
    input.end();
    abort.abort();
  });
  ws.on('error', () => ws.terminate());
  // A real exec's first byte comes milliseconds after the 101 (apiserver → kubelet → runtime); client-go's WebSocket
  // executor registers its streams only after reading the 101 and drops an earlier frame ("Unknown stream id 1"),
  // so a double answering in the same tick made kubectl fail now and then. Frames wait a moment, in order; stdin is
  // read from the start.
  const warm = new Promise<void>((resolve) => setTimeout(resolve, 25));
  const send = async (channel: number, data: Buffer | string): Promise<void> => {
    await warm;
    await new Promise<void>((resolve) => {
      if (ws.readyState !== ws.OPEN) {
        resolve();
        return;
      }
      ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]), () => resolve());
    });
  };
  // kubelet's first frame: an empty write on the lowest writable channel tells the client the streams are up.
  void send(o.stdout ? CH.stdout : o.stderr ? CH.stderr : CH.error, Buffer.alloc(0));
  return {
    io: { stdout: (d) => send(CH.stdout, d), stderr: (d) => send(CH.stderr, d), stdin: o.stdin ? input : undefined, signal: abort.signal },
    status: (body) => send(CH.error, JSON.stringify(body)),
    finish: () => ws.close(1000),
  };
}

async function spdyChannels(socket: Duplex, o: Options): Promise<Channels | undefined> {
  const wanted = new Set([
    'error',
    ...(o.stdin ? ['stdin'] : []),
    ...(o.stdout ? ['stdout'] : []),
    ...(o.stderr ? ['stderr'] : []),
    ...(o.tty ? ['resize'] : []),
  ]);
  const streams = new Map<string, SpdyStream>();
  const abort = new AbortController();
  let ready!: () => void;
  const allThere = new Promise<void>((r) => {
    ready = r;
  });
  const session = createSpdySession(socket, (s) => {
    const type = s.header('streamtype') ?? '';
    if (wanted.has(type)) streams.set(type, s);
    if (streams.size === wanted.size) ready();
  });
  void session.closed.then(() => abort.abort());
  const timer = setTimeout(ready, STREAM_SETUP_TIMEOUT_MS);
  await Promise.race([allThere, session.closed]);
  clearTimeout(timer);
  if (streams.size !== wanted.size) {
    session.close();
    return undefined;
  }
  const write =
    (type: string) =>
    async (d: Buffer | string): Promise<void> =>
      streams.get(type)?.write(Buffer.isBuffer(d) ? d : Buffer.from(d));
  return {
    io: { stdout: write('stdout'), stderr: write('stderr'), stdin: streams.get('stdin'), signal: abort.signal },
    async status(body) {
      streams.get('stdout')?.end();
      streams.get('stderr')?.end();
      await write('error')(JSON.stringify(body));
      streams.get('error')?.end();
    },
    finish: () => session.close(),
  };
}

function attachProgram(pod: string, container: string) {
  return async (io: ContainerIO): Promise<number> => {
    await io.stdout(`(simulated) attached to container ${container} of pod ${pod}\n`);
    if (io.stdin !== undefined) {
      for await (const chunk of io.stdin) await io.stdout(chunk);
      return 0;
    }
    // Without stdin an attach lasts until the client hangs up, like a long-running main process.
    await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
    return 0;
  };
}

/** Serves `pods/exec` and `pods/attach` upgrade requests. */
export async function handleRemoteCommand(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string, subresource: string): Promise<void> {
  const pod = scheduledPod(ctx, spec, namespace, name);
  const o = readOptions(ctx, pod, subresource);
  const accepted = await acceptStream(ctx, { websocket: WEBSOCKET_PROTOCOLS, spdy: SPDY_PROTOCOLS });
  let channels: Channels | undefined;
  let untrack = (): void => undefined;
  if (accepted.kind === 'websocket') {
    const ws = accepted.ws;
    untrack = trackUpgraded(ctx, () => ws.terminate());
    channels = webSocketChannels(ws, o, accepted.protocol === 'v5.channel.k8s.io');
  } else {
    const socket = accepted.socket;
    untrack = trackUpgraded(ctx, () => socket.destroy());
    channels = await spdyChannels(socket, o);
  }
  if (channels === undefined) {
    untrack();
    return;
  }
  const env = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: name,
    ...(o.tty ? { TERM: 'xterm' } : {}),
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    HOME: '/root',
  };
  const streams: ContainerIO = { ...channels.io, env, tty: o.tty };
  // A TTY has a single output stream (stderr is merged into stdout), and a line discipline (terminal.ts).
  if (o.tty) streams.stderr = streams.stdout;
  const io = o.tty ? withTerminal(streams) : streams;
  let code: number;
  try {
    code = subresource === 'attach' ? await attachProgram(name, o.container)(io) : await runInContainer(o.command, io);
  } catch {
    code = 1;
  }
  if (!channels.io.signal.aborted) await channels.status(exitStatus(code, o.command));
  channels.finish();
  untrack();
}
