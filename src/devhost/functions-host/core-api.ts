// Provides `@azure/functions-core` exactly as the Node worker does: a Proxy on Module.prototype.require that answers
// the exact id '@azure/functions-core' with a core API object, so `@azure/functions` registers into this host.
import Module from 'node:module';
import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookData,
  HookName,
  ProgrammingModel,
  RpcBindingInfo,
  RpcFunctionMetadata,
  RpcLogCategory,
  RpcLogLevel,
} from './core-types';
import type { HostLogger } from './host-log';

/** Worker version we claim; `@azure/functions` only checks that `log` exists (host ≥ 4.28 features). */
export const coreWorkerVersion = '3.12.0';
/** Functions host version we claim (the v4 line that supports HTTP streaming and log hooks). */
export const coreHostVersion = '4.1040.0';

/** A function captured from `registerFunction`, with the metadata the real worker would send to the host. */
export interface RegisteredFunction {
  readonly functionId: string;
  readonly name: string;
  readonly metadata: RpcFunctionMetadata & { name: string; bindings: Record<string, RpcBindingInfo> };
  readonly callback: FunctionCallback;
}

/** Everything an app registers while it loads: functions, hooks and its programming model. */
export interface AppRegistry {
  readonly functions: Map<string, RegisteredFunction>;
  readonly hooks: Record<HookName, HookCallback[]>;
  programmingModel: ProgrammingModel | undefined;
  /** Set once loading finished: like the worker after indexing, later registrations throw. */
  locked: boolean;
  currentEntryPoint: string | undefined;
  readonly appHookData: HookData;
  readonly appLevelOnlyHookData: HookData;
  readonly log: HostLogger;
}

/** Same shape as the worker's `Disposable` (the core API exposes the class). */
export class Disposable {
  static from(...likes: { dispose: () => unknown }[]): Disposable {
    return new Disposable(() => {
      for (const like of likes) like.dispose();
    });
  }
  #callOnDispose: (() => unknown) | undefined;
  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }
  dispose(): unknown {
    const call = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return call?.();
  }
}

/** A fresh, empty registry for one app load. */
export function createAppRegistry(log: HostLogger): AppRegistry {
  return {
    functions: new Map(),
    hooks: { preInvocation: [], postInvocation: [], appStart: [], appTerminate: [], log: [] },
    programmingModel: undefined,
    locked: false,
    currentEntryPoint: undefined,
    appHookData: {},
    appLevelOnlyHookData: {},
    log,
  };
}

const hookNames: readonly string[] = ['preInvocation', 'postInvocation', 'appStart', 'appTerminate', 'log'];

function isHookName(name: string): name is HookName {
  return hookNames.includes(name);
}

/** The object `require('@azure/functions-core')` returns while `registry` is the active app. */
export function createCoreApi(registry: AppRegistry) {
  return {
    version: coreWorkerVersion,
    hostVersion: coreHostVersion,
    registerHook(hookName: string, callback: HookCallback): Disposable {
      if (!isHookName(hookName)) {
        // The worker rejects unknown hook names with a RangeError too (the library relies on that for `log`).
        throw new RangeError(`"${hookName}" is not a valid hook name.`);
      }
      const list = registry.hooks[hookName];
      list.push(callback);
      return new Disposable(() => {
        const at = list.indexOf(callback);
        if (at >= 0) list.splice(at, 1);
      });
    },
    setProgrammingModel(programmingModel: ProgrammingModel): void {
      registry.programmingModel = programmingModel;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return registry.programmingModel;
    },
    log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
      registry.log({ level, category, message });
    },
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
      if (registry.locked) throw new Error('A function can only be registered during app startup.');
      const functionId = metadata.functionId || metadata.name;
      if (registry.functions.has(functionId)) {
        throw new Error(`A function with id "${functionId}" has already been registered.`);
      }
      const rawBindings = Object.entries(metadata.bindings).map(([name, binding]) => JSON.stringify({ ...binding, name }));
      registry.functions.set(functionId, {
        functionId,
        name: metadata.name,
        metadata: {
          name: metadata.name,
          functionId,
          bindings: metadata.bindings,
          rawBindings,
          retryOptions: metadata.retryOptions ?? null,
          scriptFile: registry.currentEntryPoint ?? 'unknown',
        },
        callback,
      });
      return new Disposable(() => {
        if (registry.locked) throw new Error('A function can only be disposed during app startup.');
        registry.functions.delete(functionId);
      });
    },
    Disposable,
  };
}

let activeCoreApi: ReturnType<typeof createCoreApi> | undefined;
let installed = false;

/**
 * Makes `require('@azure/functions-core')` return the core API of `registry` from now on (installing the
 * require Proxy once per process). Hosts started one after another in one process each get their own registry.
 */
export function activateCoreModule(registry: AppRegistry): void {
  activeCoreApi = createCoreApi(registry);
  if (installed) return;
  installed = true;
  Module.prototype.require = new Proxy(Module.prototype.require, {
    apply(target, thisArg, argArray: unknown[]) {
      if (argArray[0] === '@azure/functions-core' && activeCoreApi) return activeCoreApi;
      return Reflect.apply(target, thisArg, argArray) as unknown;
    },
  });
}
