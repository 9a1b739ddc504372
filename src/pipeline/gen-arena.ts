// Where the main thread puts .gen chunks so that the workers parse them in place: one shared
// WebAssembly memory holding the parsers' tables, a header, each worker's parser scratch (dosages,
// blank index) and a fixed set of chunk slots. The reader decompresses into a free slot, the
// worker's parser reads the slot where it is, and the slot comes back when the chunk's rows are
// merged, instead of a copy into each worker's memory (docs/decisions/0004).
import { GEN_TABLES_BYTES, genScratchBytes, type GenArenaPlace } from '../formats/gen/probs-wasm.js';
import { PAGE } from '../wasm/modules.js';
import type { WorkerInit } from '../workers/protocol.js';

const align64 = (x: number) => Math.ceil(x / 64) * 64;

// The arena's layout (the one definition; workers find their place with claimGenArenaPlace):
//   [0, GEN_TABLES_BYTES)       the parsers' read-only tables (the module's own layout)
//   HEADER: 64 bytes            i32 at +0: how many workers took a place (Atomics)
//   PLACES: places x scratch    worker i's parser scratch at PLACES + i * scratchBytes
//   slots                       chunk slots, 64-aligned
const HEADER = GEN_TABLES_BYTES;
const PLACES = HEADER + 64;

/**
 * This worker's place in the arena of `init`, if there is one left (a restarted worker has none:
 * its chunks are then copied, as without an arena).
 */
export function claimGenArenaPlace(arena: NonNullable<WorkerInit['genArena']>): GenArenaPlace | null {
  const i = Atomics.add(new Int32Array(arena.memory.buffer, HEADER, 1), 0, 1);
  return i < arena.places ? { memory: arena.memory, base: PLACES + i * arena.scratchBytes } : null;
}

// An arena larger than this is not worth reserving (very large --chunk-size): buffers instead.
const MAX_ARENA = 1 << 30;

export class GenArena {
  readonly memory: WebAssembly.Memory;
  readonly scratchBytes: number;
  /** Bytes a slot hands out (64 more are kept past them for the parser's zero padding). */
  readonly slotRoom: number;
  private free: number[] = [];

  private constructor(
    memory: WebAssembly.Memory,
    scratchBytes: number,
    private readonly slotsAt: number,
    private readonly slots: number,
    private readonly slotBytes: number,
  ) {
    this.memory = memory;
    this.scratchBytes = scratchBytes;
    this.slotRoom = slotBytes - 64;
    this.reset();
  }

  /**
   * Every slot free again. Called between files, when every chunk has been merged: the reader's
   * last buffer of a file (room for a tail that never came) is otherwise never handed back.
   */
  reset(): void {
    this.free.length = 0;
    for (let i = this.slots - 1; i >= 0; i--) this.free.push(this.slotsAt + i * this.slotBytes);
  }

  /**
   * An arena for `places` workers of nSamples-sample lines and `slots` chunks of up to `room` bytes,
   * or null where shared WebAssembly memory is unavailable or the arena would be too large.
   */
  static create(nSamples: number, places: number, slots: number, room: number): GenArena | null {
    const scratchBytes = genScratchBytes(nSamples);
    const slotBytes = align64(room + 64);
    const slotsAt = align64(PLACES + places * scratchBytes);
    const total = slotsAt + slots * slotBytes;
    if (total > MAX_ARENA) return null;
    const pages = Math.ceil(total / PAGE);
    try {
      // `shared` is in the threads proposal (Node 20's V8 has it); TypeScript's lib does not know it yet.
      const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true } as { initial: number; maximum: number });
      return new GenArena(memory, scratchBytes, slotsAt, slots, slotBytes);
    } catch {
      return null;
    }
  }

  /** A free slot of at least minBytes (its whole room), or null. */
  take(minBytes: number): Uint8Array | null {
    if (minBytes > this.slotRoom || this.free.length === 0) return null;
    return new Uint8Array(this.memory.buffer, this.free.pop()!, this.slotRoom);
  }

  give(slot: number): void {
    this.free.push(slot);
  }

  /** Whether b is a view of this arena (its byteOffset is then its slot). */
  holds(b: Uint8Array): boolean {
    return b.buffer === this.memory.buffer;
  }
}
