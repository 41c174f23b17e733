/**
 * Where a replica keeps its objects in a target (a directory or an S3
 * prefix given to `nines data replicate --to`):
 *
 *     generations/<generation>/generation.json
 *     generations/<generation>/snapshots/<seq>-<at>.snapshot
 *     generations/<generation>/segments/<seq>-<last commit at>.segment
 *     verifications/<time>-<generation>.<seq>.json
 *
 * A generation id sorts by its start time (`20261129T071500000Z-3fa2c1`);
 * `seq` is ten digits, so names sort in chain order; times are UTC
 * (`20261129T071503120Z`) so a listing alone tells which objects cover a
 * point in time.
 */
export const GENERATIONS = "generations/";

const SEQ_DIGITS = 10;
const GENERATION = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;
const OBJECT = /^(\d{10})-(\d{8}T\d{9}Z)\.(snapshot|segment)$/;

/** A time as it appears in names: `20261129T071503120Z`. */
export function stamp(at: number): string {
  return new Date(at).toISOString().replace(/[-:.]/g, "");
}

/** The epoch ms of a {@link stamp}. */
export function parseStamp(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(text);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, ms);
}

function pad(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, "0");
}

/** The generation's description. */
export function generationKey(generation: string): string {
  return `${GENERATIONS}${generation}/generation.json`;
}

/** A snapshot: the database as it was before segment `seq` of its generation, at `at`. */
export function snapshotKey(generation: string, seq: number, at: number): string {
  return `${GENERATIONS}${generation}/snapshots/${pad(seq)}-${stamp(at)}.snapshot`;
}

/** A segment: frames of the log, ending with a commit seen at `lastCommitAt`. */
export function segmentKey(generation: string, seq: number, lastCommitAt: number): string {
  return `${GENERATIONS}${generation}/segments/${pad(seq)}-${stamp(lastCommitAt)}.segment`;
}

/** True for a string shaped like a generation id. */
export function isGenerationId(id: string): boolean {
  return GENERATION.test(id);
}

/** What a key under `generations/` is. */
export type ReplicaKey =
  | { kind: "generation"; generation: string }
  | { kind: "snapshot" | "segment"; generation: string; seq: number; at: number };

/**
 * Parses a key of a replica's layout; undefined for anything else.
 *
 * @example
 * parseReplicaObjectKey("generations/20261129T071500000Z-3fa2c1/segments/0000000041-20261129T071503120Z.segment");
 * // { kind: "segment", generation: "20261129T071500000Z-3fa2c1", seq: 41, at: 1795936503120 }
 */
export function parseReplicaObjectKey(key: string): ReplicaKey | undefined {
  const parts = key.split("/");
  if (parts[0] !== "generations" || !isGenerationId(parts[1] ?? "")) return undefined;
  const generation = parts[1] as string;
  if (parts.length === 3 && parts[2] === "generation.json") return { kind: "generation", generation };
  if (parts.length !== 4) return undefined;
  const m = OBJECT.exec(parts[3] as string);
  if (!m) return undefined;
  const kind = m[3] as "snapshot" | "segment";
  if (parts[2] !== `${kind}s`) return undefined;
  const at = parseStamp(m[2] as string);
  if (Number.isNaN(at)) return undefined;
  return { kind, generation, seq: Number(m[1]), at };
}
