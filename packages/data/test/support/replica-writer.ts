// The application of the crash tests, in a process of its own: commits
// ledger transactions to DB until it is killed, about RATE per second (0:
// as fast as it can), every 25th one a larger multi-page transaction.
// Prints "ready" once its first transaction is committed.
//   replica-writer.ts DB RATE
import { commitOne, openAppDb } from "./replica-fixtures.js";

const [file, rateText] = process.argv.slice(2) as [string, string];
const rate = Number(rateText);
const db = openAppDb(file);
let n = 0;
const started = performance.now();
for (;;) {
  commitOne(db, n % 25 === 24 ? 6000 : 60);
  n++;
  if (n === 1) process.stdout.write("ready\n");
  if (rate > 0) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  } else if (n % 100 === 0) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}
