import type { NodeInfo } from '../../../../shared/contract/admin-api.js';
import type { FleetHealth, NodeHealth, TestFailure } from '../../../../shared/contract/console.js';

/** One `GET /node` of one node, timed by the console's clock: enough to judge its health and its clock. */
export type NodeProbe = { readonly url: string; readonly sentAt: number; readonly receivedAt: number } & (
  | { readonly info: NodeInfo }
  | { readonly error: string; readonly failure: TestFailure }
);

/** Failures that say nothing about whether the node takes traffic: it answered, but not to us. */
const ANSWERED_BUT_REFUSED: ReadonlySet<TestFailure> = new Set(['token_refused', 'scope', 'throttled']);

/** A node's clock further off than this (beyond what the round trip leaves uncertain) breaks timestamp checks soon. */
export const CLOCK_LIMIT_MS = 5_000;
/** Accepted deliveries waiting this long for the downstream mean the downstream is not keeping up. */
export const BACKLOG_AGE_LIMIT_SECONDS = 300;

/**
 * A node's health from its own report: readiness (what `/readyz` says), store, Redis, downstream
 * backlog and its clock. A node whose store or Redis is down answers every sender 503, so it is
 * `refusing` even when it is too old to report `ready` itself.
 */
export function nodeHealth(probe: NodeProbe): NodeHealth {
  if ('error' in probe) {
    return { state: ANSWERED_BUT_REFUSED.has(probe.failure) ? 'unknown' : 'down', readiness: 'unknown', problems: [probe.error], clockOffsetMs: null, clockUncertaintyMs: null };
  }
  const { info } = probe;
  const problems: string[] = [];
  if (!info.storage.ok) problems.push(`store failing${detail(info.storage.detail)}`);
  if (info.redis && !info.redis.ok) problems.push(`Redis down${detail(info.redis.detail)}`);
  const dependencyDown = problems.length > 0;
  if (info.ready === false && !dependencyDown) problems.push('not ready (its /readyz says so)');
  const downstream = info.downstream;
  if (downstream && !downstream.ok) {
    problems.push(`downstream failing${detail(downstream.detail)}, ${backlogWords(downstream.backlog, downstream.oldestAgeSeconds)}`);
  } else if (downstream && (downstream.oldestAgeSeconds ?? 0) > BACKLOG_AGE_LIMIT_SECONDS) {
    problems.push(`downstream behind: ${backlogWords(downstream.backlog, downstream.oldestAgeSeconds)}`);
  }
  const clock = clockOffset(info.time, probe.sentAt, probe.receivedAt);
  if (clock && Math.abs(clock.offsetMs) - clock.uncertaintyMs > CLOCK_LIMIT_MS) problems.push(clockWords(clock.offsetMs));
  return {
    state: info.ready === false || dependencyDown ? 'refusing' : 'up',
    readiness: info.ready === undefined ? 'unknown' : info.ready ? 'ready' : 'not-ready',
    problems,
    clockOffsetMs: clock?.offsetMs ?? null,
    clockUncertaintyMs: clock?.uncertaintyMs ?? null,
  };
}

/**
 * The node's clock minus the console's. The node read its clock somewhere between sending and
 * receiving: the midpoint is the best guess, and half the round trip is how wrong it can be.
 */
export function clockOffset(nodeTime: string | undefined, sentAt: number, receivedAt: number): { offsetMs: number; uncertaintyMs: number } | undefined {
  if (nodeTime === undefined) return undefined;
  const at = Date.parse(nodeTime);
  if (Number.isNaN(at)) return undefined;
  return { offsetMs: Math.round(at - (sentAt + receivedAt) / 2), uncertaintyMs: Math.round((receivedAt - sentAt) / 2) };
}

export function clockWords(offsetMs: number): string {
  return `clock ${Math.round(Math.abs(offsetMs) / 1000)} s ${offsetMs > 0 ? 'ahead of' : 'behind'} this console's`;
}

/** The fleet in one line, as an operator reads it first: how many nodes answer, and whether the fleet takes traffic. */
export function fleetHealth(nodes: readonly NodeHealth[]): FleetHealth {
  const total = nodes.length;
  const answering = nodes.filter((node) => node.state === 'up' || node.state === 'refusing');
  const refusing = nodes.filter((node) => node.state === 'refusing');
  let summary = `${answering.length} of ${total} node${total === 1 ? '' : 's'} up`;
  if (refusing.length > 0) {
    const who = refusing.length === answering.length ? 'refusing traffic' : `${refusing.length} refusing traffic`;
    summary += `, ${who}: ${unique(refusing.flatMap((node) => node.problems.map(headline))).join(', ')}`;
  }
  const down = nodes.filter((node) => node.state === 'down').length;
  if (down > 0) summary += `; ${down} not answering`;
  const otherProblems = unique(nodes.filter((node) => node.state === 'up' || node.state === 'unknown').flatMap((node) => node.problems.map(headline)));
  if (otherProblems.length > 0) summary += `; ${otherProblems.join(', ')}`;
  const state =
    answering.length === 0 ? 'down' : refusing.length === answering.length ? 'refusing' : answering.length < total || refusing.length > 0 || otherProblems.length > 0 ? 'degraded' : 'healthy';
  return { state, up: answering.length, total, summary };
}

/** A problem without its parenthesised detail: the fleet's line names what is wrong, each node's row says how. */
const headline = (problem: string): string => problem.replace(/ \(.*\)/, '');

function detail(text: string | undefined): string {
  return text ? ` (${text})` : '';
}

function backlogWords(backlog: number, oldestAgeSeconds: number | null): string {
  const age = oldestAgeSeconds === null ? '' : `, oldest ${oldestAgeSeconds >= 120 ? `${Math.round(oldestAgeSeconds / 60)} min` : `${Math.round(oldestAgeSeconds)} s`}`;
  return `backlog ${backlog.toLocaleString('en-US')}${age}`;
}

const unique = (values: readonly string[]): string[] => [...new Set(values)];
