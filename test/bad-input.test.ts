// One way to mark bad input: every error a user can fix extends BadInput, so the top-level
// handlers tell it from a failure with instanceof (exit 2), never by a name or a flag.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PlanMismatch } from "../lib/backends/backend.ts";
import { MissingBinary } from "../lib/backends/redis/local-redis.ts";
import { BadInput } from "../lib/script/bad-input.ts";
import { UsageError } from "../lib/script/usage-error.ts";
import { invalidValue } from "../lib/config/config-error.ts";
import { PrerequisiteError } from "../lib/kind/prerequisites.ts";
import { brokerUnreachable } from "../lib/net/broker-unreachable.ts";
import { ToolMissingError } from "../lib/shell/tools.ts";

test("every kind of bad input is a BadInput named after its class", () => {
  const errors: [Error, string][] = [
    [new UsageError("Invalid --workers"), "UsageError"],
    [invalidValue("CHUNK_SIZE", "-4", "an integer"), "ConfigError"],
    [new PlanMismatch("r1", { totalParameters: 10, chunkSize: 2 }), "PlanMismatch"],
    [new ToolMissingError("kind"), "ToolMissingError"],
    [new PrerequisiteError("Cannot reach the Docker daemon"), "PrerequisiteError"],
    [new MissingBinary("Cannot start redis-server"), "MissingBinary"],
    [brokerUnreachable("Redis", "REDIS_URL", "redis://127.0.0.1:1", new Error("ECONNREFUSED")), "BrokerUnreachable"],
  ];
  for (const [error, name] of errors) {
    assert.ok(error instanceof BadInput, `${name} is bad input`);
    assert.equal(error.name, name);
  }
  assert.ok(!(new Error("a command failed") instanceof BadInput), "a plain failure is not");
});
