import type { FleetDelivery } from '../../../shared/contract/console.js';

/** The live list is capped: a long session must not grow the renderer's memory without bound. */
export const LIVE_CAP = 100_000;

export interface LiveState {
  readonly deliveries: readonly FleetDelivery[];
  readonly dropped: number;
}

/** Newest first; the incoming batch is newest last, so it is reversed in. */
export function appendLive(state: LiveState, batch: readonly FleetDelivery[], dropped: number, cap = LIVE_CAP): LiveState {
  const deliveries = [...[...batch].reverse(), ...state.deliveries];
  return { deliveries: deliveries.length > cap ? deliveries.slice(0, cap) : deliveries, dropped: state.dropped + dropped };
}

