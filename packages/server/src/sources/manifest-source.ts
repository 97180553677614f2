// Serves manifest files as the cluster state and reloads them when they change on disk,
// without ever stalling DNS or applying a file that is still being written:
// - parsing happens in a worker thread (ManifestParseClient), and the changes reach the index
//   in slices of half a millisecond, so answers keep flowing from the last good state;
// - only files whose inode, size or mtime changed are parsed again;
// - a file is read only once it has not changed for `settleMs` (1 s); an empty or missing file
//   replaces its objects only if it stays so that long; one that fails to parse keeps them;
// - only the named files and the named directories' .yaml/.yml/.json entries are watched.

import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { ClusterObject } from '../index/cluster-objects.js';
import type { IndexChange, RecordIndex } from '../index/record-index.js';
import type { Rejection } from '../index/rejections.js';
import type { Logger } from '../log.js';
import type { RejectionLog } from '../rejection-log.js';
import { duplicateRejection, isManifestName, manifestFiles } from './manifest-files.js';
import { ManifestParseClient } from './manifest-parse-client.js';
import { fileSignature } from './manifest-parse-protocol.js';
import { SharedStrings } from './shared-strings.js';

export interface ManifestSourceOptions {
  paths: string[];
  index: RecordIndex;
  log: Logger;
  rejections?: RejectionLog;
  settleMs?: number; // a file must be this long unchanged before it is read (default 1000)
  debounceMs?: number; // bursts of watch events closer than this make one check (default 100)
  sliceMs?: number; // index work per event-loop turn while applying a reload (default 0.5)
  parserHeapMb?: number; // the parse worker's heap; a larger file fails to parse (default 2048)
}

interface FileEntry {
  document: number; // where in its file (a number, not a string kept for every object)
  fingerprint: string;
  object: ClusterObject;
}

interface FileState {
  signature: string;
  objects: Map<string, FileEntry>; // object key -> this file's copy
}

// Which directory entries wake the source up.
interface WatchedFolder {
  wholeFolder: string | undefined; // the directory path as given, when it was named itself
  files: Map<string, string>; // entry name -> the file path as given
}

export class ManifestSource {
  readonly name = 'manifests';
  synced = false;
  reloads = 0; // reload passes that changed the index (for tests and logs)
  parses = 0; // files parsed (for tests)
  private readonly settleMs: number;
  private readonly debounceMs: number;
  private readonly sliceMs: number;
  private readonly parser: ManifestParseClient;
  private readonly strings = new SharedStrings();
  private readonly files = new Map<string, FileState>();
  private fileOrder: string[] = []; // a later file wins a duplicate
  private readonly owners = new Map<string, string[]>(); // object key -> files that hold it
  private readonly applied = new Map<string, string>(); // object key -> fingerprint in the index
  private readonly duplicated = new Set<string>(); // object keys more than one file holds
  private readonly failedSignatures = new Map<string, string>(); // file -> the version that failed to parse
  private readonly goneSince = new Map<string, number>(); // file -> when it was first seen missing
  private readonly dirty = new Set<string>();
  private readonly folders = new Map<string, WatchedFolder>();
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private running: Promise<void> | undefined;
  private rerun = false;
  private stopped = false;

  constructor(private readonly options: ManifestSourceOptions) {
    this.settleMs = options.settleMs ?? 1000;
    this.debounceMs = options.debounceMs ?? 100;
    this.sliceMs = options.sliceMs ?? 0.5;
    this.parser = new ManifestParseClient(options.parserHeapMb ?? 2048);
  }

  // Loads once; a broken file at start-up is an error the caller reports and exits on.
  async start(): Promise<void> {
    const files = await manifestFiles(this.options.paths);
    this.fileOrder = files;
    const errors: string[] = [];
    for (const file of files) {
      const outcome = await this.load(file, true);
      if (typeof outcome === 'string') errors.push(outcome);
    }
    if (errors.length > 0) {
      await this.parser.close();
      throw new Error(errors.join('; '));
    }
    this.synced = true;
    await this.watch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const watcher of this.watchers) watcher.close();
    // Closing the parser first ends a parse in flight, so stopping never waits for a large file.
    await this.parser.close();
    await this.running;
  }

  // ---- watching ----

  private async watch(): Promise<void> {
    for (const path of this.options.paths) {
      const isFolder = (await stat(path)).isDirectory();
      // A file is watched through its folder: editors and ConfigMap mounts replace files by rename.
      const folder = isFolder ? path : dirname(path);
      let watched = this.folders.get(folder);
      if (!watched) this.folders.set(folder, (watched = { wholeFolder: undefined, files: new Map() }));
      if (isFolder) watched.wholeFolder = path;
      else watched.files.set(basename(path), path);
    }
    for (const [folder, watched] of this.folders) {
      const watcher = watch(folder, (_event, entry) => this.noticed(watched, entry?.toString()));
      watcher.on('error', (err) => this.options.log.warn({ folder, err: err.message }, 'manifest watch failed'));
      this.watchers.push(watcher);
    }
  }

  private noticed(watched: WatchedFolder, entry: string | undefined): void {
    const before = this.dirty.size;
    if (entry === undefined || entry.startsWith('..')) {
      // No name, or a Kubernetes volume swapping its ..data link: every named entry may have changed.
      for (const file of watched.files.values()) this.dirty.add(file);
      if (watched.wholeFolder !== undefined) this.dirty.add(watched.wholeFolder);
    } else if (watched.files.has(entry)) {
      this.dirty.add(watched.files.get(entry)!);
    } else if (watched.wholeFolder !== undefined && isManifestName(entry)) {
      this.dirty.add(join(watched.wholeFolder, entry));
    }
    if (this.dirty.size > before) this.wakeIn(this.debounceMs);
  }

  private wakeIn(ms: number): void {
    if (this.stopped) return;
    const at = Date.now() + ms;
    if (this.timer && at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.runPass();
    }, ms);
  }

  private runPass(): void {
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.rerun && !this.stopped) {
        this.rerun = false;
        this.runPass();
      }
    });
  }

  // ---- reloading ----

  private async pass(): Promise<void> {
    let files: string[];
    try {
      files = await manifestFiles(this.options.paths);
    } catch (err) {
      this.options.log.error({ source: this.name }, `${(err as Error).message}; keeping the last good objects`);
      return;
    }
    this.fileOrder = files;
    const listed = new Set(files);
    // A dirty folder (a ..data swap) stands for every file it holds; gone files are checked too.
    const candidates = new Set<string>();
    for (const path of this.dirty) if (!this.isFolderPath(path)) candidates.add(path);
    if ([...this.dirty].some((p) => this.isFolderPath(p))) for (const file of files) candidates.add(file);
    this.dirty.clear();
    const errors: string[] = [];
    let changed = false;
    for (const file of candidates) {
      if (this.stopped) return;
      const outcome = await this.check(file, listed.has(file));
      if (typeof outcome === 'string') errors.push(outcome);
      else if (outcome) changed = true;
    }
    if (this.stopped) return;
    for (const error of errors) this.options.log.error({ source: this.name }, error);
    if (changed) {
      this.reloads++;
      this.options.log.info({ source: this.name, files: this.files.size }, 'manifests reloaded');
    }
  }

  private isFolderPath(path: string): boolean {
    return [...this.folders.values()].some((f) => f.wholeFolder === path);
  }

  // Loads the file if it changed and has settled. True when the index changed, a string on an
  // error; a file not yet settled is looked at again later.
  private async check(file: string, listed: boolean): Promise<boolean | string | undefined> {
    let info;
    try {
      info = listed ? await stat(file) : undefined;
    } catch {
      info = undefined;
    }
    if (!info) {
      if (!this.files.has(file)) return undefined;
      const since = this.goneSince.get(file) ?? Date.now();
      this.goneSince.set(file, since);
      const wait = since + this.settleMs - Date.now();
      if (wait > 0) return this.later(file, wait);
      this.goneSince.delete(file);
      this.parser.forget(file);
      return this.replaceFile(file, undefined, []);
    }
    this.goneSince.delete(file);
    const signature = fileSignature(info);
    if (this.files.get(file)?.signature === signature || this.failedSignatures.get(file) === signature) return undefined;
    const age = Date.now() - info.mtimeMs;
    if (age < this.settleMs) return this.later(file, this.settleMs - age);
    return this.load(file, false);
  }

  private later(file: string, ms: number): undefined {
    this.dirty.add(file);
    this.wakeIn(Math.max(ms, 10));
    return undefined;
  }

  // Parses a file in the worker and applies what changed. Returns the error, if any.
  private async load(file: string, initial: boolean): Promise<boolean | string | undefined> {
    const info = await stat(file).catch(() => undefined);
    if (info && info.size === 0) {
      // Empty: at start-up there is nothing to keep; later, check() has already waited it out.
      return this.replaceFile(file, { signature: fileSignature(info), objects: new Map() }, []);
    }
    this.parses++;
    // The objects arrive a batch per turn of the event loop; each goes straight into the file's
    // new state, with an unchanged object (sent as its key alone) kept as the same instance.
    const previous = this.files.get(file)?.objects;
    const objects = new Map<string, FileEntry>();
    let disagrees = false;
    const outcome = await this.parser.parse(file, !initial, (entries) => {
      for (const [key, document, fingerprint, sent] of entries) {
        const kept = previous?.get(key);
        const object = sent ? this.strings.share(sent) : kept?.fingerprint === fingerprint ? kept.object : undefined;
        if (object) objects.set(key, { document, fingerprint, object });
        else disagrees = true;
      }
    });
    if (outcome.kind === 'unsettled') {
      if (!initial) return this.later(file, this.settleMs);
      await sleep(this.settleMs); // being written while minilb starts: wait for the writer
      return this.load(file, initial);
    }
    const kept = this.files.has(file) ? '; keeping its last good objects' : '';
    if (outcome.kind === 'failed') {
      if (info) this.failedSignatures.set(file, fileSignature(info));
      return `${outcome.error}${kept}`;
    }
    this.failedSignatures.delete(file);
    if (disagrees) {
      // The worker and this side disagree on what was sent before: start that file afresh.
      this.parser.forget(file);
      this.dirty.add(file);
      this.wakeIn(this.debounceMs);
      return undefined;
    }
    return this.replaceFile(file, { signature: outcome.signature, objects }, outcome.rejections);
  }

  // Makes `file` hold exactly `next` (undefined: the file is gone) and brings the index along.
  private async replaceFile(file: string, next: FileState | undefined, rejections: Rejection[]): Promise<boolean> {
    const before = this.files.get(file)?.objects ?? new Map<string, FileEntry>();
    const after = next?.objects ?? new Map<string, FileEntry>();
    const touched: string[] = [];
    const turn = this.turns();
    for (const [key, entry] of after) {
      await turn();
      const old = before.get(key);
      if (!old) this.addOwner(key, file);
      if (!old || old.fingerprint !== entry.fingerprint || old.document !== entry.document) touched.push(key);
    }
    for (const key of before.keys()) {
      await turn();
      if (after.has(key)) continue;
      this.removeOwner(key, file);
      touched.push(key);
    }
    if (next) this.files.set(file, next);
    else this.files.delete(file);
    this.options.rejections?.replace(`file ${file}`, rejections);
    return this.apply(touched, before);
  }

  // What the index must do for one touched object key now that the files hold what they hold
  // (undefined: nothing), reporting duplicates on the way.
  private changeFor(key: string, before: Map<string, FileEntry>): IndexChange | undefined {
    const holders = this.owners.get(key) ?? [];
    const winnerFile = holders[holders.length - 1];
    const winner = winnerFile === undefined ? undefined : this.files.get(winnerFile)!.objects.get(key)!;
    if (holders.length > 1 || this.duplicated.has(key)) {
      const where = (file: string) => `${file} document ${this.files.get(file)!.objects.get(key)!.document}`;
      const losers = holders.slice(0, -1);
      this.options.rejections?.replace(
        `duplicate ${key}`,
        losers.map((loser) => duplicateRejection(winner!.object, where(loser), where(winnerFile!))),
      );
      if (losers.length > 0) this.duplicated.add(key);
      else this.duplicated.delete(key);
    }
    if (winner) {
      if (this.applied.get(key) === winner.fingerprint) return undefined;
      this.applied.set(key, winner.fingerprint);
      return { upsert: winner.object };
    }
    if (!this.applied.has(key)) return undefined;
    this.applied.delete(key);
    return { remove: before.get(key)!.object };
  }

  private addOwner(key: string, file: string): void {
    const holders = this.owners.get(key);
    if (!holders) {
      this.owners.set(key, [file]);
      return;
    }
    holders.push(file);
    const rank = (f: string) => this.fileOrder.indexOf(f);
    holders.sort((a, b) => rank(a) - rank(b));
  }

  private removeOwner(key: string, file: string): void {
    const holders = this.owners.get(key)?.filter((f) => f !== file) ?? [];
    if (holders.length > 0) this.owners.set(key, holders);
    else this.owners.delete(key);
  }

  // For loops over every object of a large file: a promise that yields to the event loop once
  // the current turn has run sliceMs, so answers go out in between. Cheap between yields.
  private turns(): () => Promise<void> | undefined {
    let count = 0;
    let since = performance.now();
    return () => {
      if ((++count & 255) !== 0 || performance.now() - since < this.sliceMs) return undefined;
      return nextTurn().then(() => {
        since = performance.now();
      });
    };
  }

  // Hands the changes of the touched keys to the index a slice at a time, yielding between
  // slices, so queries are answered in between; each slice is sized from how long the last one
  // took. Each slice's changes are made just before it is applied, so none waits in a long list.
  // True when the index changed.
  private async apply(touched: string[], before: Map<string, FileEntry>): Promise<boolean> {
    let perSlice = 64;
    let changed = false;
    for (let at = 0; at < touched.length; ) {
      const started = performance.now();
      const changes: IndexChange[] = [];
      for (const end = Math.min(at + perSlice, touched.length); at < end; at++) {
        const change = this.changeFor(touched[at]!, before);
        if (change) changes.push(change);
      }
      this.options.index.applyChanges(changes);
      changed ||= changes.length > 0;
      const took = performance.now() - started;
      perSlice = Math.max(8, Math.min(perSlice * 2, Math.floor(perSlice * (this.sliceMs / Math.max(took, 0.05)))));
      if (at < touched.length) await nextTurn();
    }
    return changed;
  }
}
