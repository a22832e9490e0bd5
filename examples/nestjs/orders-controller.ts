import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { Tempolite, WorkflowNotFoundError } from '../../src/index.js';
import { OrderWorkflow } from './order-workflow.js';
import type { Order, Receipt } from './services.js';

/** `POST /orders` starts an order workflow; `GET /orders/:id` tells where it is. */
@Controller('orders')
export class OrdersController {
  constructor(@Inject(Tempolite) private readonly engine: Tempolite) {}

  /**
   * Starts the workflow (idempotent by `id`): `202 Accepted` with its id, or with `?wait=true`, `200` with the
   * receipt once it completes. A body that is not an order is a `400`, before anything starts.
   */
  @Post()
  @HttpCode(202)
  async place(
    @Body() body: Order & { id?: string },
    @Res({ passthrough: true }) response: { status(code: number): unknown },
    @Query('wait') wait?: string,
  ): Promise<{ workflowId: string; receipt?: Receipt }> {
    const { id, ...order } = checkedOrder(body);
    const handle = await this.engine.startWorkflow(OrderWorkflow, 'placeOrder', [order], id !== undefined ? { id } : {});
    if (wait !== 'true') return { workflowId: handle.workflowId };
    const receipt = await handle.result();
    response.status(200);
    return { workflowId: handle.workflowId, receipt };
  }

  @Get(':id')
  async status(@Param('id') id: string): Promise<{ workflowId: string; status: string; receipt?: unknown }> {
    try {
      const description = await (await this.engine.getHandle(id)).describe();
      return { workflowId: id, status: description.status, ...(description.output !== undefined ? { receipt: description.output } : {}) };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new NotFoundException(error.message);
      throw error;
    }
  }
}

/** The request body as an order, or a 400 naming what is wrong. */
function checkedOrder(body: unknown): Order & { id?: string } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.item !== 'string' || b.item.length === 0) throw new BadRequestException('item must be a non-empty string');
  if (!Number.isInteger(b.quantity) || (b.quantity as number) < 1) throw new BadRequestException('quantity must be a whole number from 1');
  if (typeof b.amount !== 'number' || !(b.amount >= 0)) throw new BadRequestException('amount must be a number from 0');
  if (b.id !== undefined && typeof b.id !== 'string') throw new BadRequestException('id must be a string');
  return { item: b.item, quantity: b.quantity as number, amount: b.amount, ...(b.id !== undefined ? { id: b.id } : {}) };
}
