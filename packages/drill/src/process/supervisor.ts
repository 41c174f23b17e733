import { type Clock, Events, requireKnownOptions, requireOption, systemClock, type Unsubscribe } from "@nines/core";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import { freePort } from "./free-port.js";
import { InstanceSlot, type SlotContext } from "./instance-slot.js";
import type { RunDirectory } from "./run-directory.js";
import type { InstanceInfo, ServiceRun, SupervisorEvents } from "./service-run.js";

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  /** The run directory (logs, pid files, the reaper that ends everything if this process dies). */
  run: RunDirectory;
  services: readonly ServiceRun[];
  clock?: Clock;
}

/**
 * Runs every instance of every service as a child process in its own
 * process group, per zone as placed, each told its `ZONE`, `REGION`,
 * `INSTANCE` and port (`PORT` or the service's `portVariable`); waits for
 * readiness; replaces an instance that exits or fails liveness after the
 * service's `replaceDelayMs` (autohealing); kills an instance or a whole
 * zone on demand; stops everything cleanly (SIGTERM, drain, SIGKILL after
 * the grace). If this process dies, the run directory's reaper ends the
 * instances; the next run on the same directory ends any leftover.
 *
 * @example
 * const run = await RunDirectory.open(".nines/run/clicktravel");
 * const supervisor = new Supervisor({ run, services: [{ service: "web", command: "node", args: ["web.js"],
 *   placement: [{ zone: "us-central1-a", region: "us-central1", instances: 2 }], replaceDelayMs: 3000 }] });
 * supervisor.on("ready", (e) => console.log(`${e.instance} ready in ${e.startMs} ms`));
 * await supervisor.start();
 * await supervisor.killZone("us-central1-a");
 * await supervisor.stop();
 * await run.close();
 */
export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #clock: Clock;
  readonly #events = new Events<SupervisorEvents>();
  readonly #slots: InstanceSlot[] = [];
  readonly #lostZones = new Set<string>();
  readonly #extraEnv = new Map<string, Record<string, string>>();
  #stopping = false;
  #started = false;

  constructor(options: SupervisorOptions) {
    requireKnownOptions("Supervisor", options, ["run", "services", "clock"]);
    for (const s of options.services) {
      requireOption(s.placement.length > 0, "Supervisor", `services.${s.service}.placement`, "[]", "at least one zone");
      for (const p of s.placement) {
        requireOption(
          Number.isInteger(p.instances) && p.instances >= 0,
          "Supervisor",
          `services.${s.service}.placement.${p.zone}.instances`,
          p.instances,
          "an integer >= 0",
        );
      }
    }
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Subscribes to instance events (`starting`, `ready`, `exit`, `replacing`). */
  on<K extends keyof SupervisorEvents>(type: K, listener: (event: SupervisorEvents[K]) => void): Unsubscribe {
    return this.#events.on(type, listener);
  }

  /**
   * Starts every instance and resolves when all are ready. Throws
   * {@link DRILL_ERRORS.instanceStart} naming the first that failed, as
   * soon as it fails (call `stop()` to end the others).
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const ctx = this.#context();
    for (const service of this.#options.services) {
      for (const placement of service.placement) {
        for (let i = 0; i < placement.instances; i++) {
          this.#slots.push(new InstanceSlot(service, placement.zone, placement.region, i, await freePort(), ctx));
        }
      }
    }
    // The first instance to fail (by time) is the error: one that exits at once is not
    // hidden behind another that waits out its start-up limit because of it.
    await new Promise<void>((resolve, reject) => {
      let left = this.#slots.length;
      if (left === 0) resolve();
      for (const slot of this.#slots) {
        slot.start().then(() => {
          if (--left === 0) resolve();
        }, reject);
      }
    });
  }

  /** Every instance, in placement order. */
  instances(): InstanceInfo[] {
    return this.#slots.map((slot) => slot.info());
  }

  /** The zones lost by {@link killZone} and not yet restored. */
  lostZones(): string[] {
    return [...this.#lostZones];
  }

  /** Kills one instance with SIGKILL (its whole process group), as a crash; autohealing replaces it. */
  async killInstance(id: string): Promise<void> {
    await this.#slot(id).kill("killed");
  }

  /**
   * Loses a zone: SIGKILL of every instance in it, and no replacement there
   * until {@link restoreZone} (cut its network separately, with the fault proxies).
   */
  async killZone(zone: string): Promise<void> {
    const slots = this.#zoneSlots(zone);
    this.#lostZones.add(zone);
    for (const slot of slots) slot.cancelHeal();
    await Promise.all(slots.map((slot) => slot.kill("zone-lost")));
  }

  /** Brings a lost zone back: its instances start again (after their `replaceDelayMs`); resolves when ready. */
  async restoreZone(zone: string): Promise<void> {
    const slots = this.#zoneSlots(zone);
    this.#lostZones.delete(zone);
    await Promise.all(
      slots.map(async (slot) => {
        const delayMs = this.#options.services.find((s) => s.service === slot.service)?.replaceDelayMs ?? 0;
        await this.#clock.sleep(delayMs);
        if (!this.#stopping && !this.#lostZones.has(zone)) await slot.start();
      }),
    );
  }

  /**
   * Sets how many instances of `service` run in `zone` (autoscaling): new
   * ones start and the call resolves when they are ready; surplus ones
   * (the last started) stop cleanly. Returns that service's instances in
   * that zone.
   */
  async setInstances(service: string, zone: string, count: number): Promise<InstanceInfo[]> {
    requireOption(Number.isInteger(count) && count >= 0, "Supervisor", "count", count, "an integer >= 0");
    const run = this.#options.services.find((s) => s.service === service);
    const placement = run?.placement.find((p) => p.zone === zone);
    if (!run || !placement) {
      throw new DrillError(
        DRILL_ERRORS.unknownName,
        `supervisor: service "${service}" is not placed in zone "${zone}"`,
        {
          hint: `placements are ${this.#options.services.flatMap((s) => s.placement.map((p) => `${s.service}/${p.zone}`)).join(", ")}`,
        },
      );
    }
    const mine = () => this.#slots.filter((s) => s.service === service && s.zone === zone);
    const current = mine();
    if (count < current.length) {
      const surplus = current.slice(count);
      for (const slot of surplus) this.#slots.splice(this.#slots.indexOf(slot), 1);
      await Promise.all(surplus.map((slot) => slot.stop()));
    } else if (count > current.length) {
      const next = Math.max(-1, ...current.map((s) => Number(s.id.slice(s.id.lastIndexOf("-") + 1)))) + 1;
      const added: InstanceSlot[] = [];
      for (let i = 0; i < count - current.length; i++) {
        added.push(new InstanceSlot(run, zone, placement.region, next + i, await freePort(), this.#context()));
      }
      const lastOfService = this.#slots.findLastIndex((s) => s.service === service && s.zone === zone);
      this.#slots.splice(lastOfService + 1, 0, ...added);
      if (!this.#lostZones.has(zone) && !this.#stopping) await Promise.all(added.map((slot) => slot.start()));
    }
    return mine().map((slot) => slot.info());
  }

  /**
   * Sets environment variables for `service`'s instances started from now
   * on, on top of its own (`{}` removes them); {@link restartInstance}
   * applies them to running ones.
   */
  setEnv(service: string, env: Record<string, string>): void {
    this.#service(service);
    this.#extraEnv.set(service, { ...env });
  }

  /** Stops an instance cleanly (drain) and starts it again in its slot; resolves when it is ready. */
  async restartInstance(id: string): Promise<void> {
    const slot = this.#slot(id);
    await slot.stop();
    if (this.#stopping || this.#lostZones.has(slot.zone) || !this.#slots.includes(slot)) return;
    try {
      await slot.start();
    } catch (error) {
      // The autoscaler removed the slot while it started again: that stop is not a failed start.
      if (this.#slots.includes(slot) && !this.#stopping) throw error;
    }
  }

  /** Stops every instance cleanly (SIGTERM, then SIGKILL after each service's grace). Idempotent. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#slots.map((slot) => slot.stop()));
  }

  #context(): SlotContext {
    return {
      run: this.#options.run,
      clock: this.#clock,
      events: this.#events,
      mayHeal: (slot: InstanceSlot) => !this.#stopping && !this.#lostZones.has(slot.zone),
      extraEnv: (service: string) => this.#extraEnv.get(service) ?? {},
    };
  }

  #slot(id: string): InstanceSlot {
    const slot = this.#slots.find((s) => s.id === id);
    if (!slot) {
      throw new DrillError(DRILL_ERRORS.unknownName, `supervisor: no instance "${id}"`, {
        hint: `instances are ${this.#slots.map((s) => s.id).join(", ")}`,
      });
    }
    return slot;
  }

  #service(name: string): ServiceRun {
    const run = this.#options.services.find((s) => s.service === name);
    if (!run) {
      throw new DrillError(DRILL_ERRORS.unknownName, `supervisor: no service "${name}"`, {
        hint: `services are ${this.#options.services.map((s) => s.service).join(", ")}`,
      });
    }
    return run;
  }

  #zoneSlots(zone: string): InstanceSlot[] {
    const slots = this.#slots.filter((s) => s.zone === zone);
    if (slots.length === 0) {
      const zones = [...new Set(this.#slots.map((s) => s.zone))];
      throw new DrillError(DRILL_ERRORS.unknownName, `supervisor: no instance in zone "${zone}"`, {
        hint: `zones with instances are ${zones.join(", ")}`,
      });
    }
    return slots;
  }
}
