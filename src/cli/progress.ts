/**
 * A progress bar on stderr: redrawn in place on a terminal, a few plain lines otherwise; `--quiet` disables it.
 */
export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

export function createProgress(label: string, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled) return { update() {}, finish() {} };
  const tty = Boolean(stream.isTTY);
  let lastPct = -1;
  let drawn = false;
  return {
    update(done, total) {
      const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
      if (tty) {
        if (pct === lastPct) return;
        const width = 30;
        const fill = Math.round((width * pct) / 100);
        stream.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${pct}% (${done}/${total})`);
        drawn = true;
      } else if (Math.floor(pct / 25) !== Math.floor(lastPct / 25) || (pct === 100 && lastPct !== 100)) {
        stream.write(`${label}: ${pct}% (${done}/${total})\n`);
      }
      lastPct = pct;
    },
    finish() {
      if (tty && drawn) stream.write('\n');
    },
  };
}
