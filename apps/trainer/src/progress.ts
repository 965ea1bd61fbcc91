/** A progress bar on stderr: redrawn in place on a terminal, a line every 10 % otherwise (logs, CI). */
export interface Progress {
  update(done: number, fields: Record<string, number | string>): void;
  finish(fields: Record<string, number | string>): void;
}

function formatFields(fields: Record<string, number | string>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key} ${typeof value === 'number' ? formatNumber(value) : value}`)
    .join('  ');
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(2);
  return value.toFixed(4);
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const interactive = Boolean(stream.isTTY);
  let lastDecile = -1;
  const render = (done: number, fields: Record<string, number | string>) => {
    const width = 24;
    const filled = Math.round((done / total) * width);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  ${formatFields(fields)}`;
  };
  return {
    update(done, fields) {
      if (interactive) {
        stream.write(`\r${render(done, fields)}\x1b[K`);
      } else {
        const decile = Math.floor((done / total) * 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          stream.write(`${render(done, fields)}\n`);
        }
      }
    },
    finish(fields) {
      stream.write(`${interactive ? '\r' : ''}${render(total, fields)}${interactive ? '\x1b[K' : ''}\n`);
    },
  };
}
