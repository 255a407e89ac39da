// Compiles every contracts/*.sol with the pinned solc (npm `solc`, standard-JSON interface,
// fixed settings and source names) and writes one artifact per deployable contract to
// contracts/artifacts/<Name>.json with stable formatting, so a rebuild is byte-for-byte equal.
//
//   node contracts/build.mjs               write the artifacts
//   node contracts/build.mjs --check       exit 1 and name every artifact that differs from a fresh compile
//   node contracts/build.mjs --out DIR     write the artifacts into DIR instead
//
// Exit codes: 0 ok, 1 drift found (--check), 2 compile error or wrong compiler, 64 bad usage.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import solc from "solc";

const PINNED_VERSION = "0.8.37";
const CONTRACTS_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(CONTRACTS_DIR, "..");
const DEFAULT_OUT = join(CONTRACTS_DIR, "artifacts");

// The settings recorded in every artifact. Changing any of them changes the bytecode.
const SETTINGS = {
  evmVersion: "paris",
  optimizer: { enabled: true, runs: 200 },
};

function parseArgs(argv) {
  const args = { check: false, out: DEFAULT_OUT };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--check") args.check = true;
    else if (argv[i] === "--out" && i + 1 < argv.length) args.out = resolve(argv[++i]);
    else {
      console.error(`build.mjs: unknown argument ${JSON.stringify(argv[i])}; expected --check or --out DIR`);
      process.exit(64);
    }
  }
  return args;
}

// Source name -> { content, sha256 }, names fixed as "contracts/<File>.sol", sorted.
function readSources() {
  const files = readdirSync(CONTRACTS_DIR).filter((f) => f.endsWith(".sol")).sort();
  const sources = {};
  for (const file of files) {
    const bytes = readFileSync(join(CONTRACTS_DIR, file));
    sources[`contracts/${file}`] = {
      content: bytes.toString("utf8"),
      sha256: createHash("sha256").update(bytes).digest("hex"),
    };
  }
  return sources;
}

function compile(sources) {
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(sources).map(([name, s]) => [name, { content: s.content }])),
    settings: {
      ...SETTINGS,
      outputSelection: {
        "*": {
          "*": [
            "abi",
            "evm.bytecode.object",
            "evm.deployedBytecode.object",
            "evm.deployedBytecode.immutableReferences",
          ],
          "": ["ast"],
        },
      },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const problems = output.errors ?? [];
  for (const p of problems) console.error(p.formattedMessage ?? p.message);
  if (problems.some((p) => p.severity === "error")) {
    console.error("build.mjs: compilation failed");
    process.exit(2);
  }
  return output;
}

// Names of the non-abstract contracts (not libraries or interfaces) defined in one source.
function deployableContracts(ast) {
  return ast.nodes
    .filter((n) => n.nodeType === "ContractDefinition" && n.contractKind === "contract" && !n.abstract)
    .map((n) => n.name);
}

// JSON with object keys sorted at every level, 2-space indent, trailing newline.
function stableStringify(value) {
  const sort = (v) => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])]));
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 2) + "\n";
}

function artifacts(sources, output, compilerVersion) {
  const result = new Map();
  for (const [sourceName, source] of Object.entries(sources)) {
    for (const name of deployableContracts(output.sources[sourceName].ast)) {
      const c = output.contracts[sourceName][name];
      const artifact = {
        contractName: name,
        sourceName,
        abi: c.abi,
        bytecode: "0x" + c.evm.bytecode.object,
        deployedBytecode: "0x" + c.evm.deployedBytecode.object,
        // Byte ranges of deployedBytecode that the constructor fills with immutables (zero
        // here): mask them when comparing with eth_getCode.
        immutableReferences: c.evm.deployedBytecode.immutableReferences ?? {},
        compiler: compilerVersion,
        settings: SETTINGS,
        sourceHash: source.sha256,
      };
      if (result.has(`${name}.json`)) {
        console.error(`build.mjs: contract name ${name} defined twice; artifact names must be unique`);
        process.exit(2);
      }
      result.set(`${name}.json`, stableStringify(artifact));
    }
  }
  return result;
}

// Names of the artifacts whose bytes differ from `expected`, plus stale and missing ones.
function drift(outDir, expected) {
  const differing = [];
  for (const [file, text] of expected) {
    const path = join(outDir, file);
    if (!existsSync(path)) differing.push(`${file} (missing)`);
    else if (readFileSync(path, "utf8") !== text) differing.push(`${file} (differs from a fresh compile)`);
  }
  if (existsSync(outDir)) {
    for (const file of readdirSync(outDir).filter((f) => f.endsWith(".json")).sort()) {
      if (!expected.has(file)) differing.push(`${file} (no contract of that name in contracts/*.sol)`);
    }
  }
  return differing;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const compilerVersion = solc.version();
  if (!compilerVersion.startsWith(PINNED_VERSION + "+")) {
    console.error(`build.mjs: solc ${compilerVersion} found, expected ${PINNED_VERSION} (see package.json)`);
    process.exit(2);
  }
  const sources = readSources();
  const expected = artifacts(sources, compile(sources), compilerVersion);
  const rel = (p) => p.startsWith(REPO_ROOT + "/") ? p.slice(REPO_ROOT.length + 1) : p;

  if (args.check) {
    const differing = drift(args.out, expected);
    if (differing.length > 0) {
      for (const d of differing) console.error(`artifact drift: ${rel(join(args.out, d))}`);
      console.error("run `node contracts/build.mjs` and commit the artifacts");
      process.exit(1);
    }
    console.log(`${expected.size} artifacts in ${rel(args.out)} match a fresh compile`);
    return;
  }
  mkdirSync(args.out, { recursive: true });
  for (const [file, text] of expected) writeFileSync(join(args.out, file), text);
  console.log(`wrote ${expected.size} artifacts to ${rel(args.out)} (solc ${compilerVersion})`);
}

main();
