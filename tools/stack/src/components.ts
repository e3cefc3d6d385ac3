import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { connectionEnv, type StackConfig, type StackPaths } from './config.js';
import { postgresBinDir } from './install.js';
import type { RunAs } from './processes.js';

export interface Component {
  name: string;
  /** A path on the process's command line that proves a pid is this component's. */
  marker: string;
  listens: string;
  /** Loopback ports it binds; they must be free before it starts. */
  ports: number[];
  /** Postgres needs SIGINT (fast shutdown): SIGTERM would wait for every client to leave. */
  stopSignal?: NodeJS.Signals;
  /** Creates the data dir and config on first start; later calls keep the data. */
  prepare(): void;
  launch(): { command: string; args: string[]; env?: Record<string, string>; runAs?: RunAs | undefined };
  ready(): Promise<boolean>;
}

/** PostgreSQL refuses to run as root, so when we are root it runs as Debian's `postgres` user. */
function postgresUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

function postgres(cfg: StackConfig, paths: StackPaths): Component {
  const dataDir = paths.data('postgres');
  const bin = () => {
    const dir = postgresBinDir();
    if (!dir) throw new Error('PostgreSQL server binaries not found; run `postpulse stack install`');
    return dir;
  };
  const runAs = postgresUser();
  return {
    name: 'postgres',
    marker: dataDir,
    stopSignal: 'SIGINT',
    listens: `postgres://postgres@127.0.0.1:${cfg.STACK_POSTGRES_PORT}`,
    ports: [cfg.STACK_POSTGRES_PORT],
    prepare() {
      if (existsSync(join(dataDir, 'PG_VERSION'))) return;
      mkdirSync(dataDir, { recursive: true });
      if (runAs) chownSync(dataDir, runAs.uid, runAs.gid);
      execFileSync(
        join(bin(), 'initdb'),
        ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
        {
          stdio: 'ignore',
          ...(runAs ?? {}),
        },
      );
    },
    launch() {
      return {
        command: join(bin(), 'postgres'),
        // A local dev/test server: durability settings traded for speed. Production uses managed Postgres.
        args: [
          '-D',
          dataDir,
          '-p',
          String(cfg.STACK_POSTGRES_PORT),
          '-c',
          `listen_addresses=${cfg.STACK_HOST}`,
          '-c',
          `unix_socket_directories=${dataDir}`,
          '-c',
          'max_connections=300',
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'shared_buffers=256MB',
        ],
        runAs,
      };
    },
    async ready() {
      const client = new pg.Client({
        connectionString: connectionEnv(cfg).DATABASE_URL.replace(/\/postpulse$/, '/postgres'),
      });
      await client.connect();
      try {
        await client.query('SELECT 1');
        const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'postpulse'");
        if (exists.rowCount === 0) await client.query('CREATE DATABASE postpulse');
        return true;
      } finally {
        await client.end();
      }
    },
  };
}

function redis(cfg: StackConfig, paths: StackPaths): Component {
  const dataDir = paths.data('redis');
  return {
    name: 'redis',
    marker: `${cfg.STACK_HOST}:${cfg.STACK_REDIS_PORT}`,
    listens: connectionEnv(cfg).REDIS_URL,
    ports: [cfg.STACK_REDIS_PORT],
    prepare() {
      mkdirSync(dataDir, { recursive: true });
    },
    launch() {
      return {
        command: '/usr/bin/redis-server',
        args: [
          '--bind',
          cfg.STACK_HOST,
          '--port',
          String(cfg.STACK_REDIS_PORT),
          '--dir',
          dataDir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
      };
    },
    async ready() {
      const client = new Redis(connectionEnv(cfg).REDIS_URL, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } finally {
        client.disconnect();
      }
    },
  };
}

function clickhouse(cfg: StackConfig, paths: StackPaths): Component {
  const dataDir = paths.data('clickhouse');
  const configFile = join(dataDir, 'config.xml');
  return {
    name: 'clickhouse',
    marker: configFile,
    listens: connectionEnv(cfg).CLICKHOUSE_URL,
    ports: [cfg.STACK_CLICKHOUSE_HTTP_PORT, cfg.STACK_CLICKHOUSE_TCP_PORT],
    prepare() {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(configFile, clickhouseConfig(cfg, dataDir, paths.logs));
      writeFileSync(join(dataDir, 'users.xml'), clickhouseUsers);
    },
    launch() {
      return { command: '/usr/sbin/clickhouse-server', args: [`--config-file=${configFile}`] };
    },
    async ready() {
      const client = createClient({
        url: connectionEnv(cfg).CLICKHOUSE_URL,
        request_timeout: 5_000,
        log: { level: ClickHouseLogLevel.OFF },
      });
      try {
        const rows = await (await client.query({ query: 'SELECT 1 AS ok', format: 'JSONEachRow' })).json<{
          ok: number;
        }>();
        if (rows[0]?.ok !== 1) return false;
        await client.command({ query: 'CREATE DATABASE IF NOT EXISTS postpulse' });
        return true;
      } finally {
        await client.close();
      }
    },
  };
}

function kafka(cfg: StackConfig, paths: StackPaths): Component {
  const dataDir = paths.data('kafka');
  const props = join(dataDir, 'server.properties');
  const log4j = join(dataDir, 'log4j.properties');
  const classpath = `${paths.kafkaLibs}/*`;
  return {
    name: 'kafka',
    marker: props,
    listens: connectionEnv(cfg).KAFKA_BROKERS,
    ports: [cfg.STACK_KAFKA_PORT, cfg.STACK_KAFKA_CONTROLLER_PORT],
    prepare() {
      mkdirSync(join(dataDir, 'logs'), { recursive: true });
      writeFileSync(props, kafkaProperties(cfg, dataDir));
      writeFileSync(log4j, kafkaLog4j(paths.logs));
      if (existsSync(join(dataDir, 'logs', 'meta.properties'))) return;
      execFileSync(
        'java',
        [
          '-cp',
          classpath,
          `-Dlog4j.configuration=file:${log4j}`,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          kafkaClusterId(),
          '-c',
          props,
        ],
        { stdio: 'ignore' },
      );
    },
    launch() {
      return {
        command: 'java',
        args: [
          `-Xmx${cfg.STACK_KAFKA_HEAP}`,
          '-Xms256m',
          '-XX:+UseG1GC',
          '-Djava.awt.headless=true',
          `-Dlog4j.configuration=file:${log4j}`,
          `-Dkafka.logs.dir=${paths.logs}`,
          '-cp',
          classpath,
          'kafka.Kafka',
          props,
        ],
      };
    },
    async ready() {
      const admin = new Kafka({
        clientId: 'postpulse-stack',
        brokers: [connectionEnv(cfg).KAFKA_BROKERS],
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
        connectionTimeout: 2_000,
      }).admin();
      await admin.connect();
      try {
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0 && cluster.controller !== null;
      } finally {
        await admin.disconnect();
      }
    },
  };
}

/**
 * Kafka wants a base64url-encoded 16-byte cluster id. One in 64 starts with '-', which the storage tool's
 * argument parser takes for an option (a CI run failed so); Kafka's own generator skips those too.
 */
export function kafkaClusterId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function kafkaProperties(cfg: StackConfig, dataDir: string): string {
  const h = cfg.STACK_HOST;
  return `# Written by postpulse stack: one combined broker+controller in KRaft mode.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${h}:${cfg.STACK_KAFKA_CONTROLLER_PORT}
listeners=PLAINTEXT://${h}:${cfg.STACK_KAFKA_PORT},CONTROLLER://${h}:${cfg.STACK_KAFKA_CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://${h}:${cfg.STACK_KAFKA_PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${join(dataDir, 'logs')}
num.partitions=3
auto.create.topics.enable=false
# A single node cannot hold three replicas of the internal topics.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=1
min.insync.replicas=1
default.replication.factor=1
# Tests create many short-lived consumer groups: no initial rebalance delay.
group.initial.rebalance.delay.ms=0
message.max.bytes=2097152
log.retention.hours=168
log.segment.bytes=268435456
num.network.threads=2
num.io.threads=4
`;
}

function kafkaLog4j(logsDir: string): string {
  return `log4j.rootLogger=INFO, server
log4j.appender.server=org.apache.log4j.RollingFileAppender
log4j.appender.server.File=${join(logsDir, 'kafka-server.log')}
log4j.appender.server.MaxFileSize=50MB
log4j.appender.server.MaxBackupIndex=3
log4j.appender.server.layout=org.apache.log4j.PatternLayout
log4j.appender.server.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
`;
}

function clickhouseConfig(cfg: StackConfig, dataDir: string, logsDir: string): string {
  return `<?xml version="1.0"?>
<!-- Written by postpulse stack. -->
<yandex>
  <logger>
    <level>warning</level>
    <log>${join(logsDir, 'clickhouse-server.log')}</log>
    <errorlog>${join(logsDir, 'clickhouse-server.err.log')}</errorlog>
    <size>100M</size>
    <count>3</count>
  </logger>
  <http_port>${cfg.STACK_CLICKHOUSE_HTTP_PORT}</http_port>
  <tcp_port>${cfg.STACK_CLICKHOUSE_TCP_PORT}</tcp_port>
  <listen_host>${cfg.STACK_HOST}</listen_host>
  <max_connections>1024</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>200</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>536870912</mark_cache_size>
  <path>${dataDir}/</path>
  <tmp_path>${dataDir}/tmp/</tmp_path>
  <user_files_path>${dataDir}/user_files/</user_files_path>
  <format_schema_path>${dataDir}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <max_session_timeout>3600</max_session_timeout>
  <default_session_timeout>60</default_session_timeout>
</yandex>
`;
}

const clickhouseUsers = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval>
    </default>
  </quotas>
</yandex>
`;

/** In start order; `down` stops them in reverse. */
export function stackComponents(cfg: StackConfig, paths: StackPaths): Component[] {
  return [postgres(cfg, paths), redis(cfg, paths), clickhouse(cfg, paths), kafka(cfg, paths)];
}
