// tsyringe and TypeORM read decorator metadata through the Reflect API; without the polyfill they fail later with obscure errors.
if (typeof (Reflect as { getMetadata?: unknown }).getMetadata !== 'function') {
  throw new Error(
    'Tempolite needs the reflect-metadata polyfill. Add `import "reflect-metadata";` as the first line of your entry file ' +
      '(before any import of tempolite or of your decorated classes), and enable "experimentalDecorators" and "emitDecoratorMetadata" in tsconfig.json.',
  );
}
export {};
