/**
 * Packed members for the objects a run holds by the tens of thousands (the connection trackers):
 * accessors on the class's prototype over one field, so the code using the members reads as plain
 * property access while each object carries one field (and no boxed number) in their place.
 */
/**
 * Boolean members kept as the bits of one number field, `bits`: one field in place of one per member
 * (8 bytes each in V8), in objects of which a run holds tens of thousands at once. The class declares
 * each member (`declare name: boolean`) and initialises `bits = 0`; this defines the accessors on its
 * prototype. At most 31 members.
 */
export function defineBitFlags(cls: { prototype: object }, names: readonly string[]): void {
  if (names.length > 31) throw new Error('defineBitFlags: at most 31 members');
  names.forEach((name, i) => {
    const bit = 1 << i;
    Object.defineProperty(cls.prototype, name, {
      get(this: { bits: number }): boolean {
        return (this.bits & bit) !== 0;
      },
      set(this: { bits: number }, on: boolean) {
        this.bits = on ? this.bits | bit : this.bits & ~bit;
      },
    });
  });
}

/**
 * Number members kept unboxed in one array of doubles, `doubles`. A member that ever holds a number
 * outside the small-integer range (a sequence number past 2^31, a time) is boxed by V8: a separate
 * 16-byte heap number per member per object. In a double array each takes 8 bytes and no object.
 * The class declares each member (`declare name: number`) and initialises `doubles` with
 * `slots.fresh()`; this defines the accessors on its prototype.
 */
export function defineDoubleSlots(cls: { prototype: object }, members: Readonly<Record<string, number>>): DoubleSlots {
  const names = Object.keys(members);
  names.forEach((name, i) => {
    Object.defineProperty(cls.prototype, name, {
      get(this: { doubles: number[] }): number {
        return this.doubles[i]!;
      },
      set(this: { doubles: number[] }, value: number) {
        this.doubles[i] = value;
      },
    });
  });
  // Each copy of the template is one exact-size double array from the start.
  const template = doubleArray(names.map((name) => members[name]!));
  return { fresh: () => template.slice() };
}

export interface DoubleSlots {
  /** The initial `doubles` of a new object. */
  fresh(): number[];
}

/** Longest number log that is kept at exactly its length (see {@link grownBy}). */
const EXACT_MAX = 40;
/** Arrays of doubles of each length up to EXACT_MAX, to copy from. */
const DOUBLE_TEMPLATES: number[][] = [];

/**
 * An array holding `values` whose elements are doubles from the start, as are its copies (slice()):
 * an array that starts with small integers is reallocated when it first gets another number.
 */
function doubleArray(values: readonly number[]): number[] {
  const a = [0.5];
  a.length = 0;
  for (const v of values) a.push(v);
  return a;
}

function doubleTemplate(n: number): number[] {
  return (DOUBLE_TEMPLATES[n] ??= doubleArray(new Array<number>(n).fill(0)));
}

/**
 * `log` (an array of numbers a connection keeps, such as its state changes) with `more` numbers of
 * room at its end, for the caller to write. While short (up to 40 numbers) it is a new array of
 * doubles of exactly the new length: V8 gives an array room for 17 elements at its first push, and an
 * array that starts with small integers is reallocated when a time is stored. Past that, `log`
 * itself, grown in place.
 */
export function grownBy(log: number[], more: number): number[] {
  const n = log.length;
  if (n + more > EXACT_MAX) {
    for (let i = 0; i < more; i++) log.push(0);
    return log;
  }
  const next = doubleTemplate(n + more).slice();
  for (let i = 0; i < n; i++) next[i] = log[i]!;
  return next;
}
