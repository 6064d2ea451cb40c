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
