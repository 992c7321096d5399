// Runs one invocation the way the Node worker's InvocationHandler does: invocation model from the app's
// programming model, getArguments, preInvocation hooks, the handler, postInvocation hooks, getResponse.
import { randomUUID } from 'node:crypto';
import type { AppRegistry, RegisteredFunction } from './core-api';
import type {
  CoreInvocationContext,
  FunctionCallback,
  HookCallback,
  HookData,
  InvocationState,
  RpcInvocationRequest,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
} from './core-types';

/** Result of a successful invocation: the RPC response the worker would send and the handler's own result. */
export interface InvocationOutcome {
  readonly invocationId: string;
  readonly response: RpcInvocationResponse;
  readonly result: unknown;
}

async function runHooks(callbacks: readonly HookCallback[], context: object): Promise<void> {
  for (const callback of [...callbacks]) await callback(context);
}

/** Runs `appStart` hooks (awaited in order), as the worker does after loading the entry files. */
export async function runAppStartHooks(registry: AppRegistry, functionAppDirectory: string): Promise<void> {
  await runHooks(registry.hooks.appStart, {
    get hookData() {
      return registry.appLevelOnlyHookData;
    },
    get appHookData() {
      return registry.appHookData;
    },
    functionAppDirectory,
  });
}

/** Runs `appTerminate` hooks, as the worker does on WorkerTerminate. */
export async function runAppTerminateHooks(registry: AppRegistry): Promise<void> {
  await runHooks(registry.hooks.appTerminate, {
    get hookData() {
      return registry.appLevelOnlyHookData;
    },
    get appHookData() {
      return registry.appHookData;
    },
  });
}

class LocalInvocationContext implements CoreInvocationContext {
  state?: InvocationState;
  invocationContext: unknown;
  hookData: HookData = {};
  constructor(
    readonly invocationId: string,
    readonly request: RpcInvocationRequest,
    readonly fn: RegisteredFunction,
    private readonly registry: AppRegistry,
  ) {}

  get metadata() {
    return this.fn.metadata;
  }

  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
    let entry = { level, category, message };
    if (this.registry.hooks.log.length > 0) {
      const hookContext = {
        hookData: this.hookData,
        appHookData: this.registry.appHookData,
        invocationContext: this.invocationContext,
        category,
        level,
        message,
      };
      for (const hook of this.registry.hooks.log) hook(hookContext);
      // Log hooks may only rewrite user logs (types-core LogHookContext).
      if (category === 'user') entry = { level: hookContext.level, category, message: hookContext.message };
    }
    this.registry.log({ ...entry, functionName: this.fn.name, invocationId: this.invocationId });
  }
}

/**
 * Invokes `fn` with an RPC-shaped request (`inputData`, `triggerMetadata`, …). Resolves with the RPC response;
 * rejects with whatever the handler (or a hook) threw, like a failed InvocationResponse.
 */
export async function invokeFunction(
  registry: AppRegistry,
  fn: RegisteredFunction,
  request: Omit<RpcInvocationRequest, 'invocationId' | 'functionId'>,
  invocationId: string = randomUUID(),
): Promise<InvocationOutcome> {
  const model = registry.programmingModel;
  if (!model) throw new Error('No programming model registered.');
  const coreCtx = new LocalInvocationContext(invocationId, { ...request, invocationId, functionId: fn.functionId }, fn, registry);
  const invocationModel = await model.getInvocationModel(coreCtx);
  const { context, inputs: initialInputs } = await invocationModel.getArguments();
  coreCtx.invocationContext = context;
  const hookData = coreCtx.hookData;

  const pre = {
    get hookData() {
      return hookData;
    },
    get appHookData() {
      return registry.appHookData;
    },
    get invocationContext() {
      return context;
    },
    functionCallback: fn.callback as FunctionCallback,
    inputs: initialInputs,
  };
  coreCtx.state = 'preInvocationHooks';
  try {
    await runHooks(registry.hooks.preInvocation, pre);
  } finally {
    coreCtx.state = undefined;
  }

  const post = {
    get hookData() {
      return hookData;
    },
    get appHookData() {
      return registry.appHookData;
    },
    get invocationContext() {
      return context;
    },
    inputs: pre.inputs,
    result: null as unknown,
    error: null as unknown,
  };
  coreCtx.state = 'invocation';
  try {
    post.result = await invocationModel.invokeFunction(context, pre.inputs, pre.functionCallback);
  } catch (err) {
    post.error = err ?? new Error('The function failed without an error value.');
  } finally {
    coreCtx.state = undefined;
  }

  coreCtx.state = 'postInvocationHooks';
  try {
    await runHooks(registry.hooks.postInvocation, post);
  } finally {
    coreCtx.state = undefined;
  }
  if (post.error !== null && post.error !== undefined) throw post.error;

  const response = await invocationModel.getResponse(context, post.result);
  return { invocationId, response, result: post.result };
}
