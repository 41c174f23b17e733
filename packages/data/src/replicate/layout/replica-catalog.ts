import type { BackupTarget } from "../../backup/targets/target.js";
import { replicaError } from "../errors.js";
import { GENERATIONS, generationKey, parseReplicaObjectKey } from "./replica-keys.js";

/** A snapshot or segment as its name describes it. */
export interface ReplicaObjectRef {
  key: string;
  seq: number;
  /** A snapshot's time, or a segment's last commit time (epoch ms). */
  at: number;
}

/** One lineage of the database: a first snapshot and the segments that follow it, with later snapshots. */
export interface ReplicaGeneration {
  id: string;
  /** Whether its `generation.json` is there. */
  hasInfo: boolean;
  /** By `seq`, then time. */
  snapshots: ReplicaObjectRef[];
  segments: ReplicaObjectRef[];
}

/** What is at a replica location, oldest generation first. */
export interface ReplicaCatalog {
  location: string;
  generations: ReplicaGeneration[];
}

/**
 * What a generation is, written as `generation.json` when it starts (before
 * its first snapshot).
 *
 * @example
 * { "format": 1, "generation": "20261129T071500000Z-3fa2c1", "createdAt": 1795936500000,
 *   "reason": "first replication of this database", "source": "/srv/app.db", "pageSize": 4096, "keyId": null }
 */
export interface GenerationInfo {
  format: 1;
  generation: string;
  createdAt: number;
  /** Why a new lineage started here: first run, the log restarted while stopped, the file was replaced... */
  reason: string;
  source: string;
  pageSize: number;
  /** The id of the key its objects are encrypted with, or null. */
  keyId: string | null;
  /** The generation before it, when there was one. */
  previous?: string;
}

const bySeq = (a: ReplicaObjectRef, b: ReplicaObjectRef) => a.seq - b.seq || a.at - b.at;

/**
 * Lists a replica location from key names alone (no object is read). A
 * local folder that does not exist is `NINES_BACKUP_LOCATION_MISSING`, as
 * for backups.
 *
 * @example
 * const { generations } = await listReplica(openTarget("s3://replicas/app"));
 * generations.at(-1)?.segments.at(-1)?.at; // the newest commit stored
 */
export async function listReplica(target: BackupTarget): Promise<ReplicaCatalog> {
  const generations = new Map<string, ReplicaGeneration>();
  for (const key of await target.list(GENERATIONS)) {
    const parsed = parseReplicaObjectKey(key);
    if (!parsed) continue;
    let generation = generations.get(parsed.generation);
    if (!generation) {
      generation = { id: parsed.generation, hasInfo: false, snapshots: [], segments: [] };
      generations.set(parsed.generation, generation);
    }
    if (parsed.kind === "generation") generation.hasInfo = true;
    else
      (parsed.kind === "snapshot" ? generation.snapshots : generation.segments).push({
        key,
        seq: parsed.seq,
        at: parsed.at,
      });
  }
  const sorted = [...generations.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const g of sorted) {
    g.snapshots.sort(bySeq);
    g.segments.sort(bySeq);
  }
  return { location: target.location, generations: sorted };
}

/** True when the location holds replica objects (so a restore from it is a point-in-time restore). */
export async function isReplica(target: BackupTarget): Promise<boolean> {
  return (await target.list(GENERATIONS)).some((key) => parseReplicaObjectKey(key) !== undefined);
}

/**
 * Reads a generation's `generation.json`.
 *
 * @example
 * const info = await readGenerationInfo(target, generation.id); // info.keyId
 */
export async function readGenerationInfo(target: BackupTarget, generation: string): Promise<GenerationInfo> {
  const key = generationKey(generation);
  let value: Partial<GenerationInfo> | undefined;
  try {
    value = JSON.parse(new TextDecoder().decode(await target.read(key))) as Partial<GenerationInfo>;
  } catch (error) {
    throw replicaError("corrupt", `${key} in ${target.location} cannot be read: ${(error as Error).message}`, {
      hint: "restore from another target, or a generation before this one",
      cause: error,
    });
  }
  if (value?.format !== 1 || value.generation !== generation || typeof value.pageSize !== "number") {
    throw replicaError("corrupt", `${key} in ${target.location} is not a generation description of ${generation}`, {
      hint: "restore from another target, or a generation before this one",
    });
  }
  return value as GenerationInfo;
}
