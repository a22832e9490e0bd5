import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '../../src/index.js';
import { TempoliteModule } from '../../src/nestjs/index.js';
import { OrderWorkflow } from './order-workflow.js';
import { OrdersController } from './orders-controller.js';
import { InventoryService, PaymentsService, ShippingService } from './services.js';

/** The example application: the order workflow and its services are ordinary Nest providers. */
@Module({})
export class AppModule {
  /** The module on `database` (a SQLite file, or a PostgreSQL URL). */
  static on(database: string, logger?: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [TempoliteModule.forRoot({ database, register: [OrderWorkflow], ...(logger ? { logger } : {}) })],
      controllers: [OrdersController],
      providers: [OrderWorkflow, InventoryService, PaymentsService, ShippingService],
    };
  }
}
