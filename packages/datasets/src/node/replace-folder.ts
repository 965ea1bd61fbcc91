/**
 * Replaces a folder as a whole (Node only): its new content is written into a temporary folder beside it
 * (`.<name>.tmp-<pid>-<hex>`), then the old folder is renamed aside (`.<name>.old-<pid>-<hex>`) and the new one renamed
 * into its place, then the old one deleted. A reader sees the old folder or the new one, never a mix; a process killed
 * between the two renames leaves the new folder complete beside the name (said when the name is read, and swept, with
 * anything else a killed writer left, by the next writer).
 */
// Default imports of node builtins (not named ones): see idx-file.ts.
import fs from 'node:fs';
import path from 'node:path';
import { DataError, formatExpected } from '@vaejs/core';

/** Who writes, for messages: `writeCodeMaps: expected dir …`. */
export interface ReplaceFolderOptions {
  fn: string;
  argument: string;
  /** True for the names the folder may hold to be replaced (its own files); anything else refuses the folder. */
  owns: (name: string) => boolean;
}

/**
 * Writes a new `dir` through `write(temporary)` and puts it in place of the old one (if any) as a whole.
 * @throws DataError when `dir` is a file, or a folder holding files that are not its own (they would be lost)
 */
export function replaceFolder<T>(dir: string, options: ReplaceFolderOptions, write: (temporary: string) => T): T {
  const { fn, argument } = options;
  if (typeof dir !== 'string' || dir === '' || dir.includes('\0')) {
    const shown = typeof dir === 'string' ? JSON.stringify(dir) : String(dir);
    throw new DataError(formatExpected(fn, argument, 'a folder path (no NUL character)', shown));
  }
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const name = path.basename(target);
  if (fs.existsSync(target)) {
    if (!fs.statSync(target).isDirectory()) {
      throw new DataError(formatExpected(fn, argument, 'a folder', `'${dir}', which is a file`));
    }
    const other = fs.readdirSync(target).find((entry) => !options.owns(entry) && !isLeftover(entry));
    if (other !== undefined) {
      const expected = 'a new folder, an empty one, or one this writes (to replace)';
      throw new DataError(formatExpected(fn, argument, expected, `'${dir}', which holds other files (${other})`));
    }
  }
  fs.mkdirSync(parent, { recursive: true });
  sweepLeftovers(parent, name);
  const temporary = path.join(parent, `.${name}.tmp-${process.pid}-${randomHex()}`);
  fs.mkdirSync(temporary);
  let result: T;
  try {
    result = write(temporary);
  } catch (error) {
    fs.rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
  const aside = fs.existsSync(target) ? path.join(parent, `.${name}.old-${process.pid}-${randomHex()}`) : null;
  if (aside) fs.renameSync(target, aside);
  fs.renameSync(temporary, target);
  if (aside) fs.rmSync(aside, { recursive: true, force: true });
  return result;
}

/**
 * What a writer killed while replacing `dir` left beside it: its new content, complete when it holds `marker` (the
 * file written last), or null.
 */
export function interruptedReplacement(dir: string, marker: string): string | null {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const prefix = `.${path.basename(target)}.tmp-`;
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return null;
  }
  const found = names.find((entry) => entry.startsWith(prefix) && fs.existsSync(path.join(parent, entry, marker)));
  return found === undefined ? null : path.join(parent, found);
}

// helpers

/** A temporary file of an earlier writer inside the folder (`train-codes.idx.1234.tmp`): replaced with the rest. */
function isLeftover(name: string): boolean {
  return /\.\d+\.tmp$/.test(name);
}

/** Removes the temporary and old folders of `name` left in `parent` by writers that no longer run. */
function sweepLeftovers(parent: string, name: string): void {
  const pattern = new RegExp(`^\\.${escapeRegExp(name)}\\.(tmp|old)-(\\d+)-[\\da-f]+$`);
  for (const entry of fs.readdirSync(parent)) {
    const match = pattern.exec(entry);
    if (match && !processAlive(Number(match[2]))) fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function randomHex(): string {
  return Math.floor(Math.random() * 2 ** 32).toString(16);
}
