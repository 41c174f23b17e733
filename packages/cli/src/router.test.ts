import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runMain } from "../test/support/run-main.js";

describe("the router", () => {
  it("prints a command's own help for `help CMD`, `CMD --help` and `CMD -h`", async () => {
    for (const argv of [
      ["help", "plan"],
      ["plan", "--help"],
      ["plan", "spec.yaml", "-h"],
    ]) {
      const r = await runMain(argv);
      assert.equal(r.status, 0, argv.join(" "));
      assert.match(r.out, /^Usage: nines plan FILE \[options\]\n/, argv.join(" "));
      assert.equal(r.err, "");
    }
  });

  it("prints a data command's help, not the whole data help, at every level", async () => {
    for (const argv of [
      ["data", "backup", "--help"],
      ["help", "data", "backup"],
      ["data", "help", "backup"],
    ]) {
      const r = await runMain(argv);
      assert.equal(r.status, 0, argv.join(" "));
      assert.match(r.out, /^Usage: nines data backup --db FILE\|URL/, argv.join(" "));
      assert.doesNotMatch(r.out, /nines data restore/);
    }
    const trash = await runMain(["data", "trash", "restore", "--help"]);
    assert.match(trash.out, /^Usage: nines data trash restore TABLE KEY/);
    const group = await runMain(["data", "--help"]);
    assert.match(group.out, /^Usage: nines data <command> \[options\]\n/);
    assert.match(group.out, /^ {2}backups +list the backups/m);
  });

  it("suggests the closest command at every level, naming the command path once", async () => {
    const cases: [string[], RegExp][] = [
      [["plna"], /^error NINES_CLI_UNKNOWN_COMMAND: nines: unknown command 'plna'; did you mean 'nines plan'\?\n/],
      [
        ["data", "bakup"],
        /^error NINES_CLI_UNKNOWN_COMMAND: nines data: unknown command 'bakup'; did you mean 'nines data backup'\?\n/,
      ],
      [
        ["data", "trash", "lst", "--db", "x"],
        /^error NINES_CLI_UNKNOWN_COMMAND: nines data trash: unknown command 'lst'; did you mean 'nines data trash list'\?\n {2}hint: run 'nines data trash --help' to list the commands\n$/,
      ],
      [["help", "data", "purj"], /unknown command 'purj'; did you mean 'nines data purge'\?/],
    ];
    for (const [argv, expected] of cases) {
      const r = await runMain(argv);
      assert.equal(r.status, 2, argv.join(" "));
      assert.match(r.err, expected);
      assert.doesNotMatch(r.err, /(nines[a-z ]*: ).*\1/, "no repeated prefix");
    }
  });

  it("says a command is missing before an option, and lists the commands when none is given", async () => {
    const option = await runMain(["data", "--db", "app.db"]);
    assert.equal(option.status, 2);
    assert.match(option.err, /^error NINES_CLI_USAGE: nines data: expected a command before the option '--db'\n/);
    const none = await runMain(["data", "trash"]);
    assert.equal(none.status, 2);
    assert.match(none.out, /^Usage: nines data trash <command>/);
    assert.match(none.out, /^ {2}empty +empty the user's trash/m);
  });

  it("prints errors as JSON on stdout with --json, and a stack only with NINES_DEBUG", async () => {
    const json = await runMain(["data", "hold", "notes", "1", "--json", "--reasn", "x"]);
    assert.equal(json.status, 2);
    assert.equal(json.err, "");
    assert.deepEqual(JSON.parse(json.out), {
      error: {
        code: "NINES_CLI_UNKNOWN_OPTION",
        message: "nines data hold: unknown option '--reasn'; did you mean '--reason'?",
        hint: "run 'nines data hold --help' for the options",
      },
    });
    const plain = await runMain(["plan"]);
    assert.doesNotMatch(plain.err, /\n\s+at /);
    const debug = await runMain(["plan"], { env: { NINES_DEBUG: "1" } });
    assert.match(debug.err, /^CliError: nines plan: expected FILE, got none\n\s+at /m);
  });
});
