import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError } from '../../../../receiver/sinks/circuit-breaker.js';
import { backoffMs } from '../../../../receiver/sinks/outbox-dispatcher.js';

describe('the circuit breaker', () => {
  it('opens after consecutive failures, lets one trial through after the open time, and closes on its success', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failures: 3, openMs: 1000, now: () => now });
    const fail = () => Promise.reject(new Error('down'));
    for (let i = 0; i < 3; i++) await expect(breaker.run(fail)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    let calls = 0;
    await expect(breaker.run(async () => void calls++)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(0);
    now = 1000;
    expect(breaker.state).toBe('half-open');
    await expect(breaker.run(fail)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    now = 2000;
    await breaker.run(async () => void calls++);
    expect([calls, breaker.state]).toEqual([1, 'closed']);
  });

  it('lets only one trial through while half-open', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failures: 1, openMs: 10, now: () => now });
    await expect(breaker.run(() => Promise.reject(new Error('x')))).rejects.toThrow();
    now = 10;
    let release!: () => void;
    const trial = breaker.run(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(breaker.run(() => Promise.resolve())).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    await trial;
    expect(breaker.state).toBe('closed');
  });
});

describe('the retry backoff', () => {
  it('grows exponentially up to the maximum, with full jitter', () => {
    expect(backoffMs(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffMs(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffMs(40, 100, 10_000, () => 1)).toBe(10_000);
    expect(backoffMs(4, 100, 10_000, () => 0.5)).toBe(400);
    expect(backoffMs(4, 100, 10_000, () => 0)).toBe(1);
  });
});
