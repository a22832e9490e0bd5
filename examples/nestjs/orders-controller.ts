import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { Tempolite, WorkflowNotFoundError } from '../../src/index.js';
import { OrderWorkflow } from './order-workflow.js';
import type { Order, Receipt } from './services.js';

/** `POST /orders` starts an order workflow; `GET /orders/:id` tells where it is. */
@Controller('orders')
export class OrdersController {
  constructor(@Inject(Tempolite) private readonly engine: Tempolite) {}

  /** Starts the workflow (idempotent by `id`); `?wait=true` answers with the receipt once it completes. */
  @Post()
  @HttpCode(202)
  async place(@Body() body: Order & { id?: string }, @Query('wait') wait?: string): Promise<{ workflowId: string; receipt?: Receipt }> {
    const { id, ...order } = body;
    const handle = await this.engine.startWorkflow(OrderWorkflow, 'placeOrder', [order], id !== undefined ? { id } : {});
    if (wait === 'true') return { workflowId: handle.workflowId, receipt: await handle.result() };
    return { workflowId: handle.workflowId };
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
