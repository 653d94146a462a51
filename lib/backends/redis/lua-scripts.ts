// Server-side scripts: each is atomic, which is what makes loading race-safe and
// a result's acceptance and its ack one step.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export type LuaScript = { source: string; sha: string };

function script(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/** Runs a script by sha, sending its source only the first time the server sees it. */
export async function runLua(client: Redis, s: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
  try {
    return await client.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!String((error as Error).message).includes("NOSCRIPT")) throw error;
    return client.eval(s.source, keys.length, ...keys, ...args);
  }
}

/**
 * Loads the next batch of a run's chunks. KEYS: meta, tasks.
 * ARGV: runId, totalChunks, chunkSize, totalParameters, batch, createdAt.
 * Returns loadedUpTo after the batch. Chunk ids and loadedUpTo move together, so two
 * loaders never add a chunk twice and a crashed loader's successor resumes where it stopped.
 */
export const LOAD_BATCH = script(`
local meta, tasks = KEYS[1], KEYS[2]
local total, size, params, batch = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local existing = redis.call('HGET', meta, 'totalChunks')
if existing then
  if tonumber(existing) ~= total or tonumber(redis.call('HGET', meta, 'chunkSize')) ~= size
     or tonumber(redis.call('HGET', meta, 'totalParameters')) ~= params then
    return redis.error_reply('PLAN_MISMATCH run ' .. ARGV[1] .. ' exists with ' ..
      redis.call('HGET', meta, 'totalParameters') .. ' params in chunks of ' .. redis.call('HGET', meta, 'chunkSize'))
  end
else
  redis.call('HSET', meta, 'totalChunks', ARGV[2], 'chunkSize', ARGV[3], 'totalParameters', ARGV[4],
    'loadedUpTo', '0', 'createdAt', ARGV[6])
end
local from = tonumber(redis.call('HGET', meta, 'loadedUpTo'))
local to = math.min(total, from + batch)
for c = from, to - 1 do
  local s = c * size
  local e = math.min(params, s + size)
  redis.call('XADD', tasks, '*', 'run_id', ARGV[1], 'chunk_id', string.format('%.0f', c),
    'start', string.format('%.0f', s), 'end', string.format('%.0f', e))
end
redis.call('HSET', meta, 'loadedUpTo', string.format('%.0f', to))
return to
`);

/**
 * Extends the leases this consumer still holds. KEYS: tasks. ARGV: group, consumer, id...
 * Returns the 1-based positions (among the ids) of the entries no longer held by this consumer.
 */
export const RENEW = script(`
local lost, held = {}, {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 0 or p[1][2] ~= ARGV[2] then lost[#lost + 1] = i - 2 else held[#held + 1] = ARGV[i] end
end
for i = 1, #held, 500 do
  local args = { 'XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0 }
  for j = i, math.min(i + 499, #held) do args[#args + 1] = held[j] end
  args[#args + 1] = 'JUSTID'
  redis.call(unpack(args))
end
return lost
`);

/**
 * Accepts a batch's results and acks their tasks in one step: the first result of a chunk is
 * kept, a later one is counted as a duplicate and discarded. The accepted results of the batch
 * become one entry of the results stream (data: a JSON array). KEYS: tasks, results, done, stats.
 * ARGV: group, worker, runId, then entryId, chunkId, resultJson for each chunk.
 * Returns 1 (accepted) or 0 (duplicate) per chunk, in order.
 */
export const COMPLETE = script(`
local accepted, verdicts, ids = {}, {}, {}
for i = 4, #ARGV, 3 do
  ids[#ids + 1] = ARGV[i]
  if redis.call('HSETNX', KEYS[3], ARGV[i + 1], ARGV[2]) == 1 then
    accepted[#accepted + 1] = ARGV[i + 2]
    verdicts[#verdicts + 1] = 1
  else
    redis.call('HINCRBY', KEYS[4], 'duplicates', 1)
    verdicts[#verdicts + 1] = 0
  end
end
if #accepted > 0 then
  redis.call('XADD', KEYS[2], '*', 'run_id', ARGV[3], 'worker', ARGV[2], 'chunks', #accepted,
    'data', '[' .. table.concat(accepted, ',') .. ']')
end
for i = 1, #ids, 500 do
  local last = math.min(i + 499, #ids)
  redis.call('XACK', KEYS[1], ARGV[1], unpack(ids, i, last))
  redis.call('XDEL', KEYS[1], unpack(ids, i, last))
end
return verdicts
`);

/**
 * Moves an entry to the dead-letter stream with its last error. KEYS: tasks, dlq, dead.
 * ARGV: group, entryId, runId, chunkId ('' if malformed), start, end, attempts, error, raw.
 */
export const DEAD_LETTER = script(`
local fresh = 1
if ARGV[4] ~= '' then fresh = redis.call('HSETNX', KEYS[3], ARGV[4], ARGV[8]) end
if fresh == 1 then
  redis.call('XADD', KEYS[2], '*', 'run_id', ARGV[3], 'chunk_id', ARGV[4], 'start', ARGV[5], 'end', ARGV[6],
    'attempts', ARGV[7], 'error', ARGV[8], 'raw', ARGV[9])
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return fresh
`);
