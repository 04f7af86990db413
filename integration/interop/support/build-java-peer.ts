import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { runBuild } from './build-command.js';
import { INTEROP_DIR, peerCacheDir, sourceDigest } from './peer-cache.js';
import type { PeerCommand } from './peer-process.js';

const JAVA_DIR = join(INTEROP_DIR, 'java');
const MAIN_CLASS = 'dev.tracehop.interop.Peer';
const NEEDS =
  'The Java interop peer needs Java 17+ and Maven 3.8+ on the PATH (apt-get install openjdk-17-jdk-headless maven) ' +
  'and access to Maven Central (artifacts are pinned in integration/interop/java/pom.xml).';

let built: Promise<PeerCommand> | undefined;

/**
 * Builds the Java peer once per source digest (`mvn package`, which also writes the runtime
 * classpath) and keeps the jar and classpath in the cache folder; returns how to run it.
 */
export function javaPeer(): Promise<PeerCommand> {
  built ??= build();
  return built;
}

function cached(dir: string): string | undefined {
  const jar = join(dir, 'peer.jar');
  const classpathFile = join(dir, 'classpath.txt');
  if (!existsSync(jar) || !existsSync(classpathFile)) return undefined;
  const classpath = readFileSync(classpathFile, 'utf8').trim();
  // The classpath points into the local Maven repository: rebuild if that was cleaned.
  if (!classpath.split(delimiter).every((entry) => existsSync(entry))) return undefined;
  return [jar, classpath].join(delimiter);
}

async function build(): Promise<PeerCommand> {
  const digest = sourceDigest(JAVA_DIR, (path) => path === 'pom.xml' || path.startsWith('src/'));
  const dir = join(peerCacheDir(), `java-peer-${digest}`);
  let classpath = cached(dir);
  if (classpath === undefined) {
    await runBuild({
      what: 'the Java interop peer',
      command: 'mvn',
      args: ['-q', '-B', '-Dstyle.color=never', 'package'],
      cwd: JAVA_DIR,
      timeoutMs: 20 * 60_000,
      needs: NEEDS,
    });
    const partial = `${dir}.${process.pid}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    copyFileSync(join(JAVA_DIR, 'target', 'tracehop-interop-peer.jar'), join(partial, 'peer.jar'));
    writeFileSync(join(partial, 'classpath.txt'), readFileSync(join(JAVA_DIR, 'target', 'classpath.txt')));
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
    classpath = cached(dir);
    if (classpath === undefined) throw new Error(`the Java interop peer was built, but ${dir} is incomplete`);
  }
  return { peer: 'java', command: 'java', args: ['-cp', classpath, MAIN_CLASS] };
}
