/**
 * Version of the wire protocol described in protocol/PROTOCOL.md. It changes only when a field
 * is removed or changes meaning; added fields keep the number, so clients ignore unknown keys.
 */
export const PROTOCOL_VERSION = 1

/** Path prefix of every versioned endpoint. */
export const API_PREFIX = '/v1'
