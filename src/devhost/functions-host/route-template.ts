// ASP.NET Core attribute-route templates as the Functions host uses them for HTTP triggers: literals matched
// case-insensitively, `{name}`, `{name?}`, `{name=default}`, `{*rest}`, inline constraints (`{id:int}`), and the
// router's inbound precedence (literal before constrained before plain before catch-all).
import { DevHostError } from './dev-host-error';

type Constraint = (value: string) => boolean;

interface LiteralPart {
  readonly kind: 'literal';
  readonly text: string;
}

interface ParameterPart {
  readonly kind: 'parameter';
  readonly name: string;
  readonly optional: boolean;
  readonly catchAll: boolean;
  readonly defaultValue: string | undefined;
  readonly constraints: readonly Constraint[];
  readonly constraintNames: readonly string[];
}

type Part = LiteralPart | ParameterPart;

interface Segment {
  readonly parts: readonly Part[];
  readonly pattern: RegExp;
}

/** A parsed route template, ready for `matchRouteTemplate`. */
export interface RouteTemplate {
  readonly template: string;
  readonly segments: readonly Segment[];
  /** Inbound precedence digits, one per segment (lower matches first). */
  readonly precedence: readonly number[];
  /** Constraint names this host does not know (treated as no constraint, like an absent resolver entry). */
  readonly unknownConstraints: readonly string[];
}

const int32 = (v: string) => /^-?\d+$/.test(v) && Number(v) >= -2147483648 && Number(v) <= 2147483647;
const int64 = (v: string) => /^-?\d+$/.test(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n;
const numeric = (v: string) => v.trim() !== '' && Number.isFinite(Number(v));

function numbersOf(args: string): number[] {
  return args.split(',').map((a) => Number(a.trim()));
}

/** Known inline constraints (Microsoft.AspNetCore.Routing defaults); `args` is the text inside parentheses. */
function makeConstraint(name: string, args: string | undefined): Constraint | undefined {
  switch (name.toLowerCase()) {
    case 'int':
      return int32;
    case 'long':
      return int64;
    case 'guid':
      return (v) => /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[})]?$/i.test(v);
    case 'alpha':
      return (v) => /^[a-z]*$/i.test(v);
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'decimal':
    case 'double':
    case 'float':
      return numeric;
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'required':
      return (v) => v !== '';
    case 'minlength': {
      const [n = 0] = numbersOf(args ?? '0');
      return (v) => v.length >= n;
    }
    case 'maxlength': {
      const [n = Infinity] = numbersOf(args ?? '');
      return (v) => v.length <= n;
    }
    case 'length': {
      const [a = 0, b] = numbersOf(args ?? '0');
      return b === undefined ? (v) => v.length === a : (v) => v.length >= a && v.length <= b;
    }
    case 'min': {
      const [n = 0] = numbersOf(args ?? '0');
      return (v) => int64(v) && Number(v) >= n;
    }
    case 'max': {
      const [n = 0] = numbersOf(args ?? '0');
      return (v) => int64(v) && Number(v) <= n;
    }
    case 'range': {
      const [a = 0, b = 0] = numbersOf(args ?? '0,0');
      return (v) => int64(v) && Number(v) >= a && Number(v) <= b;
    }
    case 'regex': {
      // ASP.NET does not anchor the pattern; it matches case-insensitively.
      const re = new RegExp(args ?? '', 'i');
      return (v) => re.test(v);
    }
    default:
      return undefined;
  }
}

function parseParameter(body: string, template: string, unknown: string[]): ParameterPart {
  let rest = body;
  let catchAll = false;
  if (rest.startsWith('**')) {
    catchAll = true;
    rest = rest.slice(2);
  } else if (rest.startsWith('*')) {
    catchAll = true;
    rest = rest.slice(1);
  }
  const nameMatch = /^[^:=?]+/.exec(rest);
  if (!nameMatch) throw new DevHostError(`Route template "${template}" has a parameter without a name.`);
  const name = nameMatch[0].trim();
  rest = rest.slice(nameMatch[0].length);
  const constraints: Constraint[] = [];
  const constraintNames: string[] = [];
  while (rest.startsWith(':')) {
    const cm = /^:([A-Za-z]+)/.exec(rest);
    if (!cm) break;
    const cName = cm[1] ?? '';
    rest = rest.slice(cm[0].length);
    let args: string | undefined;
    if (rest.startsWith('(')) {
      let depth = 0;
      let end = 0;
      for (; end < rest.length; end++) {
        if (rest[end] === '(') depth++;
        else if (rest[end] === ')' && --depth === 0) break;
      }
      // Braces inside constraint arguments are written doubled in templates (`regex(^\\d{{3}}$)`).
      args = rest.slice(1, end).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
      rest = rest.slice(end + 1);
    }
    const constraint = makeConstraint(cName, args);
    constraintNames.push(cName);
    if (constraint) constraints.push(constraint);
    else unknown.push(cName);
  }
  let optional = false;
  if (rest.endsWith('?')) {
    optional = true;
    rest = rest.slice(0, -1);
  }
  let defaultValue: string | undefined;
  if (rest.startsWith('=')) defaultValue = rest.slice(1);
  else if (rest !== '') throw new DevHostError(`Route template "${template}" has an unreadable parameter "{${body}}".`);
  return { kind: 'parameter', name, optional, catchAll, defaultValue, constraints, constraintNames };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseSegment(text: string, template: string, unknown: string[]): Segment {
  const parts: Part[] = [];
  let i = 0;
  let literal = '';
  while (i < text.length) {
    const ch = text[i];
    if (ch === '{' && text[i + 1] === '{') {
      literal += '{';
      i += 2;
    } else if (ch === '}' && text[i + 1] === '}') {
      literal += '}';
      i += 2;
    } else if (ch === '{') {
      let depth = 0;
      let end = i;
      for (; end < text.length; end++) {
        if (text[end] === '(') depth++;
        else if (text[end] === ')') depth--;
        else if (text[end] === '}' && depth <= 0) break;
      }
      if (end >= text.length) throw new DevHostError(`Route template "${template}" has an unclosed "{".`);
      if (literal) parts.push({ kind: 'literal', text: literal });
      literal = '';
      parts.push(parseParameter(text.slice(i + 1, end), template, unknown));
      i = end + 1;
    } else {
      literal += ch;
      i++;
    }
  }
  if (literal) parts.push({ kind: 'literal', text: literal });
  const source = parts.map((p) => (p.kind === 'literal' ? escapeRegExp(p.text) : '(.+)')).join('');
  return { parts, pattern: new RegExp(`^${source}$`, 'i') };
}

function precedenceDigit(segment: Segment): number {
  if (segment.parts.length > 1) return 2;
  const part = segment.parts[0];
  if (!part || part.kind === 'literal') return 1;
  const digit = part.catchAll ? 5 : 3;
  return part.constraintNames.length > 0 ? digit - 1 : digit;
}

/** Parses a route template such as `items/{id:int}/{*rest}`; throws `DevHostError` when it is malformed. */
export function parseRouteTemplate(template: string): RouteTemplate {
  const unknown: string[] = [];
  const texts = template.replace(/^~?\/+|\/+$/g, '').split('/').filter((s) => s !== '');
  const segments = texts.map((t) => parseSegment(t, template, unknown));
  segments.forEach((segment, index) => {
    const catchAll = segment.parts.some((p) => p.kind === 'parameter' && p.catchAll);
    if (catchAll && (index !== segments.length - 1 || segment.parts.length > 1)) {
      throw new DevHostError(`Route template "${template}": a catch-all parameter must be the whole last segment.`);
    }
  });
  return { template, segments, precedence: segments.map(precedenceDigit), unknownConstraints: unknown };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function canBeAbsent(segment: Segment): boolean {
  const [only, ...others] = segment.parts;
  return others.length === 0 && only?.kind === 'parameter' && (only.optional || only.catchAll || only.defaultValue !== undefined);
}

/**
 * Matches a request path (below the route prefix, without query) against `route`. Returns the route values
 * (decoded; absent optional parameters left out, defaults filled in) or undefined when it does not match.
 */
export function matchRouteTemplate(route: RouteTemplate, path: string): Record<string, string> | undefined {
  const raw = path.replace(/^\/+|\/+$/g, '');
  const pathSegments = raw === '' ? [] : raw.split('/');
  const values: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i];
    if (!segment) return undefined;
    const first = segment.parts[0];
    if (first?.kind === 'parameter' && first.catchAll) {
      const rest = pathSegments.slice(i).map(decodeSegment).join('/');
      const value = rest === '' ? first.defaultValue : rest;
      if (value !== undefined) {
        if (!first.constraints.every((c) => c(value))) return undefined;
        values[first.name] = value;
      }
      return values;
    }
    const text = pathSegments[i];
    if (text === undefined) {
      if (!canBeAbsent(segment)) return undefined;
      if (first?.kind === 'parameter' && first.defaultValue !== undefined) values[first.name] = first.defaultValue;
      continue;
    }
    const decoded = decodeSegment(text);
    const m = segment.pattern.exec(decoded);
    if (!m) return undefined;
    let group = 1;
    for (const part of segment.parts) {
      if (part.kind !== 'parameter') continue;
      const value = m[group++] ?? '';
      if (!part.constraints.every((c) => c(value))) return undefined;
      values[part.name] = value;
    }
  }
  return pathSegments.length <= route.segments.length ? values : undefined;
}

/** Orders routes like ASP.NET's inbound precedence: more specific first; ties by template text. */
export function compareRoutePrecedence(a: RouteTemplate, b: RouteTemplate): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const diff = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.template.toLowerCase().localeCompare(b.template.toLowerCase());
}
