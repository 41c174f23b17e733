import { randomUUID } from "node:crypto";
import type { FailoverClient } from "@nines/data";
import { ClickTravelError } from "../runtime/errors.js";

/**
 * A booking as the API shows it.
 *
 * @example
 * const booking: Booking = { id, requestId, user: "alice", tripId: "rome-1", seats: 1, price: 129, status: "confirmed", createdAt };
 */
export interface Booking {
  id: string;
  requestId: string;
  user: string;
  tripId: string;
  seats: number;
  price: number;
  status: "confirmed" | "cancelled";
  createdAt: string;
}

/** What a client asks to book; `requestId` is its own id for this booking, reused only to retry it. */
export interface BookingRequest {
  requestId: string;
  user: string;
  tripId: string;
  seats: number;
  price: number;
}

const COLUMNS = "id, request_id, user_id, trip_id, seats, price, status, created_at";

/** The advisory lock key that serialises schema creation between instances. */
const PREPARE_LOCK = 0x0c71c4;

/**
 * Bookings in PostgreSQL, reached through a `FailoverClient` (primary and
 * synchronous standby). Booking is idempotent: the client's request id is
 * unique, so a retried booking (after a timeout, a failover, an ambiguous
 * commit) finds the first one instead of booking twice, and every
 * statement is safe to repeat, which is what lets the client's policy
 * retry ambiguous commits.
 *
 * @example
 * const bookings = new Bookings(new FailoverClient({ hosts, policy: failoverRetry({ idempotent: true }) }));
 * await bookings.prepare();
 * const { booking, created } = await bookings.book({ requestId, user: "alice", tripId: "rome-1", seats: 1, price: 129 });
 */
export class Bookings {
  readonly #db: FailoverClient;

  constructor(db: FailoverClient) {
    this.#db = db;
  }

  /**
   * Creates the table and its index when missing. Several instances start
   * at once and would race (`create ... if not exists` is not safe against
   * a concurrent twin): one statement, a transaction holding an advisory
   * lock, makes them take turns.
   */
  async prepare(): Promise<void> {
    await this.#db.query(
      `do $$ begin
         perform pg_advisory_xact_lock(${PREPARE_LOCK});
         create table if not exists bookings (
           id text primary key,
           request_id text not null unique,
           user_id text not null,
           trip_id text not null,
           seats integer not null,
           price integer not null,
           status text not null default 'confirmed',
           created_at timestamptz not null default now(),
           cancelled_at timestamptz
         );
         create index if not exists bookings_user on bookings (user_id, created_at);
       end $$`,
    );
  }

  /**
   * Books once per request id: the first call inserts (`created: true`), a
   * repeat returns the same booking (`created: false`), and a request id
   * reused for another booking is `CLICKTRAVEL_REQUEST_ID_REUSED`.
   */
  async book(request: BookingRequest, signal?: AbortSignal): Promise<{ booking: Booking; created: boolean }> {
    const inserted = await this.#db.query(
      `insert into bookings (id, request_id, user_id, trip_id, seats, price)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (request_id) do nothing
       returning ${COLUMNS}`,
      [randomUUID(), request.requestId, request.user, request.tripId, request.seats, request.price],
      signal,
    );
    const row = inserted.rows[0];
    if (row !== undefined) return { booking: bookingOf(row), created: true };
    const found = await this.#db.query(
      `select ${COLUMNS} from bookings where request_id = $1`,
      [request.requestId],
      signal,
    );
    const existing = bookingOf(found.rows[0] as Record<string, unknown>);
    if (existing.user !== request.user || existing.tripId !== request.tripId || existing.seats !== request.seats) {
      throw new ClickTravelError("conflict", `request id ${request.requestId} was used for another booking`, {
        hint: "use a new request id for a new booking; reuse it only to retry the same one",
      });
    }
    return { booking: existing, created: false };
  }

  /** The user's bookings, newest first (at most 100). */
  async list(user: string, signal?: AbortSignal): Promise<Booking[]> {
    const result = await this.#db.query(
      `select ${COLUMNS} from bookings where user_id = $1 order by created_at desc limit 100`,
      [user],
      signal,
    );
    return result.rows.map(bookingOf);
  }

  /** One booking of the user's, or undefined. */
  async get(id: string, user: string, signal?: AbortSignal): Promise<Booking | undefined> {
    const result = await this.#db.query(
      `select ${COLUMNS} from bookings where id = $1 and user_id = $2`,
      [id, user],
      signal,
    );
    const row = result.rows[0];
    return row === undefined ? undefined : bookingOf(row);
  }

  /** Cancels the user's booking; cancelling it again returns it unchanged (idempotent). */
  async cancel(id: string, user: string, signal?: AbortSignal): Promise<Booking | undefined> {
    const result = await this.#db.query(
      `update bookings set status = 'cancelled', cancelled_at = coalesce(cancelled_at, now())
       where id = $1 and user_id = $2 returning ${COLUMNS}`,
      [id, user],
      signal,
    );
    const row = result.rows[0];
    return row === undefined ? undefined : bookingOf(row);
  }

  /** The database answers a trivial query (the readiness check). */
  async ping(signal?: AbortSignal): Promise<void> {
    await this.#db.query("select 1", [], signal);
  }
}

function bookingOf(row: Record<string, unknown>): Booking {
  return {
    id: String(row["id"]),
    requestId: String(row["request_id"]),
    user: String(row["user_id"]),
    tripId: String(row["trip_id"]),
    seats: Number(row["seats"]),
    price: Number(row["price"]),
    status: row["status"] === "cancelled" ? "cancelled" : "confirmed",
    createdAt: new Date(row["created_at"] as string).toISOString(),
  };
}
