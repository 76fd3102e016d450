// Adapts a Node MessagePort / Worker to the endpoint comlink expects, in one place for both threads.
// Used by the main thread (wrapping a worker) and partition workers (exposing their control plane).
import * as Comlink from 'comlink';
import type { MessagePort, Worker } from 'node:worker_threads';
import adapterModule from 'comlink/dist/umd/node-adapter.js';

type NodePortLike = MessagePort | Worker;

// The package's typings describe an ES default export; at run time the UMD build is the function itself.
const adapter = adapterModule as unknown as ((port: NodePortLike) => Comlink.Endpoint) | { default: (port: NodePortLike) => Comlink.Endpoint };
const toEndpoint = typeof adapter === 'function' ? adapter : adapter.default;

export function endpointOf(port: NodePortLike): Comlink.Endpoint {
  return toEndpoint(port);
}

export { Comlink };
