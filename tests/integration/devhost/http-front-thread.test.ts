// The compiled local host, as `npm start` runs it: its HTTP front end (sockets, parsing, bodies, writing answers) runs
// on a thread of its own and hands each request to the app's thread. The same suite as the in-thread host.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as StartLocalHostModule from '../../../src/devhost/functions-host/start-local-host';
import { describeHttpHost } from '../../support/http-host-suite';

const compiled = pathToFileURL(path.resolve(__dirname, '../../../dist/src/devhost/functions-host/start-local-host.js')).href;

describeHttpHost(async (options) => ((await import(compiled)) as typeof StartLocalHostModule).startLocalHost(options), true);
