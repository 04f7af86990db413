import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import { ORDERS_PATTERN } from './transport';

interface OrderCreated {
  readonly orderId: string;
}

@Controller()
export class OrdersController {
  readonly #tracer = trace.getTracer('orders-service');

  @EventPattern(ORDERS_PATTERN)
  handleOrderCreated(order: OrderCreated): void {
    // The service's own work, in its own span, as any traced handler does.
    this.#tracer.startActiveSpan('reserve stock', (span) => {
      span.setAttribute('order.id', order.orderId);
      span.end();
    });
    console.log(JSON.stringify({ handled: order.orderId }));
  }
}
