import { Injectable } from '@nestjs/common';
import { Activity, Workflow, activityContext } from '../../src/index.js';
import { InventoryService, PaymentsService, ShippingService, type Order, type Receipt } from './services.js';

/**
 * The order workflow: a Nest provider whose activities use injected Nest
 * services. Tempolite resolves it through Nest's container, so the
 * constructor injection is Nest's.
 */
@Injectable()
export class OrderWorkflow {
  constructor(
    private readonly inventory: InventoryService,
    private readonly payments: PaymentsService,
    private readonly shipping: ShippingService,
  ) {}

  @Workflow({ name: 'nest.placeOrder' })
  async placeOrder(order: Order): Promise<Receipt> {
    const reservation = await this.reserve(order);
    const chargeId = await this.charge(order);
    const trackingNo = await this.ship(order);
    return { reservation, chargeId, trackingNo };
  }

  @Activity({ name: 'nest.reserve' })
  async reserve(order: Order): Promise<string> {
    return this.inventory.reserve(order.item, order.quantity);
  }

  @Activity({ name: 'nest.charge' })
  async charge(order: Order): Promise<string> {
    return this.payments.charge(activityContext().idempotencyKey, order.amount);
  }

  @Activity({ name: 'nest.ship', retry: { maxAttempts: 5, initialIntervalMs: 100 } })
  async ship(order: Order): Promise<string> {
    return this.shipping.ship(order.item, activityContext().signal);
  }
}
