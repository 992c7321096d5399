// The OData `filter` of the data-plane API: parses it once and evaluates it against a connection.
// Hand-written because no OData package is installed, and the service's dialect is small: the fields
// userId, connectionId, groups and protocol; eq/ne/gt/ge/lt/le, in, and/or/not; a few string functions.

/** The connection fields a filter can read. */
export interface FilterTarget {
  readonly connectionId: string;
  readonly userId: string | null;
  readonly groups: ReadonlySet<string>;
  readonly protocol: string | null;
}

/** A filter the service would reject with 400. */
export class FilterError extends Error {}

type Value = null | boolean | number | string | readonly string[];
type Node = (target: FilterTarget) => Value;
type Token = { kind: 'string'; text: string } | { kind: 'number'; value: number } | { kind: 'word'; text: string } | { kind: 'punct'; text: string };

const probe: FilterTarget = { connectionId: 'c', userId: 'u', groups: new Set(['g']), protocol: 'p' };

/**
 * Compiles a filter; throws {@link FilterError} when it does not parse or does not type-check
 * (checked up front, as the service answers 400 before sending anything).
 */
export function compileFilter(filter: string): (target: FilterTarget) => boolean {
  const parser = new Parser(tokenize(filter));
  const node = parser.parseExpression();
  parser.expectEnd();
  const predicate = (target: FilterTarget): boolean => asBoolean(node(target));
  predicate(probe);
  return predicate;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] ?? '';
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw new FilterError('Unterminated string literal.');
        if (text[i] === "'" && text[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (text[i] === "'") {
          i += 1;
          break;
        } else {
          value += text[i];
          i += 1;
        }
      }
      tokens.push({ kind: 'string', text: value });
    } else if ('(),'.includes(char)) {
      tokens.push({ kind: 'punct', text: char });
      i += 1;
    } else {
      const match = /^(-?\d+)(?![\w.])|^[A-Za-z_][\w.]*/.exec(text.slice(i));
      if (!match) throw new FilterError(`Unexpected character '${char}' in filter.`);
      if (match[1] !== undefined) tokens.push({ kind: 'number', value: Number(match[1]) });
      else tokens.push({ kind: 'word', text: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

const comparisons: Record<string, (left: Value, right: Value) => boolean> = {
  eq: (left, right) => left === right,
  ne: (left, right) => left !== right,
  gt: (left, right) => compare(left, right, (d) => d > 0),
  ge: (left, right) => compare(left, right, (d) => d >= 0),
  lt: (left, right) => compare(left, right, (d) => d < 0),
  le: (left, right) => compare(left, right, (d) => d <= 0),
};

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  expectEnd(): void {
    if (this.position < this.tokens.length) throw new FilterError('Unexpected text at the end of the filter.');
  }

  parseExpression(): Node {
    let left = this.parseAnd();
    while (this.takeWord('or')) {
      const lhs = left;
      const rhs = this.parseAnd();
      // Both sides always run so that a type error anywhere fails validation, not a later fan-out.
      left = (t) => [asBoolean(lhs(t)), asBoolean(rhs(t))].includes(true);
    }
    return left;
  }

  private parseAnd(): Node {
    let left = this.parseUnary();
    while (this.takeWord('and')) {
      const lhs = left;
      const rhs = this.parseUnary();
      left = (t) => ![asBoolean(lhs(t)), asBoolean(rhs(t))].includes(false);
    }
    return left;
  }

  private parseUnary(): Node {
    if (this.takeWord('not')) {
      const operand = this.parseUnary();
      return (t) => !asBoolean(operand(t));
    }
    return this.parseComparison();
  }

  private parseComparison(): Node {
    const left = this.parsePrimary();
    const next = this.tokens[this.position];
    if (next?.kind !== 'word') return left;
    const operator = next.text.toLowerCase();
    if (operator === 'in') {
      this.position += 1;
      const right = this.parsePrimary();
      return (t) => {
        const value = right(t);
        // `('a')` parses as a parenthesised string, which OData reads as a one-item list.
        const collection = typeof value === 'string' ? [value] : value;
        if (!Array.isArray(collection)) throw new FilterError("The right side of 'in' must be a collection.");
        const item = left(t);
        return typeof item === 'string' && collection.includes(item);
      };
    }
    const compareFn = comparisons[operator];
    if (!compareFn) return left;
    this.position += 1;
    const right = this.parsePrimary();
    return (t) => compareFn(left(t), right(t));
  }

  private parsePrimary(): Node {
    const token = this.tokens[this.position];
    this.position += 1;
    if (!token) throw new FilterError('The filter ends unexpectedly.');
    if (token.kind === 'string') return () => token.text;
    if (token.kind === 'number') return () => token.value;
    if (token.kind === 'punct') {
      if (token.text !== '(') throw new FilterError(`Unexpected '${token.text}' in filter.`);
      const items = [this.parseExpression()];
      while (this.takePunct(',')) items.push(this.parseExpression());
      this.expectPunct(')');
      const [only] = items;
      if (items.length === 1 && only) return only;
      return (t) => items.map((item) => asString(item(t)));
    }
    const word = token.text.toLowerCase();
    if (word === 'null') return () => null;
    if (word === 'true') return () => true;
    if (word === 'false') return () => false;
    if (this.takePunct('(')) return this.parseFunction(word);
    switch (word) {
      case 'userid':
        return (t) => t.userId;
      case 'connectionid':
        return (t) => t.connectionId;
      case 'groups':
        return (t) => [...t.groups];
      case 'protocol':
        return (t) => t.protocol;
      default:
        throw new FilterError(`Unknown field '${token.text}' in filter.`);
    }
  }

  private parseFunction(name: string): Node {
    const args: Node[] = [];
    if (!this.takePunct(')')) {
      args.push(this.parseExpression());
      while (this.takePunct(',')) args.push(this.parseExpression());
      this.expectPunct(')');
    }
    const fn = stringFunctions[`${name}/${args.length}`];
    if (!fn) throw new FilterError(`Unsupported function '${name}' with ${args.length} arguments.`);
    return (t) => fn(args.map((arg) => arg(t)));
  }

  private takeWord(word: string): boolean {
    const token = this.tokens[this.position];
    if (token?.kind === 'word' && token.text.toLowerCase() === word) {
      this.position += 1;
      return true;
    }
    return false;
  }

  private takePunct(text: string): boolean {
    const token = this.tokens[this.position];
    if (token?.kind === 'punct' && token.text === text) {
      this.position += 1;
      return true;
    }
    return false;
  }

  private expectPunct(text: string): void {
    if (!this.takePunct(text)) throw new FilterError(`Expected '${text}' in filter.`);
  }
}

// Null in, null (or false for predicates) out, as OData does for these functions.
const stringFunctions: Record<string, (args: Value[]) => Value> = {
  'length/1': ([value]) => (value == null ? null : Array.isArray(value) ? value.length : asString(value).length),
  'tolower/1': ([value]) => (value == null ? null : asString(value).toLowerCase()),
  'toupper/1': ([value]) => (value == null ? null : asString(value).toUpperCase()),
  'trim/1': ([value]) => (value == null ? null : asString(value).trim()),
  'contains/2': ([value, part]) => value != null && part != null && asString(value).includes(asString(part)),
  'startswith/2': ([value, part]) => value != null && part != null && asString(value).startsWith(asString(part)),
  'endswith/2': ([value, part]) => value != null && part != null && asString(value).endsWith(asString(part)),
  'indexof/2': ([value, part]) => (value == null || part == null ? -1 : asString(value).indexOf(asString(part))),
  'concat/2': ([left, right]) => (left == null || right == null ? null : asString(left) + asString(right)),
  'substring/2': ([value, start]) => (value == null ? null : asString(value).substring(asNumber(start))),
  'substring/3': ([value, start, length]) =>
    value == null ? null : asString(value).substring(asNumber(start), asNumber(start) + asNumber(length)),
};

function compare(left: Value, right: Value, test: (difference: number) => boolean): boolean {
  if (left === null || right === null) return false;
  if (typeof left === 'number' && typeof right === 'number') return test(left - right);
  if (typeof left === 'string' && typeof right === 'string') return test(left < right ? -1 : left > right ? 1 : 0);
  throw new FilterError('Only numbers or strings can be ordered.');
}

function asBoolean(value: Value): boolean {
  if (typeof value !== 'boolean') throw new FilterError('The filter must be a boolean expression.');
  return value;
}

function asString(value: Value | undefined): string {
  if (typeof value !== 'string') throw new FilterError('Expected a string in filter.');
  return value;
}

function asNumber(value: Value | undefined): number {
  if (typeof value !== 'number') throw new FilterError('Expected a number in filter.');
  return value;
}
