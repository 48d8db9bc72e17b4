// window.xaiTry, set by the try-it page (site/src/scripts/tryit.ts) for scripted checks.
export {};
declare global {
  interface Window {
    xaiTry?: { last?: { source: string; map: { data: Float32Array } } & Record<string, unknown>; error?: string; runs: number };
  }
}
