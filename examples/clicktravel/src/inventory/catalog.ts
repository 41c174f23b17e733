import { type Actor, type DataConnection, declareTables, LifecycleStore, type Row } from "@nines/data";

/**
 * Who owns the catalogue: every trip and reservation belongs to the
 * operator, and the inventory service acts as the operator, so a trip
 * deleted by mistake is in the operator's trash, where it is restored.
 */
export const OPERATOR: Actor = { id: "clicktravel" };

/**
 * The tables under lazy deletion: a reservation is a child of its trip, so
 * deleting a trip moves its reservations to the trash with it, and
 * restoring the trip brings them back; a client request id is unique
 * among live reservations.
 *
 * @example
 * const store = await LifecycleStore.open({ connection, declaration: CATALOG });
 */
export const CATALOG = declareTables({
  trashDays: 30,
  softDays: 30,
  tables: {
    trips: { key: "id", owner: "operator" },
    reservations: {
      key: "id",
      owner: "operator",
      unique: [["request_id"]],
      parents: [{ table: "trips", column: "trip_id" }],
    },
  },
});

/** A trip of the seed catalogue. */
interface SeedTrip {
  id: string;
  origin: string;
  destination: string;
  departs: string;
  price: number;
  seats: number;
}

/**
 * The catalogue a new database starts with. The last trip is the planted
 * query of death: its departure was stored corrupt, and the detail route
 * formats it in a callback (see `tripDetail`), so asking for it crashes
 * the process: what the quarantine and the drill's query-of-death
 * scenario are for.
 */
export const SEED_TRIPS: readonly SeedTrip[] = [
  { id: "rome-1", origin: "London", destination: "Rome", departs: "2027-05-01T08:00:00Z", price: 129, seats: 180 },
  { id: "rome-2", origin: "Paris", destination: "Rome", departs: "2027-05-02T09:30:00Z", price: 99, seats: 150 },
  { id: "paris-1", origin: "New York", destination: "Paris", departs: "2027-05-03T18:00:00Z", price: 420, seats: 300 },
  { id: "paris-2", origin: "London", destination: "Paris", departs: "2027-05-04T07:15:00Z", price: 79, seats: 120 },
  {
    id: "tokyo-1",
    origin: "San Francisco",
    destination: "Tokyo",
    departs: "2027-05-05T11:00:00Z",
    price: 780,
    seats: 280,
  },
  { id: "lisbon-1", origin: "Madrid", destination: "Lisbon", departs: "2027-05-06T14:45:00Z", price: 59, seats: 90 },
  { id: "berlin-1", origin: "Chicago", destination: "Berlin", departs: "2027-05-07T16:20:00Z", price: 510, seats: 250 },
  { id: "nyc-1", origin: "London", destination: "New York", departs: "2027-05-08T10:00:00Z", price: 450, seats: 320 },
  {
    id: "sydney-1",
    origin: "Singapore",
    destination: "Sydney",
    departs: "2027-05-09T22:10:00Z",
    price: 610,
    seats: 260,
  },
  { id: "oslo-1", origin: "Berlin", destination: "Oslo", departs: "2027-05-10T06:50:00Z", price: 89, seats: 4 },
  { id: "atlantis", origin: "Nowhere", destination: "Atlantis", departs: "sunk", price: 1, seats: 10 },
];

/**
 * Creates the tables when missing, prepares them for lazy deletion, and
 * seeds the catalogue into a database that has never held a trip (a
 * catalogue whose trips were all deleted is not reseeded: they are in the
 * trash). Safe when several instances start at once on one database.
 *
 * @example
 * const store = await openCatalog(await openDatabase("inventory.db"));
 */
export async function openCatalog(connection: DataConnection): Promise<LifecycleStore> {
  const schema = connection.kysely.schema;
  await schema
    .createTable("trips")
    .ifNotExists()
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("operator", "text", (c) => c.notNull())
    .addColumn("origin", "text", (c) => c.notNull())
    .addColumn("destination", "text", (c) => c.notNull())
    .addColumn("departs", "text", (c) => c.notNull())
    .addColumn("price", "integer", (c) => c.notNull())
    .addColumn("seats", "integer", (c) => c.notNull())
    .execute();
  await schema
    .createTable("reservations")
    .ifNotExists()
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("operator", "text", (c) => c.notNull())
    .addColumn("trip_id", "text", (c) => c.notNull())
    .addColumn("request_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("seats", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  const store = await LifecycleStore.open({ connection, declaration: CATALOG });
  const stored = await connection.kysely
    .selectFrom("trips")
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirst();
  if (Number(stored?.["n"] ?? 0) === 0) {
    for (const trip of SEED_TRIPS) await seed(connection, store, trip);
  }
  return store;
}

async function seed(connection: DataConnection, store: LifecycleStore, trip: SeedTrip): Promise<void> {
  try {
    await store.insert(OPERATOR, "trips", { ...trip } as Row);
  } catch (error) {
    // Another instance seeding the same database at the same moment: its row is as good as ours.
    const row = await connection.kysely.selectFrom("trips").select("id").where("id", "=", trip.id).executeTakeFirst();
    if (row === undefined) throw error;
  }
}
