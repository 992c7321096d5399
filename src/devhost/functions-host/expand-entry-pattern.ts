// Expands package.json `main` the way the worker's globby call does for the patterns apps use
// (`dist/src/{index.js,functions/*.js}`, `**`, `?`). Hand-written because no glob library is a runtime dependency.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Expands `{a,b}` alternatives (nested allowed) into plain patterns, keeping their order. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (ch === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let i = 0; i < bounds.length - 1; i++) {
    const option = pattern.slice((bounds[i] ?? 0) + 1, bounds[i + 1]);
    for (const expanded of expandBraces(head + option + tail)) out.push(expanded);
  }
  return out;
}

function hasMagic(segment: string): boolean {
  return /[*?[]/.test(segment);
}

function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (const ch of segment) {
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => !name.startsWith('.') && name !== 'node_modules').sort();
  } catch {
    return [];
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function walk(cwd: string, base: string, segments: readonly string[], out: string[]): void {
  const [segment, ...rest] = segments;
  if (segment === undefined) {
    if (existsSync(path.join(cwd, base)) && !isDirectory(path.join(cwd, base))) out.push(base);
    return;
  }
  if (segment === '**') {
    walk(cwd, base, rest, out);
    for (const name of listDir(path.join(cwd, base))) {
      const next = base ? `${base}/${name}` : name;
      if (isDirectory(path.join(cwd, next))) walk(cwd, next, segments, out);
    }
    return;
  }
  if (!hasMagic(segment)) {
    walk(cwd, base ? `${base}/${segment}` : segment, rest, out);
    return;
  }
  const re = segmentRegExp(segment);
  for (const name of listDir(path.join(cwd, base))) {
    if (re.test(name)) walk(cwd, base ? `${base}/${name}` : name, rest, out);
  }
}

/**
 * Files (relative to `cwd`, `/`-separated) matching `pattern`, in brace order then name order, without duplicates.
 */
export function expandEntryPattern(pattern: string, cwd: string): string[] {
  const out: string[] = [];
  for (const plain of expandBraces(pattern.replace(/^\.\//, ''))) {
    walk(cwd, '', plain.split('/').filter((s) => s !== '' && s !== '.'), out);
  }
  return [...new Set(out)];
}
