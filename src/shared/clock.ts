// The clock port: use cases ask it for the time so tests can move time without sleeping.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
