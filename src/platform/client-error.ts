/**
 * What a client gets for a request node:http cannot parse (a lower-case method, a malformed header, headers that
 * time out): node's default is a bare `400 Bad Request` with no body; kubectl and client libraries expect a
 * Kubernetes Status, so the proxies write one and close. Nothing of the request is echoed back.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

function statusResponse(code: number, text: string, message: string): string {
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: code === 408 ? 'Timeout' : 'BadRequest',
    code,
  });
  return `HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** Answers unparseable requests with a Status instead of node's bare 400. */
export function answerClientErrorsWithStatus(server: Pick<Server, 'on'>): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const code = err.code ?? '';
    const answer =
      code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT'
        ? statusResponse(408, 'Request Timeout', 'the request did not arrive in time')
        : code === 'HPE_HEADER_OVERFLOW'
          ? statusResponse(431, 'Request Header Fields Too Large', 'the request headers are too large')
          : statusResponse(400, 'Bad Request', 'the request is not valid HTTP/1.1 (methods are upper-case, e.g. GET)');
    socket.end(answer);
  });
}
