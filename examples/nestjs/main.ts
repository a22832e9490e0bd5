// reflect-metadata must load before any decorated class: it is the first import.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app-module.js';

/**
 * The example Nest application on http://localhost:3000:
 *   curl -X POST localhost:3000/orders?wait=true -H 'content-type: application/json' -d '{"item":"book","quantity":1,"amount":12}'
 * SIGTERM / Ctrl-C closes the application, and with it the engine, gracefully.
 */
const app = await NestFactory.create(AppModule.on(process.env.TEMPOLITE_DB ?? './nest-orders.db'));
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT ?? 3000));
console.log(`Orders app on ${await app.getUrl()}`);
