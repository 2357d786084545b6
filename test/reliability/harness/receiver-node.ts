import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { spawnReceiver, type ReceiverProcess } from '../../helpers/receiver-process.js';
import { tempDir } from '../../helpers/test-receiver.js';
import { peakRssKib } from './peak-rss.js';

/** The admin token every node of the suite accepts (scope admin), and its config entry. */
export const ADMIN_TOKEN = randomBytes(24).toString('base64url');
export const ADMIN_TOKENS = [{ name: 'reliability', sha256: createHash('sha256').update(ADMIN_TOKEN).digest('hex'), scope: 'admin' }];

const STOP_TIMEOUT_MS = 15_000;

/**
 * A receiver process (the built bin) that can be killed the hard way and started again on the
 * same store, remembering the highest RSS any of its incarnations reached.
 */
export class ReceiverNode {
  private current: ReceiverProcess | undefined;
  private peakKib = 0;
  readonly dir: string;

  constructor(
    private readonly config: Record<string, unknown>,
    private readonly env: NodeJS.ProcessEnv = {},
    dir?: string,
  ) {
    this.dir = dir ?? tempDir();
  }

  async start(): Promise<this> {
    this.current = await spawnReceiver(
      this.dir,
      { ingress: { listen: '127.0.0.1:0' }, admin: { listen: '127.0.0.1:0', tokens: ADMIN_TOKENS }, ...this.config },
      this.env,
    );
    return this;
  }

  get running(): boolean {
    const child = this.current?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.current?.child.pid;
  }

  /** The ingress of the incarnation that runs (or ran last): a sender keeps using it while the node is down. */
  get ingressUrl(): string {
    return this.process().ingressUrl;
  }

  get adminUrl(): string {
    const url = this.process().adminUrl;
    if (!url) throw new Error('the node has no admin listener');
    return url;
  }

  output(): string {
    return this.current?.output() ?? '';
  }

  /** MiB, over every incarnation so far. */
  peakRssMib(): number {
    this.sampleRss();
    return this.peakKib / 1024;
  }

  async kill9(): Promise<void> {
    if (!this.running) return;
    this.sampleRss();
    this.current?.child.kill('SIGKILL');
    await this.current?.exited;
  }

  async restart(): Promise<void> {
    await this.kill9();
    await this.start();
  }

  /** SIGTERM, SIGKILL if it does not end in time; then the store's folder goes. */
  async stop(): Promise<void> {
    if (this.running) {
      this.sampleRss();
      const child = this.current!.child;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.current!.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private process(): ReceiverProcess {
    if (!this.current) throw new Error('the node was never started');
    return this.current;
  }

  private sampleRss(): void {
    this.peakKib = Math.max(this.peakKib, peakRssKib(this.pid));
  }
}

/** Stops every node, each even if another fails to. */
export async function stopAll(nodes: readonly ReceiverNode[]): Promise<void> {
  await Promise.allSettled(nodes.map((node) => node.stop()));
}
