// The published version, read from package.json at build time (tsup inlines the JSON).
import packageJson from '../package.json';

export const VERSION: string = packageJson.version;
