import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { KAFKA_VERSION, repoRoot, type StackPaths } from './config.js';

type Say = (line: string) => void;

/** Debian packages the stack runs, with a file each that proves the package is there. */
const debianPackages: { name: string; provides: () => boolean }[] = [
  { name: 'postgresql', provides: () => postgresBinDir() !== null },
  { name: 'redis-server', provides: () => existsSync('/usr/bin/redis-server') },
  { name: 'clickhouse-server', provides: () => existsSync('/usr/sbin/clickhouse-server') },
  { name: 'default-jre-headless', provides: () => hasCommand('java') },
  { name: 'maven', provides: () => hasCommand('mvn') },
];

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The newest installed PostgreSQL server's bin directory (Debian keeps one per major version). */
export function postgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : null;
}

export function installDebianPackages(say: Say): void {
  const missing = debianPackages.filter((p) => !p.provides()).map((p) => p.name);
  if (missing.length === 0) {
    say('debian packages: all present (postgresql, redis-server, clickhouse-server, java, maven)');
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing Debian packages: ${missing.join(' ')}; install them as root (sudo apt-get install ${missing.join(' ')})`,
    );
  }
  say(`debian packages: installing ${missing.join(', ')}`);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env: aptEnv });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env: aptEnv,
  });
}

/** Resolves the Kafka jars with Maven into a temp folder, then moves them in place in one step. */
export function installKafka(paths: StackPaths, say: Say): void {
  const marker = join(paths.kafkaLibs, `kafka_2.13-${KAFKA_VERSION}.jar`);
  if (existsSync(marker)) {
    say(`kafka ${KAFKA_VERSION}: jars present in ${paths.kafkaLibs}`);
    return;
  }
  say(`kafka ${KAFKA_VERSION}: resolving org.apache.kafka:kafka_2.13 and its dependencies with Maven`);
  const staging = mkdtempSync(join(tmpdir(), 'postpulse-kafka-'));
  try {
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        resolve(repoRoot, 'tools/stack/kafka/pom.xml'),
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${staging}`,
      ],
      { stdio: 'inherit' },
    );
    rmSync(paths.kafkaLibs, { recursive: true, force: true });
    mkdirSync(dirname(paths.kafkaLibs), { recursive: true });
    cpSync(staging, `${paths.kafkaLibs}.tmp`, { recursive: true });
    renameSync(`${paths.kafkaLibs}.tmp`, paths.kafkaLibs);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  say(`kafka ${KAFKA_VERSION}: ${readdirSync(paths.kafkaLibs).length} jars in ${paths.kafkaLibs}`);
}
