// Whether a module can run itself on a worker thread (`new Worker(__filename)`).

/**
 * True when a Worker can load the module at `filename`: compiled JavaScript. The tests run TypeScript sources
 * in-process, where no Worker can load them; callers then do the same work on the calling thread.
 */
export function canLoadInWorker(filename: string): boolean {
  return filename.endsWith('.js');
}
