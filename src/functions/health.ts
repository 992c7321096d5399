// GET /api/health: 200 with each dependency's state and the app version, 503 naming what is down.
import { app } from '@azure/functions';
import { loadConfig } from '../config';
import { checkHealth } from '../health/check-health';
import { getServices, type Services } from '../services';
import { createStorageClients } from '../storage/storage-clients';
import { appVersion } from '../shared/app-version';

app.http('health', {
  methods: ['GET'],
  route: 'health',
  authLevel: 'anonymous',
  handler: async (_request, context) => {
    let services: Services | undefined;
    let startupError: string | undefined;
    try {
      services = await getServices();
    } catch (error) {
      startupError = error instanceof Error ? error.message : String(error);
      context.warn('health: services failed to start', startupError);
    }
    const storage = services?.storage ?? createStorageClients(loadConfig(process.env).storage);
    const report = await checkHealth({ version: appVersion, services, startupError, storage });
    return {
      status: report.status === 'healthy' ? 200 : 503,
      jsonBody: report,
      headers: { 'cache-control': 'no-store' },
    };
  },
});
