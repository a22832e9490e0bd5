import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { AppModule } from '../../examples/nestjs/app-module.js';
import { CALLS, ShippingService } from '../../examples/nestjs/services.js';
import { Tempolite, silentLogger } from '../../src/index.js';
import { eventually } from '../helpers/eventually.js';
import { tempDatabase } from '../helpers/temp-db.js';

/** The example app on an ephemeral port. */
async function startApp(database: string): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(AppModule.on(database, silentLogger), { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('examples/nestjs', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    ShippingService.open();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('POST /orders starts a workflow whose activities use injected Nest services, and answers with its result', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    const { app, url } = await startApp(temp.file);
    cleanups.push(() => app.close());
    CALLS.length = 0;

    const placed = await post(`${url}/orders?wait=true`, { id: 'order-1', item: 'book', quantity: 2, amount: 24 });
    expect(placed.status).toBe(200);
    expect(placed.json).toEqual({ workflowId: 'order-1', receipt: { reservation: 'RSV-book-2', chargeId: 'CH-1', trackingNo: 'TRK-BOOK' } });
    // Not an order: refused before anything starts.
    const refused = await post(`${url}/orders`, { id: 'order-bad', item: 'book' });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ message: 'quantity must be a whole number from 1' });
    expect(CALLS).toEqual(['reserve book', 'charge 24', 'ship book']);

    const status = await fetch(`${url}/orders/order-1`);
    expect(await status.json()).toMatchObject({ workflowId: 'order-1', status: 'completed', receipt: { trackingNo: 'TRK-BOOK' } });
    expect((await fetch(`${url}/orders/nope`)).status).toBe(404);

    // The engine is the module's provider; the same id starts nothing new (idempotent start).
    const engine = app.get(Tempolite);
    expect(engine.isRunning).toBe(true);
    expect((await post(`${url}/orders`, { id: 'order-1', item: 'book', quantity: 2, amount: 24 })).json).toEqual({ workflowId: 'order-1' });
    expect(await engine.list()).toHaveLength(1);
  });

  it('closing the application mid-workflow leaves it resumable: the next start completes it without repeating finished steps', async () => {
    const temp = tempDatabase();
    cleanups.push(temp.cleanup);
    CALLS.length = 0;
    ShippingService.close();
    const first = await startApp(temp.file);
    const placed = await post(`${first.url}/orders`, { id: 'order-2', item: 'lamp', quantity: 1, amount: 40 });
    expect(placed).toEqual({ status: 202, json: { workflowId: 'order-2' } });
    await eventually(() => CALLS.includes('ship lamp'), 'the shipment to begin');

    // Shutdown of the app closes the engine: the waiting activity sees its AbortSignal, the lease is released.
    await first.app.close();
    expect(first.app.get(Tempolite).isRunning).toBe(false);
    expect(CALLS).toEqual(['reserve lamp', 'charge 40', 'ship lamp']);

    ShippingService.open();
    const second = await startApp(temp.file);
    cleanups.push(() => second.app.close());
    const done = await eventually(async () => {
      const body = (await (await fetch(`${second.url}/orders/order-2`)).json()) as { status: string; receipt?: unknown };
      return body.status === 'completed' ? body : undefined;
    }, 'the workflow to complete after the restart');
    expect(done.receipt).toEqual({ reservation: 'RSV-lamp-1', chargeId: 'CH-2', trackingNo: 'TRK-LAMP' });
    // reserve and charge ran once; only the interrupted shipment ran again.
    expect(CALLS).toEqual(['reserve lamp', 'charge 40', 'ship lamp', 'ship lamp']);
    const description = await (await second.app.get(Tempolite).getHandle('order-2')).describe();
    expect(description.executions.map((e) => [e.reason, e.status])).toEqual([
      ['start', 'interrupted'],
      ['recovery', 'completed'],
    ]);
    expect(description.steps.find((s) => s.stepId === 'nest.ship#0')?.executions.map((a) => a.status)).toEqual(['interrupted', 'completed']);
  });
});
