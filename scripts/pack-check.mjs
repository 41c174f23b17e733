#!/usr/bin/env node
// Installs the packages as a user would and checks that they work there:
//  1. builds them (stale outputs of deleted sources removed first, since
//     they would be packed);
//  2. `npm pack`s every publishable workspace package (not "private") and
//     checks each tarball: README, LICENSE, every export and bin present, no
//     test file, every source map pointing at a file in the tarball, and
//     declarations that import only what the package depends on (an entry
//     point other than "." may import its optional peer, e.g.
//     @nines/guard/fastify and fastify);
//  3. creates a project in os.tmpdir() that installs the tarballs with npm
//     (third-party dependencies from the registry or npm's cache; never an
//     @nines package from the registry), plus TypeScript, @types/node,
//     Fastify and Express;
//  4. type-checks scripts/pack-check/consumer.ts and the first TypeScript
//     example of every package README with skipLibCheck: false and strict
//     settings;
//  5. runs scripts/pack-check/smoke.mjs (one real use of each package) and
//     `npx nines validate` on the README's spec.
// Usage: node scripts/pack-check.mjs [--keep]   (--keep leaves the temp dirs)
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";

const root = new URL("..", import.meta.url).pathname;
const keep = process.argv.includes("--keep");
const started = performance.now();
const problems = [];

function phase(name) {
  console.log(`== pack-check: ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 300_000,
    ...options,
  });
  if (result.status !== 0) {
    const where = options.cwd ?? root;
    throw new Error(
      `${command} ${args.join(" ")} (in ${where}) failed with ${result.status ?? result.signal}\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

/** The publishable workspace packages, and their manifests. */
function publishable() {
  const all = readJson(join(root, "package.json")).workspaces.map((dir) => ({
    dir: join(root, dir),
    manifest: readJson(join(root, dir, "package.json")),
  }));
  const privateNames = new Set(all.filter((p) => p.manifest.private).map((p) => p.manifest.name));
  const packages = all.filter((p) => !p.manifest.private);
  for (const { manifest } of packages) {
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      if (privateNames.has(dep)) problems.push(`${manifest.name} depends on ${dep}, which is private: publish it too`);
    }
  }
  return packages;
}

/** dist files whose source is gone: tsc -b never deletes them, npm pack would ship them. */
function removeStaleOutputs(dir) {
  for (const file of walk(join(dir, "dist"))) {
    const output = relative(join(dir, "dist"), file);
    const base = output.replace(/(\.d)?\.(js|ts)(\.map)?$/, "");
    if (base === output) continue; // not an output of tsc
    if (!existsSync(join(dir, "src", `${base}.ts`))) unlinkSync(file);
  }
}

/** The modules a declaration file imports (comments and examples in them do not count). */
function importsOf(text) {
  const info = ts.preProcessFile(text, true, true);
  return [
    ...info.importedFiles.map((ref) => ref.fileName),
    ...info.typeReferenceDirectives.map((ref) => `@types/${ref.fileName}`),
  ];
}

const packageOf = (specifier) =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];

/** Checks one unpacked tarball (`dir` is its `package/`). */
function checkTarball(dir, manifest) {
  const name = manifest.name;
  const files = walk(dir).map((f) => relative(dir, f));
  for (const required of ["README.md", "LICENSE", "package.json"]) {
    if (!files.includes(required)) problems.push(`${name}: the tarball has no ${required}`);
  }
  for (const file of files) {
    if (/\.test\.(ts|js|d\.ts)$/.test(file) || file.endsWith(".tsbuildinfo")) {
      problems.push(`${name}: the tarball ships ${file}`);
    }
  }
  for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
    for (const [condition, path] of Object.entries(target)) {
      if (!existsSync(join(dir, path))) problems.push(`${name}: exports["${entry}"].${condition} ${path} is missing`);
    }
  }
  for (const [bin, path] of Object.entries(manifest.bin ?? {})) {
    if (!existsSync(join(dir, path))) problems.push(`${name}: bin ${bin} (${path}) is missing`);
  }
  // Source maps resolve: every "sources" entry names a shipped file.
  for (const file of files.filter((f) => f.endsWith(".map"))) {
    const map = readJson(join(dir, file));
    for (const source of map.sources ?? []) {
      const path = normalize(join(dirname(join(dir, file)), map.sourceRoot ?? "", source));
      if (!existsSync(path)) problems.push(`${name}: ${file} points at ${relative(dir, path)}, not in the tarball`);
    }
  }
  // Declarations reachable from each entry import only what the package
  // depends on; an entry other than "." may also import an optional peer.
  const hard = new Set([name, ...Object.keys(manifest.dependencies ?? {})]);
  const peers = new Set(Object.keys(manifest.peerDependencies ?? {}));
  for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
    const seen = new Set();
    const queue = [normalize(join(dir, target.types))];
    while (queue.length > 0) {
      const file = queue.pop();
      if (seen.has(file) || !existsSync(file)) continue;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const specifier of importsOf(text)) {
        if (specifier.startsWith(".")) {
          queue.push(normalize(join(dirname(file), specifier.replace(/\.js$/, ".d.ts"))));
          continue;
        }
        if (specifier.startsWith("node:")) continue;
        const pkg = packageOf(specifier);
        const allowed = hard.has(pkg) || (peers.has(pkg) && (entry !== "." || pkg === "@types/node"));
        if (!allowed) {
          problems.push(
            `${name}: ${relative(dir, file)} (reached from "${entry}") imports ${specifier}, ` +
              `which is not a dependency${peers.has(pkg) ? " (an optional peer: keep it out of the main entry)" : ""}`,
          );
        }
      }
    }
  }
}

/** The first fenced block of `lang` in a Markdown file. */
function firstBlock(file, lang) {
  const match = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(readFileSync(file, "utf8"));
  return match?.[1];
}

/**
 * better-sqlite3 installs a prebuilt binary (prebuild-install downloads it
 * from GitHub) or compiles one, minutes on a busy machine. This checkout's
 * binary is handed to prebuild-install as a local prebuild, the file it
 * would download; when the new project resolves another version, it finds
 * none and downloads or compiles as usual.
 */
function localSqlitePrebuild(work) {
  const sqlite = join(root, "node_modules", "better-sqlite3");
  const binary = join("build", "Release", "better_sqlite3.node");
  if (!existsSync(join(sqlite, binary))) return {};
  const { version } = readJson(join(sqlite, "package.json"));
  const dir = join(work, "prebuilds");
  mkdirSync(dir, { recursive: true });
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  run("tar", ["czf", join(dir, name), "-C", sqlite, binary]);
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}

const installed = (pkg) => readJson(join(root, "node_modules", pkg, "package.json")).version;

const work = mkdtempSync(join(tmpdir(), "nines-pack-check-"));
try {
  const packages = publishable();

  phase("build");
  for (const { dir } of packages) removeStaleOutputs(dir);
  run("npx", ["tsc", "-b", ...packages.map(({ dir }) => relative(root, dir))]);

  phase(`npm pack (${packages.map((p) => p.manifest.name).join(", ")})`);
  const tarballs = join(work, "tarballs");
  mkdirSync(tarballs);
  const specs = {};
  for (const { dir, manifest } of packages) {
    const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", tarballs], { cwd: dir }));
    const tarball = join(tarballs, packed.filename);
    specs[manifest.name] = `file:${tarball}`;
    const unpacked = join(work, "unpacked", packed.filename);
    mkdirSync(unpacked, { recursive: true });
    run("tar", ["xzf", tarball, "-C", unpacked]);
    checkTarball(join(unpacked, "package"), manifest);
    console.log(`  ${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB`);
  }

  phase("install the tarballs in a fresh project");
  const project = join(work, "consumer");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify(
      {
        name: "nines-consumer",
        private: true,
        type: "module",
        dependencies: { ...specs, express: installed("express"), fastify: installed("fastify") },
        devDependencies: {
          "@types/express": installed("@types/express"),
          "@types/node": installed("@types/node"),
          typescript: installed("typescript"),
        },
        // The tarballs' own @nines dependencies resolve to the tarballs, never to the registry.
        overrides: specs,
      },
      null,
      2,
    )}\n`,
  );
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: project,
    env: { ...process.env, ...localSqlitePrebuild(work) },
    timeout: 900_000,
  });
  const lock = readJson(join(project, "package-lock.json")).packages;
  for (const [path, entry] of Object.entries(lock)) {
    const name = path.replace(/^.*node_modules\//, "");
    if (specs[name] && !String(entry.resolved).startsWith("file:")) {
      problems.push(`${path} was installed from ${entry.resolved}, not from the tarball`);
    }
  }

  phase("type-check a consumer (skipLibCheck: false, strict)");
  copyFileSync(join(root, "scripts", "pack-check", "consumer.ts"), join(project, "consumer.ts"));
  const checked = ["consumer.ts"];
  for (const { dir, manifest } of packages) {
    const example = firstBlock(join(dir, "README.md"), "ts");
    if (!example) continue;
    const file = `readme-${manifest.name.split("/")[1]}.ts`;
    writeFileSync(join(project, file), example);
    checked.push(file);
  }
  writeFileSync(
    join(project, "tsconfig.json"),
    `${JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: false,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          noImplicitOverride: true,
          noEmit: true,
          types: ["node"],
        },
        files: checked,
      },
      null,
      2,
    )}\n`,
  );
  const typecheck = spawnSync("npx", ["tsc", "-p", "."], { cwd: project, encoding: "utf8" });
  if (typecheck.status !== 0) problems.push(`the consumer does not compile:\n${typecheck.stdout}${typecheck.stderr}`);
  else console.log(`  ${checked.join(", ")}: no error`);

  phase("smoke tests");
  writeFileSync(join(project, "nines.yaml"), firstBlock(join(root, "README.md"), "yaml") ?? "");
  copyFileSync(join(root, "scripts", "pack-check", "smoke.mjs"), join(project, "smoke.mjs"));
  const smoke = spawnSync(process.execPath, ["smoke.mjs"], { cwd: project, encoding: "utf8", timeout: 120_000 });
  process.stdout.write(smoke.stdout);
  if (smoke.status !== 0) problems.push(`the smoke test failed (${smoke.status ?? smoke.signal}):\n${smoke.stderr}`);
  const validate = spawnSync("npx", ["--no", "nines", "validate", "nines.yaml"], { cwd: project, encoding: "utf8" });
  if (validate.status !== 0) {
    problems.push(`npx nines validate exited ${validate.status}:\n${validate.stdout}${validate.stderr}`);
  } else console.log(`  cli: npx nines validate nines.yaml: ${validate.stdout.trim()}`);
} catch (error) {
  problems.push(error instanceof Error ? error.message : String(error));
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (problems.length > 0) {
  console.error(`pack-check: ${problems.length} problem(s) in ${seconds} s:\n- ${problems.join("\n- ")}`);
  process.exitCode = 1;
} else {
  console.log(`pack-check: every package installs, compiles and runs outside the tree (${seconds} s)`);
}
