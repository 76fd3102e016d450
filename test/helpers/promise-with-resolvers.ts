// @platformatic/kafka uses Promise.withResolvers (Node >= 22); on Node 20 the tests add it first.
type Resolvers<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void };
const promiseStatic = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
promiseStatic.withResolvers ??= <T>(): Resolvers<T> => {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
};
export {};
