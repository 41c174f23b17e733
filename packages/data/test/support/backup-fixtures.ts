import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

/** A SQLite bank: accounts whose balances always sum to 100 * accounts, and a ledger counted in `counter`. */
export function createBank(file: string, options: { accounts?: number; paddingMb?: number } = {}): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec(`
    CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);
    CREATE TABLE ledger (id INTEGER PRIMARY KEY, src INTEGER, dst INTEGER, amount INTEGER, at INTEGER NOT NULL);
    CREATE TABLE counter (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
    CREATE TABLE padding (id INTEGER PRIMARY KEY, blob BLOB);
    INSERT INTO counter VALUES (1, 0);
  `);
  const accounts = options.accounts ?? 50;
  const insert = db.prepare("INSERT INTO accounts (id, balance) VALUES (?, 100)");
  const pad = db.prepare("INSERT INTO padding (blob) VALUES (randomblob(65536))");
  db.transaction(() => {
    for (let i = 1; i <= accounts; i++) insert.run(i);
    for (let i = 0; i < (options.paddingMb ?? 0) * 16; i++) pad.run();
  })();
  db.close();
}

const WRITER = `
import Database from "better-sqlite3";
const db = new Database(process.argv[1]);
db.pragma("journal_mode = WAL");
db.pragma("busy_timeout = 5000");
const n = db.prepare("SELECT COUNT(*) AS n FROM accounts").get().n;
const move = db.prepare("UPDATE accounts SET balance = balance + ? WHERE id = ?");
const log = db.prepare("INSERT INTO ledger (src, dst, amount, at) VALUES (?, ?, ?, ?)");
const bump = db.prepare("UPDATE counter SET n = n + 1 WHERE id = 1");
const transfer = db.transaction((i) => {
  const a = 1 + (i % n), b = 1 + ((i * 7 + 3) % n), amount = 1 + (i % 5);
  move.run(-amount, a); move.run(amount, b); log.run(a, b, amount, Date.now()); bump.run();
});
let i = 0;
transfer(i++);
process.stdout.write("ready\\n");
for (;;) transfer(i++);
`;

/** Starts a second process that writes transfers in a loop into the bank until killed. */
export async function startWriter(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", WRITER, file], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [chunk] = (await Promise.race([once(child.stdout as NodeJS.ReadableStream, "data"), once(child, "exit")])) as [
    unknown,
  ];
  if (String(chunk) !== "ready\n") throw new Error(`the writer did not start (${String(chunk)})`);
  return child;
}

/** Checks the bank's invariants in a database file: returns the ledger size, throws when broken. */
export function checkBank(file: string): { transfers: number; total: number; integrity: string } {
  const db = new Database(file, { readonly: true });
  try {
    // One read transaction: the live database changes between statements otherwise.
    const { total, transfers, counter } = db.transaction(() => ({
      total: (db.prepare("SELECT SUM(balance) AS s FROM accounts").get() as { s: number }).s,
      transfers: (db.prepare("SELECT COUNT(*) AS n FROM ledger").get() as { n: number }).n,
      counter: (db.prepare("SELECT n FROM counter").get() as { n: number }).n,
    }))();
    const integrity = (db.pragma("integrity_check") as { integrity_check: string }[])[0]?.integrity_check ?? "";
    if (counter !== transfers) throw new Error(`ledger has ${transfers} rows but the counter says ${counter}`);
    return { transfers, total, integrity };
  } finally {
    db.close();
  }
}
