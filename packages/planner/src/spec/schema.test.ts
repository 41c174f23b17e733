import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { SCHEMA_FILE, specJsonSchemaText } from "./json-schema-file.js";
import { specJsonSchema } from "./schema.js";

describe("the editors' JSON Schema", () => {
  it("is the committed file, generated from the validator's schema", () => {
    const committed = readFileSync(SCHEMA_FILE, "utf8");
    assert.ok(
      committed === specJsonSchemaText(),
      "packages/planner/schema/nines.schema.json is out of date: run `npm run schema` and commit it",
    );
  });

  it("is draft 2020-12, closed, and describes the fields editors complete", () => {
    const schema = specJsonSchema() as {
      $schema: string;
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, { description?: string; additionalProperties?: unknown }>;
    };
    assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ["name", "platform"]);
    assert.deepEqual(Object.keys(schema.properties), [
      "name",
      "objectives",
      "platform",
      "edge",
      "services",
      "stores",
      "journeys",
      "disasters",
      "costs",
    ]);
    const service = schema.properties["services"]!.additionalProperties as {
      properties: Record<string, { description?: string }>;
      required: string[];
    };
    assert.deepEqual(service.required, ["zones", "instances", "capacity", "load"]);
    for (const [key, field] of Object.entries(service.properties)) {
      assert.ok(field.description, `services.*.${key} has no description`);
    }
    const text = JSON.stringify(schema);
    assert.ok(text.includes('"pattern":"^\\\\d+(\\\\.\\\\d+)?(ms|s|m|h|d|w)?$"'), "durations carry their pattern");
  });
});
