import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { type Component, stackComponents } from './components.js';
import {
  connectionEnv,
  loadStackConfig,
  type StackConfig,
  type StackConnection,
  stackPaths,
} from './config.js';
import { installDebianPackages, installKafka } from './install.js';
import { isOurs, portInUse, runningPid, startDetached, stopProcess, waitFor } from './processes.js';

type Say = (line: string) => void;

export interface ComponentStatus {
  name: string;
  pid: number | null;
  ready: boolean;
  listens: string;
}

export class Stack {
  readonly cfg: StackConfig;
  readonly paths;
  readonly components: Component[];

  constructor(
    cfg: StackConfig = loadStackConfig(),
    private readonly say: Say = (l) => console.log(l),
  ) {
    this.cfg = cfg;
    this.paths = stackPaths(cfg);
    this.components = stackComponents(cfg, this.paths);
  }

  get env(): StackConnection {
    return connectionEnv(this.cfg);
  }

  install(): void {
    installDebianPackages(this.say);
    installKafka(this.paths, this.say);
  }

  /** Idempotent: what already runs and answers is left alone, so a second `up` is quick. */
  async up(): Promise<void> {
    await this.withLock(async () => {
      const missing: Component[] = [];
      for (const component of this.components) if (!(await this.isReady(component))) missing.push(component);
      if (missing.some((c) => this.pid(c) === null)) this.install();
      await Promise.all(
        missing.map(async (component) => {
          if (this.pid(component) === null) await this.launch(component);
          return this.awaitReady(component);
        }),
      );
    });
    for (const s of await this.status()) this.say(`${s.name.padEnd(10)} ${s.listens}  (pid ${s.pid})`);
  }

  async down(): Promise<void> {
    for (const component of [...this.components].reverse()) {
      const stopped = await stopProcess(
        this.paths.pidFile(component.name),
        component.marker,
        component.stopSignal,
      );
      this.say(`${component.name}: ${stopped ? 'stopped' : 'was not running'}`);
    }
  }

  async status(): Promise<ComponentStatus[]> {
    return Promise.all(
      this.components.map(async (c) => ({
        name: c.name,
        pid: this.pid(c),
        ready: this.pid(c) !== null && (await this.isReady(c)),
        listens: c.listens,
      })),
    );
  }

  /** Stops everything and deletes all data; the downloaded Kafka jars stay. */
  async reset(): Promise<void> {
    await this.down();
    rmSync(`${this.paths.root}/data`, { recursive: true, force: true });
    rmSync(this.paths.logs, { recursive: true, force: true });
    this.say(`wiped ${this.paths.root}/data`);
  }

  /** Stops one server, for tests that prove the product survives an outage. */
  async stopComponent(name: string): Promise<void> {
    const component = this.component(name);
    await stopProcess(this.paths.pidFile(component.name), component.marker, component.stopSignal);
  }

  async startComponent(name: string): Promise<void> {
    const component = this.component(name);
    if (this.pid(component) === null) await this.launch(component);
    await this.awaitReady(component);
  }

  private component(name: string): Component {
    const component = this.components.find((c) => c.name === name);
    if (!component) throw new Error(`unknown stack component ${name}`);
    return component;
  }

  private async launch(component: Component): Promise<void> {
    for (const port of component.ports) {
      if (await portInUse(port)) {
        throw new Error(
          `${component.name}: port ${port} is taken by a process this stack did not start; stop it or choose other ports (STACK_*_PORT)`,
        );
      }
    }
    this.say(`${component.name}: starting`);
    component.prepare();
    startDetached({
      ...component.launch(),
      pidFile: this.paths.pidFile(component.name),
      logFile: this.paths.logFile(component.name),
      cwd: this.paths.root,
    });
  }

  private pid(component: Component): number | null {
    return runningPid(this.paths.pidFile(component.name), component.marker);
  }

  private async isReady(component: Component): Promise<boolean> {
    if (this.pid(component) === null) return false;
    try {
      return await component.ready();
    } catch {
      return false;
    }
  }

  private async awaitReady(component: Component): Promise<void> {
    const started = Date.now();
    await waitFor(
      `${component.name} (log: ${this.paths.logFile(component.name)})`,
      async () => {
        if (this.pid(component) === null) {
          throw new Error(`${component.name} exited; see ${this.paths.logFile(component.name)}`);
        }
        return component.ready();
      },
      this.cfg.STACK_READY_TIMEOUT_MS,
    );
    this.say(`${component.name}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  /** Several test runs may call `up` at once; one provisions, the others wait for it. */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    mkdirSync(this.paths.run, { recursive: true });
    const lock = `${this.paths.run}/up.lock`;
    for (;;) {
      try {
        const fd = openSync(lock, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        break;
      } catch {
        const holder = Number(readIfExists(lock) || 0);
        if (!holder || !isOurs(holder, 'node')) rmSync(lock, { force: true });
        else await delay(250);
      }
    }
    try {
      return await fn();
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
