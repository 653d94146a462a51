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
 * ARGV: runId, totalChunks, chunkSize, totalParameters, batch, createdAt, sweep digest ("" for ids).
 * Fails with "PLAN_MISMATCH <totalParameters> <chunkSize> <sweep>" (the existing run's) when the run exists
 * with another plan. Returns loadedUpTo after the batch. Chunk ids and loadedUpTo move together, so two
 * loaders never add a chunk twice and a crashed loader's successor resumes where it stopped.
 */
export const LOAD_BATCH = script(`
local meta, tasks = KEYS[1], KEYS[2]
local total, size, params, batch = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local sweep = ARGV[7] or ''
local existing = redis.call('HGET', meta, 'totalChunks')
if existing then
  if tonumber(existing) ~= total or tonumber(redis.call('HGET', meta, 'chunkSize')) ~= size
     or tonumber(redis.call('HGET', meta, 'totalParameters')) ~= params
     or (redis.call('HGET', meta, 'sweep') or '') ~= sweep then
    return redis.error_reply('PLAN_MISMATCH ' .. redis.call('HGET', meta, 'totalParameters') .. ' ' .. redis.call('HGET', meta, 'chunkSize')
      .. ' ' .. (redis.call('HGET', meta, 'sweep') or ''))
  end
else
  redis.call('HSET', meta, 'totalChunks', ARGV[2], 'chunkSize', ARGV[3], 'totalParameters', ARGV[4],
    'loadedUpTo', '0', 'createdAt', ARGV[6])
  if sweep ~= '' then redis.call('HSET', meta, 'sweep', sweep) end
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
 * Lua: trims from the tasks stream (KEYS[1], group ARGV[1]) every entry below the oldest one still
 * needed: pending with some consumer, or not yet delivered. Everything older was acknowledged.
 */
const TRIM_DONE = `
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
local lastDelivered
for _, g in ipairs(groups) do
  local name, last
  for j = 1, #g, 2 do
    if g[j] == 'name' then name = g[j + 1] elseif g[j] == 'last-delivered-id' then last = g[j + 1] end
  end
  if name == ARGV[1] then lastDelivered = last end
end
if lastDelivered and #groups == 1 then
  local ms, seq = string.match(lastDelivered, '^(%d+)-(%d+)$')
  local keep = ms .. '-' .. string.format('%.0f', tonumber(seq) + 1)
  local summary = redis.call('XPENDING', KEYS[1], ARGV[1])
  if tonumber(summary[1]) > 0 then
    local pms, pseq = string.match(summary[2], '^(%d+)-(%d+)$')
    if tonumber(pms) < tonumber(ms) or (tonumber(pms) == tonumber(ms) and tonumber(pseq) <= tonumber(seq)) then keep = summary[2] end
  end
  redis.call('XTRIM', KEYS[1], 'MINID', keep)
end
`;

/**
 * Takes up to COUNT new entries for a consumer, like XREADGROUP without BLOCK, but returns them as
 * one string, a line per entry: "id runId chunkId start end". Decoding thousands of small replies
 * costs a worker more than the rest of a zero-work chunk; one string costs next to nothing. Only
 * the shape is checked here (the four fields in the loader's order, no line break): the worker
 * checks the values and reads whole, by id, any line that is not five words, which is also how an
 * entry of another shape comes back ("id !"). Checking values here too cost Redis a third more per
 * entry. KEYS: tasks. ARGV: group, consumer, count. Returns "" when there is none.
 */
export const FETCH_NEW = script(`
local reply = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[1], '>')
if not reply then return '' end
local out, n = {}, 0
for _, entry in ipairs(reply[1][2]) do
  local f, line = entry[2], nil
  if #f == 8 and f[1] == 'run_id' and f[3] == 'chunk_id' and f[5] == 'start' and f[7] == 'end' then
    line = entry[1] .. ' ' .. f[2] .. ' ' .. f[4] .. ' ' .. f[6] .. ' ' .. f[8]
    if string.find(line, '\\n', 1, true) then line = nil end
  end
  n = n + 1
  out[n] = line or (entry[1] .. ' !')
end
return table.concat(out, '\\n')
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
 * kept, a later one is counted as a duplicate and discarded. The batch becomes one entry of the
 * results stream: data is the batch as the worker encoded it (lib/backends/result-batch.ts), and `discard`
 * names the chunks in it that were duplicates (usually none), which readers skip.
 * Then every task entry no consumer needs any more is trimmed from the stream (MINID: the
 * smallest of the oldest pending entry and the first one not yet delivered), which keeps the
 * stream as short as the work in flight at a fraction of the cost of deleting entries one by one.
 * KEYS: tasks, results, done, stats. ARGV: group, worker, runId, batchJson, entry ids and chunk ids
 * (each comma-separated, in the same order: a few long arguments cost far less to send than many
 * short ones). Returns "" when every chunk was accepted (nearly always), else one character per
 * chunk, in order: "1" accepted, "0" a duplicate.
 */
export const COMPLETE = script(`
local verdicts, ids, chunks, dup = {}, {}, {}, {}
for id in string.gmatch(ARGV[5], '[^,]+') do ids[#ids + 1] = id end
for chunk in string.gmatch(ARGV[6], '[^,]+') do chunks[#chunks + 1] = chunk end
-- One BITFIELD per 500 chunks sets each chunk's bit and answers whether it was set already (a batch
-- never names a chunk twice; Lua cannot unpack more than a few thousand values at once).
for i = 1, #chunks, 500 do
  local last = math.min(i + 499, #chunks)
  local ops = { 'BITFIELD', KEYS[3] }
  for j = i, last do
    ops[#ops + 1] = 'SET'
    ops[#ops + 1] = 'u1'
    ops[#ops + 1] = chunks[j]
    ops[#ops + 1] = 1
  end
  local was = redis.call(unpack(ops))
  for j = i, last do
    if was[j - i + 1] == 1 then
      verdicts[j] = '0'
      dup[#dup + 1] = chunks[j]
    else
      verdicts[j] = '1'
    end
  end
end
if #dup > 0 then redis.call('HINCRBY', KEYS[4], 'duplicates', #dup) end
if #dup < #ids then
  redis.call('XADD', KEYS[2], '*', 'run_id', ARGV[3], 'worker', ARGV[2], 'chunks', #ids - #dup,
    'discard', table.concat(dup, ','), 'data', ARGV[4])
end
for i = 1, #ids, 500 do
  redis.call('XACK', KEYS[1], ARGV[1], unpack(ids, i, math.min(i + 499, #ids)))
end
${TRIM_DONE}
if #dup == 0 then return '' end
return table.concat(verdicts)
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

/** The reclaimer key's value once the run is settled: every worker's next lease attempt learns it. */
export const SETTLED_MARK = "settled";

/**
 * Renews the reclaimer lease of its holder. KEYS: reclaimer. ARGV: consumer, leaseMs.
 * Returns the key's value: the consumer itself when renewed, else who holds it now (or the settled
 * mark, or false when nobody does).
 */
export const RENEW_LEASE = script(`
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return current
`);

/**
 * Whether the run is settled (every chunk loaded, and accepted or dead-lettered); marks it in the
 * reclaimer key when it is, and the first time tells the idle workers listening on the run's settled
 * channel. KEYS: meta, done, dead, reclaimer. ARGV: totalChunks, settled channel. Returns 1 or 0.
 */
export const MARK_IF_SETTLED = script(`
local total = tonumber(ARGV[1])
if tonumber(redis.call('HGET', KEYS[1], 'loadedUpTo') or '-1') < total then return 0 end
if redis.call('BITCOUNT', KEYS[2]) + redis.call('HLEN', KEYS[3]) < total then return 0 end
if redis.call('SET', KEYS[4], '${SETTLED_MARK}', 'GET') ~= '${SETTLED_MARK}' then redis.call('PUBLISH', ARGV[2], '${SETTLED_MARK}') end
return 1
`);

/** Gives up the reclaimer lease if this holder (ARGV[1]) still has it, for another to take at once. KEYS: reclaimer. */
export const RELEASE_LEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`);
