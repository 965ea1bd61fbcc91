/** The demo's folder (apps/demo). */
export const DEMO_DIR: string;
/** Starts vite's preview server on the built page (and `modelsDir` at /user-models/). */
export function startDemoServer(options?: {
  port?: number;
  host?: string;
  modelsDir?: string;
  outDir?: string;
}): Promise<{ url: string; close(): Promise<void> }>;
