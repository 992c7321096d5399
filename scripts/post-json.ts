// The benches' load generator: a JSON POST over keep-alive node:http, answering the status code.
import { request, type Agent } from 'node:http';

/**
 * node:http rather than fetch: undici cost the client ~0.7 ms of CPU per POST here (bench:webhook measured it), CPU
 * that the app under test shares on the same cores. The body is read and dropped.
 */
export function postJson(agent: Agent, url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const target = new URL(url);
  return new Promise<number>((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
