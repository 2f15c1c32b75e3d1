// Objects spanning bars [from, to] (boxes, lines, points), indexed to find
// those reaching into the visible bars without testing all of them: the
// objects in blocks of BLOCK, each block knowing its first start and its
// last end, so a block wholly left or right of the view is skipped with
// two comparisons. The detector reports objects about in the order they
// form, so a block covers a short stretch of bars: a frame's work is about
// the objects it draws, not the thousands a long history holds. Building
// is one pass, no sort (it runs on the first render's path), and the
// objects keep their given order.

/** Objects per block: small enough to skip closely, large enough for few blocks. */
const BLOCK = 32;

export class SpanIndex<T> {
  readonly items: readonly T[];
  private readonly froms: Float64Array;
  private readonly tos: Float64Array;
  /** The earliest first bar and the furthest last bar of each block. */
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;

  constructor(items: readonly T[], from: (item: T) => number, to: (item: T) => number) {
    const n = items.length;
    const blocks = Math.ceil(n / BLOCK);
    this.items = items;
    this.froms = new Float64Array(n);
    this.tos = new Float64Array(n);
    this.starts = new Float64Array(blocks).fill(Infinity);
    this.ends = new Float64Array(blocks).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      const item = items[i] as T;
      const start = from(item);
      const end = to(item);
      this.froms[i] = start;
      this.tos[i] = end;
      const block = (i / BLOCK) | 0;
      if (start < (this.starts[block] as number)) this.starts[block] = start;
      if (end > (this.ends[block] as number)) this.ends[block] = end;
    }
  }

  get size(): number {
    return this.items.length;
  }

  /**
   * Puts into `out` (emptied first) the objects reaching into bars [a, b]
   * (from <= b and to >= a), in their given order; returns `out`. Meant to
   * be called every frame with the same array, so it allocates nothing.
   */
  collect(a: number, b: number, out: T[]): T[] {
    out.length = 0;
    const n = this.froms.length;
    for (let block = 0; block * BLOCK < n; block++) {
      if ((this.ends[block] as number) < a || (this.starts[block] as number) > b) continue;
      const stop = Math.min(n, (block + 1) * BLOCK);
      for (let i = block * BLOCK; i < stop; i++) {
        if ((this.tos[i] as number) >= a && (this.froms[i] as number) <= b) out.push(this.items[i] as T);
      }
    }
    return out;
  }
}
