// `npm run operator:create`: creates an operator from the command line (replaces the seed's sp_WhatsApp_CreateOperator).
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createOperator } from '../src/admin/create-operator';
import { RoleSchema } from '../src/admin/operator.schemas';
import { ConfigError, loadConfig } from '../src/config';
import { applyLocalDefaults, loadLocalSettings } from '../src/devhost/local-settings';
import { openDatabase } from '../src/services';
import { systemClock } from '../src/shared/clock';
import { AppError } from '../src/shared/app-error';

const usage = `Usage: npm run operator:create -- --firm 1 --user operator1 --name "Örnek Operatör" \\
         [--email a@b.com] [--phone 905551234567] [--role Agent|Admin] [--language tr|en] [--password-stdin]
The password is asked for at a prompt, or read from standard input with --password-stdin.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      firm: { type: 'string' },
      user: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      phone: { type: 'string' },
      role: { type: 'string', default: 'Agent' },
      language: { type: 'string', default: 'tr' },
      'password-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const missing = (['firm', 'user', 'name'] as const).filter((key) => !values[key]);
  if (missing.length > 0) return fail(`missing ${missing.map((m) => `--${m}`).join(', ')}\n${usage}`);
  if (!/^\d+$/.test(values.firm ?? '')) return fail('--firm must be a positive whole number');
  const role = RoleSchema.safeParse(values.role);
  if (!role.success) return fail(`--role must be Admin or Agent, got "${values.role}"`);

  loadLocalSettings(process.cwd());
  applyLocalDefaults(process.env, process.env.LOCAL_DATA_DIR ?? '.data', () => undefined);
  const config = loadConfig(process.env);
  const password = values['password-stdin'] ? await readStdin() : await prompt('Password: ');
  const database = await openDatabase(config, systemClock);
  try {
    const operator = await createOperator({ db: database.db, clock: systemClock, config }, {
      firmId: Number(values.firm),
      userName: values.user ?? '',
      fullName: values.name ?? '',
      email: values.email,
      phone: values.phone,
      role: role.data,
      language: values.language as 'tr' | 'en', // validated by the operator schema
      password,
    });
    console.log(`Created ${operator.Role} "${operator.UserName}" (id ${operator.Id}) in firm ${operator.FirmId}.`);
    return 0;
  } finally {
    await database.close();
  }
}

function fail(message: string): number {
  console.error(`operator:create: ${message}`);
  return 2;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Reads a line without echoing it when standard input is a terminal. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
    const output = rl as unknown as { _writeToOutput?: (text: string) => void };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
    if (process.stdin.isTTY) output._writeToOutput = () => undefined;
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof AppError) {
      const fields = error.extra?.fields ? Object.entries(error.extra.fields).map(([k, v]) => `\n  - ${k.replace(/^operator\./, '')}: ${v}`).join('') : '';
      console.error(`operator:create: ${error.messageIn('en')}${fields}`);
    } else console.error('operator:create failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
