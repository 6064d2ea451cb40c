/**
 * The vocabulary of the report contract: endpoint states (RFC 9293 §3.3.2 names), handshake and close
 * kinds, and who did something. Users, tests, samples and docs rely on these names: extend, never rename.
 */
export const ENDPOINT_STATES = [
  'CLOSED',
  'LISTEN',
  'SYN_SENT',
  'SYN_RECEIVED',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
] as const;
export type EndpointState = (typeof ENDPOINT_STATES)[number];

export const HANDSHAKE_KINDS = [
  'three_way',
  'simultaneous_open',
  'refused',
  'unanswered',
  'incomplete',
  'syn_ack_only',
  'not_captured',
] as const;
export type HandshakeKind = (typeof HANDSHAKE_KINDS)[number];

export const CLOSE_KINDS = [
  'four_way',
  'three_way',
  'simultaneous',
  'reset',
  'half_closed',
  'open',
  'not_established',
] as const;
export type CloseKind = (typeof CLOSE_KINDS)[number];

export type Side = 'client' | 'server';
export type Who = Side | 'both';
