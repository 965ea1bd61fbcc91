// Imports an optional package (a tfjs backend) from where a user installs it: beside @vaejs/backend, which is where
// npm puts it (normal resolution from this package), or in the project being run (the running script's folder and
// process.cwd()), which is where pnpm, a workspace or a global install of the importing app leaves it. When it is
// nowhere, the error says where it looked, so that the hint can say what to run where.

/** Thrown by `importOptionalPackage` when a package is in none of the places it looked. */
export class PackageNotFoundError extends Error {
  override readonly name = 'PackageNotFoundError';
  /** Node's code for a missing package, so that `isPackageNotFound` recognises it. */
  readonly code = 'ERR_MODULE_NOT_FOUND';
  constructor(
    readonly packageName: string,
    /** Where it looked, as one phrase: 'beside @vaejs/backend (/app/node_modules/@vaejs/backend/dist) and from /app'. */
    readonly searched: string,
  ) {
    super(`Cannot find package '${packageName}' (looked ${searched})`);
  }
}

/** Options of `importOptionalPackage`. */
export interface ImportPackageOptions {
  /** Folders to resolve from after @vaejs/backend's own location; default: the running script's folder and cwd. */
  resolveFrom?: readonly string[];
  /** Replaces the import from @vaejs/backend's own location (tests). */
  importBeside?: (packageName: string) => Promise<unknown>;
}

// Hidden from bundlers: these Node built-ins are only loaded when running in Node.
const importBuiltin = (name: string): Promise<Record<string, unknown>> => import(/* @vite-ignore */ name);

/** The folders tried after @vaejs/backend's own location, by default: the running script's folder, then cwd. */
export async function defaultResolveFrom(): Promise<string[]> {
  if (typeof process === 'undefined' || typeof process.cwd !== 'function') return [];
  const path = (await importBuiltin('node:path')) as unknown as typeof import('node:path');
  const script = process.argv?.[1];
  const folders = [...(script ? [path.dirname(path.resolve(script))] : []), process.cwd()];
  return [...new Set(folders)];
}

/** This file's folder (the installed @vaejs/backend), for messages; undefined where it cannot be known. */
export async function ownFolder(): Promise<string | undefined> {
  if (typeof __dirname === 'string') return __dirname; // CommonJS build
  try {
    const { fileURLToPath } = (await importBuiltin('node:url')) as unknown as typeof import('node:url');
    return fileURLToPath(new URL('.', import.meta.url)).replace(/[\\/]$/, '');
  } catch {
    return undefined;
  }
}

/** True when `error` says that `packageName` itself cannot be found (not a file it needs, such as a .node binary). */
export function isPackageNotFound(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const notFound =
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    /Cannot find (package|module)|Could not resolve|Failed to (resolve|load url)/i.test(message);
  return notFound && new RegExp(`['"\\s]${packageName.replace(/[/.-]/g, '\\$&')}['"\\s(]`).test(` ${message} `);
}

/**
 * Imports `packageName` from @vaejs/backend's location, else from the first folder of `resolveFrom` it resolves from.
 * Errors other than "not found" (a package that is there but fails to load) are thrown as they are.
 * @throws PackageNotFoundError, listing where it looked, when it is nowhere
 */
export async function importOptionalPackage(packageName: string, options: ImportPackageOptions = {}): Promise<unknown> {
  const importBeside = options.importBeside ?? ((name: string) => import(/* @vite-ignore */ name) as Promise<unknown>);
  try {
    return await importBeside(packageName);
  } catch (error) {
    if (!isPackageNotFound(error, packageName)) throw error;
  }
  const own = await ownFolder();
  const folders = options.resolveFrom ?? (await defaultResolveFrom());
  if (folders.length > 0) {
    const { createRequire } = (await importBuiltin('node:module')) as unknown as typeof import('node:module');
    const { join } = (await importBuiltin('node:path')) as unknown as typeof import('node:path');
    const { pathToFileURL } = (await importBuiltin('node:url')) as unknown as typeof import('node:url');
    for (const folder of folders) {
      let resolved: string;
      try {
        resolved = createRequire(join(folder, 'noop.js')).resolve(packageName);
      } catch {
        continue;
      }
      return import(/* @vite-ignore */ pathToFileURL(resolved).href);
    }
  }
  const beside = `beside @vaejs/backend${own ? ` (${own})` : ''}`;
  const from = folders.length > 0 ? ` and from ${folders.join(' and ')}` : '';
  throw new PackageNotFoundError(packageName, `${beside}${from}`);
}
