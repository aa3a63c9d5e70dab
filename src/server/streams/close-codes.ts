/** The WebSocket close codes the gateway's streams end with, and what each asks of the client. */
export enum StreamCloseCode {
  /** A frame over the 1 MiB cap (RFC 6455's "message too big"); nothing of it was parsed. */
  MessageTooBig = 1009,
  /** The instance is restarting: reconnect, to any instance, and resume from the last cursor. */
  ServiceRestart = 1012,
  /** A message no client may send. */
  BadRequest = 4400,
  /** The access token expired or was revoked: refresh it, reconnect and resume from the cursor. */
  TokenEnded = 4401,
  /** The grant has ended (revoked, expired, the app suspended, the user out of the region): stop. */
  GrantEnded = 4403,
}
