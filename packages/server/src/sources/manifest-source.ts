// Serves manifest files as the cluster state and reloads them when they change on disk.
// A file that fails to parse keeps its last good objects, so a typo never empties the zone.

import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ClusterObject } from '../index/cluster-objects.js';
import type { RecordIndex } from '../index/record-index.js';
import type { Logger } from '../log.js';
import { manifestFiles, parseManifest } from './manifest-files.js';

export interface ManifestSourceOptions {
  paths: string[];
  index: RecordIndex;
  log: Logger;
  debounceMs?: number;
}

export class ManifestSource {
  readonly name = 'manifests';
  synced = false;
  private readonly lastGood = new Map<string, ClusterObject[]>();
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private readonly reloadListeners: ((errors: string[]) => void)[] = [];

  constructor(private readonly options: ManifestSourceOptions) {}

  // Loads once; a broken file at start-up is an error the caller reports and exits on.
  async start(): Promise<void> {
    const errors = await this.load();
    if (errors.length > 0) throw new Error(errors.join('; '));
    this.synced = true;
    this.watch();
  }

  // Called after every reload, with the problems found (empty when all files parsed).
  onReload(listener: (errors: string[]) => void): void {
    this.reloadListeners.push(listener);
  }

  private async load(): Promise<string[]> {
    const errors: string[] = [];
    let files: string[];
    try {
      files = await manifestFiles(this.options.paths);
    } catch (err) {
      return [(err as Error).message];
    }
    const seen = new Set<string>();
    for (const file of files) {
      seen.add(file);
      try {
        this.lastGood.set(file, parseManifest(await readFile(file, 'utf8'), file));
      } catch (err) {
        const kept = this.lastGood.has(file) ? '; keeping its last good objects' : '';
        errors.push(`${(err as Error).message}${kept}`);
      }
    }
    for (const file of [...this.lastGood.keys()]) if (!seen.has(file)) this.lastGood.delete(file);
    this.options.index.replaceAll([...this.lastGood.values()].flat());
    return errors;
  }

  private watch(): void {
    // Editors and ConfigMap mounts replace files by rename, so watch the folders, not the files.
    const folders = new Set<string>();
    for (const path of this.options.paths) {
      folders.add(resolve(path));
      folders.add(dirname(resolve(path)));
    }
    for (const folder of folders) {
      try {
        const watcher = watch(folder, () => this.scheduleReload());
        watcher.on('error', (err) => this.options.log.warn({ folder, err: err.message }, 'manifest watch failed'));
        this.watchers.push(watcher);
      } catch {
        // A file path's own "folder" entry is not a directory: its parent covers it.
      }
    }
  }

  private scheduleReload(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.reloading = this.reloading.then(async () => {
        const errors = await this.load();
        for (const error of errors) this.options.log.error({ source: this.name }, error);
        if (errors.length === 0) this.options.log.info({ source: this.name, files: this.lastGood.size }, 'manifests reloaded');
        for (const listener of this.reloadListeners) listener(errors);
      });
    }, this.options.debounceMs ?? 150);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    for (const watcher of this.watchers) watcher.close();
    await this.reloading;
  }
}
