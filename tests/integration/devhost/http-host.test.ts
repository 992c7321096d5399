// The local host from the TypeScript sources: no worker can load them, so its sockets stay on the app's thread.
import { startLocalHost } from '../../../src/devhost/functions-host/start-local-host';
import { describeHttpHost } from '../../support/http-host-suite';

describeHttpHost(startLocalHost, false);
