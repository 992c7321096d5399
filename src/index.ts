// The Functions entry ("main"): registers every HTTP route, queue worker and timer of the app.
import { app } from '@azure/functions';
import { closeServices, getServices } from './services';

app.setup({ enableHttpStream: false });

// Migrations and the first-run bootstrap run when the host starts, not on the first request.
app.hook.appStart(async () => {
  await getServices();
});
app.hook.appTerminate(async () => {
  await closeServices();
});

import './functions/health';
import './functions/webhook-verify';
import './functions/webhook-receive';
import './functions/webhook-replay';
import './functions/media-download';
import './functions/media-get';
import './functions/auth-login';
import './functions/auth-refresh';
import './functions/auth-logout';
import './functions/auth-password';
import './functions/auth-password-reset';
import './functions/auth-password-reset-confirm';
import './functions/auth-me';
import './functions/admin-operators-list';
import './functions/admin-operators-create';
import './functions/admin-operators-get';
import './functions/admin-operators-update';
import './functions/admin-operators-unlock';
import './functions/admin-operators-password-reset';
import './functions/admin-audit-logs';
import './functions/admin-phone-numbers-list';
import './functions/admin-inbox-settings-get';
import './functions/admin-inbox-settings-update';
import './functions/notifications-send';
import './functions/realtime-negotiate';
import './functions/realtime-events';
import './functions/operators-online';
import './functions/presence-sweep';
// Sending (issue 7): replies, uploads, templates, the outbound worker and its timers.
import './functions/messages-send';
import './functions/messages-retry';
import './functions/conversations-start';
import './functions/uploads-create';
import './functions/templates-list';
import './functions/templates-sync';
import './functions/templates-sync-daily';
import './functions/templates-status-apply';
import './functions/outbound-send';
import './functions/outbound-poison';
import './functions/outbound-sweep';
// Inbox (issue 6): conversations, history, search, assignment, status, read; the automatic-assignment timer.
import './functions/conversations-list';
import './functions/conversations-get';
import './functions/conversations-update';
import './functions/conversations-messages';
import './functions/conversations-assign';
import './functions/conversations-read';
import './functions/messages-search';
import './functions/assignment-sweep';
