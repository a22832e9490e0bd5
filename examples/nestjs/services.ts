import { Injectable } from '@nestjs/common';

/** An order as the HTTP endpoint receives it. */
export interface Order {
  readonly item: string;
  readonly quantity: number;
  readonly amount: number;
}

/** What the order workflow returns. */
export interface Receipt {
  readonly reservation: string;
  readonly chargeId: string;
  readonly trackingNo: string;
}

/** Every call the services received, in order, across application restarts (for the example's test). */
export const CALLS: string[] = [];

/** A stock service: an ordinary Nest provider the workflow's activities use. */
@Injectable()
export class InventoryService {
  reserve(item: string, quantity: number): string {
    CALLS.push(`reserve ${item}`);
    return `RSV-${item}-${quantity}`;
  }
}

/** A payment gateway: deduplicates by idempotency key, as a real one would. */
@Injectable()
export class PaymentsService {
  private static readonly charges = new Map<string, string>();

  charge(idempotencyKey: string, amount: number): string {
    CALLS.push(`charge ${amount}`);
    const existing = PaymentsService.charges.get(idempotencyKey);
    if (existing !== undefined) return existing;
    const id = `CH-${PaymentsService.charges.size + 1}`;
    PaymentsService.charges.set(idempotencyKey, id);
    return id;
  }
}

/**
 * A carrier that ships only while its desk is open: `ship()` waits until
 * `ShippingService.open()`, or until the AbortSignal fires (the engine is
 * shutting down with the application).
 */
@Injectable()
export class ShippingService {
  private static closed = false;
  private static readonly waiting = new Set<() => void>();

  /** Makes shipments wait (the example's test closes the application meanwhile). */
  static close(): void {
    ShippingService.closed = true;
  }

  /** Lets shipments through. */
  static open(): void {
    ShippingService.closed = false;
    for (const wake of [...ShippingService.waiting]) wake();
  }

  async ship(item: string, signal: AbortSignal): Promise<string> {
    CALLS.push(`ship ${item}`);
    while (ShippingService.closed) {
      signal.throwIfAborted();
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          ShippingService.waiting.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        ShippingService.waiting.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
    return `TRK-${item.toUpperCase()}`;
  }
}
