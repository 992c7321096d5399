// Who is calling: the signed-in operator every authorised use case receives.

export type Role = 'Admin' | 'Agent';

/** The authenticated operator behind a request; every query is scoped by its firmId. */
export interface Actor {
  readonly operatorId: string;
  readonly firmId: number;
  readonly role: Role;
  readonly userName: string;
  /** The session (refresh-token family) the request's access token belongs to; logout ends it. */
  readonly sessionId?: string;
}

/** Request facts the audit log and throttling need; never secrets. */
export interface RequestOrigin {
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}
