import ts from "typescript";
import { readdirSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
const root = "/work/main";
const pk = readdirSync(join(root, "packages")).filter((p) => existsSync(join(root, "packages", p, "src", "index.ts")));
const entries = pk.map((p) => join(root, "packages", p, "src", "index.ts"));
const cfg = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.check.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
const program = ts.createProgram(entries, { ...cfg.options, noEmit: true });
const checker = program.getTypeChecker();
const out = new Set<string>();
for (const e of entries) {
  const sf = program.getSourceFile(e)!; const mod = checker.getSymbolAtLocation(sf); if (!mod) continue;
  for (const ex of checker.getExportsOfModule(mod)) {
    const s = ex.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(ex) : ex;
    for (const d of s.declarations ?? []) {
      const visit = (n: ts.Node) => {
        if ((ts.isPropertySignature(n) || ts.isPropertyDeclaration(n) || ts.isParameter(n)) && n.name && ts.isIdentifier(n.name)) {
          const t = n.type?.getText() ?? "";
          if (/\bnumber\b/.test(t)) {
            const f = n.getSourceFile(); const line = f.getLineAndCharacterOfPosition(n.getStart()).line + 1;
            out.add(`${n.name.text}\t${relative(root, f.fileName)}:${line}\t${s.name}`);
          }
        }
        ts.forEachChild(n, visit);
      };
      visit(d);
    }
  }
}
for (const l of [...out].sort()) console.log(l);
