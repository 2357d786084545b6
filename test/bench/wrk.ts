import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly p99Ms: number;
  /** Answers by status code. */
  readonly statuses: Readonly<Record<string, number>>;
}

export interface SignedRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * A wrk script that sends each request once, in order, then cycles; it reports rate, p99 and
 * statuses. The header values go to a data file read at start: LuaJIT refuses a chunk with more
 * than 65,536 constants, which a script holding 70,000 signed requests inline would have.
 */
export function writeScript(file: string, path: string, requests: readonly SignedRequest[]): string {
  const quote = (text: string) => JSON.stringify(text);
  const names = Object.keys(requests[0]?.headers ?? {});
  const bodies = [...new Set(requests.map((request) => request.body))];
  const lines = requests.map((request) => {
    const values = names.map((name) => request.headers[name] ?? '');
    if (Object.keys(request.headers).length !== names.length || values.some((value) => /[\t\n]/.test(value))) throw new Error('every request needs the same headers, without tabs or newlines');
    return [bodies.indexOf(request.body) + 1, ...values].join('\t');
  });
  writeFileSync(`${file}.data`, `${lines.join('\n')}\n`);
  writeFileSync(
    file,
    `local names = {${names.map(quote).join(',')}}
local bodies = {${bodies.map(quote).join(',')}}
local headers = {}
local bodyOf = {}
for line in io.lines(${quote(`${file}.data`)}) do
  local fields = {}
  for field in string.gmatch(line, "[^\\t]+") do fields[#fields + 1] = field end
  local h = {}
  for k, name in ipairs(names) do h[name] = fields[k + 1] end
  headers[#headers + 1] = h
  bodyOf[#bodyOf + 1] = tonumber(fields[1])
end
local i = 0
local counts = {}
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function() counts = { s200 = 0, s202 = 0, s401 = 0, s429 = 0, s503 = 0, other = 0 } end
request = function()
  i = i % #headers + 1
  return wrk.format("POST", ${quote(path)}, headers[i], bodies[bodyOf[i]])
end
response = function(status)
  local name = "s" .. status
  if counts[name] then counts[name] = counts[name] + 1 else counts.other = counts.other + 1 end
  s200, s202, s401, s429, s503, other = counts.s200, counts.s202, counts.s401, counts.s429, counts.s503, counts.other
end
done = function(summary, latency, requests)
  local parts = {}
  for _, name in ipairs({ "s200", "s202", "s401", "s429", "s503", "other" }) do
    local total = 0
    for _, thread in ipairs(threads) do total = total + (thread:get(name) or 0) end
    if total > 0 then parts[#parts + 1] = string.gsub(name, "^s", "") .. "=" .. total end
  end
  io.write(string.format("RESULT %f %d %f %s\\n", summary.requests / (summary.duration / 1e6), summary.requests, latency:percentile(99) / 1000, table.concat(parts, ",")))
end
`,
  );
  return file;
}

/** wrk pinned to `core`, one thread, `connections` connections, for `seconds`. */
export async function runWrk(url: string, script: string, options: { seconds: number; connections: number; core: number }): Promise<WrkResult> {
  const output = await new Promise<string>((resolve, reject) => {
    const wrk = spawn('taskset', ['-c', String(options.core), 'wrk', '-t1', `-c${options.connections}`, `-d${options.seconds}s`, '-s', script, url]);
    let text = '';
    wrk.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    wrk.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    wrk.on('error', reject);
    wrk.on('exit', () => resolve(text));
  });
  const match = /RESULT ([\d.]+) (\d+) ([\d.]+) (\S*)/.exec(output);
  if (!match) throw new Error(`wrk printed no result:\n${output}`);
  const statuses: Record<string, number> = {};
  for (const part of (match[4] ?? '').split(',').filter(Boolean)) {
    const [status, count] = part.split('=');
    statuses[status as string] = Number(count);
  }
  return { requestsPerSecond: Number(match[1]), requests: Number(match[2]), p99Ms: Number(match[3]), statuses };
}
