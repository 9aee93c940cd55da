// The waitUntil() work of each context cloudflare:test made (createExecutionContext(),
// createPagesEventContext()), for waitOnExecutionContext() and getQueueResult() to wait on.
// Its own module so that each maker of contexts shares it without importing the others.
export const pendingWaitUntil = new WeakMap<object, Promise<unknown>[]>();
