import { randomUUID } from 'node:crypto';

export const CLOCK = Symbol('CLOCK');
export const ID_SOURCE = Symbol('ID_SOURCE');

/** Time comes into the domain from here, never from `new Date()` inside it. */
export interface Clock {
  now(): string;
}

export interface IdSource {
  newId(): string;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };
export const randomIds: IdSource = { newId: () => randomUUID() };
