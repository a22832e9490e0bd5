import { inject, injectable, singleton } from 'tsyringe';
import { Activity, SideEffect, Workflow, activityContext } from '../../src/index.js';

/** An order as the demo's shop receives it. */
export interface Order {
  readonly customer: string;
  readonly email: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
  readonly total: number;
}

/** What the workflow returns. */
export interface Receipt {
  readonly orderNo: string;
  readonly reservation: string;
  readonly chargeId: string;
  readonly mailedTo: string;
}

/** DI token of the line printer the demo's services write to. */
export const DEMO_LOG = Symbol.for('tempolite.demo.log');

/** Prints one line; the demo passes `console.log`, the test a collector. */
export type DemoLog = (line: string) => void;

/** Thrown by the payment gateway on its first call for each idempotency key. */
export class GatewayTimeoutError extends Error {
  override name = 'GatewayTimeoutError';
}

/** A stock service: reserves items and answers a reservation id. */
@injectable()
export class Inventory {
  reserve(items: Order['items']): string {
    const count = items.reduce((sum, item) => sum + item.quantity, 0);
    return `RSV-${count}-${items.map((item) => item.sku).join('+')}`;
  }
}

/**
 * A flaky payment gateway: the first charge under each idempotency key times
 * out, the second goes through. A singleton, so it remembers across resolutions.
 */
@singleton()
export class PaymentGateway {
  private readonly seen = new Set<string>();

  charge(idempotencyKey: string, amount: number): { id: string; amount: number } {
    if (!this.seen.has(idempotencyKey)) {
      this.seen.add(idempotencyKey);
      throw new GatewayTimeoutError(`payment gateway timed out charging ${amount.toFixed(2)}`);
    }
    return { id: `CH-${idempotencyKey.slice(-8)}`, amount };
  }
}

/** A mailer that only pretends. */
@injectable()
export class Mailer {
  send(to: string, subject: string): string {
    return `${to}: ${subject}`;
  }
}

/**
 * The order workflow: a side effect (the order number), then three
 * activities. Its collaborators come through constructor injection: the
 * engine resolves the class from the DI container it was given.
 */
@injectable()
export class OrderService {
  constructor(
    private readonly inventory: Inventory,
    private readonly payments: PaymentGateway,
    private readonly mailer: Mailer,
    @inject(DEMO_LOG) private readonly log: DemoLog,
  ) {}

  @Workflow({ name: 'demo.placeOrder' })
  async placeOrder(order: Order): Promise<Receipt> {
    const orderNo = await this.orderNumber();
    const reservation = await this.reserveStock(order);
    const charge = await this.chargeCard(order);
    const mailedTo = await this.sendReceipt(order, orderNo, charge.id);
    return { orderNo, reservation, chargeId: charge.id, mailedTo };
  }

  /** Recorded once: every re-entry of the body gets the same number. */
  @SideEffect({ name: 'demo.orderNumber' })
  async orderNumber(): Promise<string> {
    return `ORD-${Date.now().toString(36).toUpperCase()}`;
  }

  @Activity({ name: 'demo.reserveStock' })
  async reserveStock(order: Order): Promise<string> {
    this.log(`    reserveStock: attempt ${activityContext().attempt}`);
    return this.inventory.reserve(order.items);
  }

  /** Fails once (gateway timeout), then succeeds on the retry 200 ms later. */
  @Activity({ name: 'demo.chargeCard', retry: { maxAttempts: 3, initialIntervalMs: 200 } })
  async chargeCard(order: Order): Promise<{ id: string; amount: number }> {
    const { attempt, idempotencyKey } = activityContext();
    this.log(`    chargeCard: attempt ${attempt} (idempotency key ${idempotencyKey})`);
    return this.payments.charge(idempotencyKey, order.total);
  }

  @Activity({ name: 'demo.sendReceipt' })
  async sendReceipt(order: Order, orderNo: string, chargeId: string): Promise<string> {
    this.log(`    sendReceipt: attempt ${activityContext().attempt}`);
    return this.mailer.send(order.email, `receipt for ${orderNo} (${chargeId})`);
  }
}
