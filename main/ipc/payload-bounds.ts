/**
 * A cheap, bounded look at an IPC payload before zod parses it. zod walks every key of a
 * record and every item of an array before a `.max()` or `.refine()` can refuse it: a
 * signed-out call with 1,000,000 map keys held the main process for 45 s. This walk stops at
 * the first limit it meets, so its cost is bounded by the limits, not by the payload.
 *
 * The limits sit well above what any channel of the contract accepts (its schemas stay the
 * precise rules); they only keep a hostile payload from costing main real time.
 */

export interface PayloadLimits {
  /** Estimated size of the payload as JSON, in bytes (UTF-16 code units of strings and keys). */
  maxBytes: number;
  /** Keys of one object, or items of one array. */
  maxEntries: number;
  /** Objects and arrays nested in one another. */
  maxDepth: number;
  /** Values in the whole payload. */
  maxNodes: number;
}

export const IPC_PAYLOAD_LIMITS: PayloadLimits = {
  maxBytes: 256 * 1024,
  maxEntries: 256,
  maxDepth: 8,
  maxNodes: 5000,
};

/** Null when the payload is within the limits, else what it exceeds (never the payload itself). */
export function payloadOverLimit(payload: unknown, limits: PayloadLimits = IPC_PAYLOAD_LIMITS): string | null {
  let bytes = 0;
  // Counted when queued, so the queue itself never outgrows maxNodes.
  let nodes = 1;
  // Depth-first with an explicit stack: a deeply nested payload cannot overflow the call stack.
  const stack: { value: unknown; depth: number }[] = [{ value: payload, depth: 0 }];
  const queue = (value: unknown, depth: number) => {
    if (++nodes > limits.maxNodes) return false;
    stack.push({ value, depth });
    return true;
  };
  const tooMany = `more than ${limits.maxNodes} values`;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') bytes += value.length + 2;
    else if (value === null || typeof value !== 'object') bytes += 8;
    else {
      if (depth >= limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels`;
      if (Array.isArray(value)) {
        if (value.length > limits.maxEntries) return `a list of more than ${limits.maxEntries} items`;
        bytes += 2;
        for (const item of value) if (!queue(item, depth + 1)) return tooMany;
      } else {
        // Listing the keys is native and linear (about 0.3 s for a million); zod's walk of the
        // same object took 45 s. No value of an oversized object is read.
        const keys = Object.keys(value);
        if (keys.length > limits.maxEntries) return `an object of more than ${limits.maxEntries} keys`;
        bytes += 2;
        for (const key of keys) {
          bytes += key.length + 4;
          if (!queue((value as Record<string, unknown>)[key], depth + 1)) return tooMany;
        }
      }
    }
    if (bytes > limits.maxBytes) return `larger than ${Math.round(limits.maxBytes / 1024)} KiB`;
  }
  return null;
}
