/** A Kubernetes `Status` as a complete raw HTTP/1.1 response, for sockets taken over for an upgrade. */
import type { KubeStatus } from '../kube/types.js';

/** Serialises `status` as a `connection: close` HTTP/1.1 response kubectl can print. */
export function rawStatusResponse(statusText: string, status: KubeStatus): string {
  const body = JSON.stringify(status);
  return `HTTP/1.1 ${status.code} ${statusText}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}
