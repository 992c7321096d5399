// Stopping an HTTP server the way the host stops: no new connections, answers in flight still written.
import type http from 'node:http';

/** How often a closing server looks for connections that have gone idle. */
const IDLE_SWEEP_MS = 50;

/**
 * Stops accepting connections and resolves once every connection has ended. Idle keep-alive connections are closed
 * at once; a connection that is still answering is closed as soon as its answer is written. (`server.close()` alone
 * leaves such a connection open until the client or the keep-alive timeout, 130 s here, ends it.)
 */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
