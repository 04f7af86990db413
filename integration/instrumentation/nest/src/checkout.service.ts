import { Inject, Injectable } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import { lastValueFrom } from 'rxjs';
import { ORDERS_PATTERN } from './transport';

@Injectable()
export class CheckoutService {
  readonly #tracer = trace.getTracer('checkout-service');

  constructor(@Inject('ORDERS_CLIENT') private readonly orders: ClientProxy) {}

  /** Places an order: the checkout's own span, inside which the event is emitted. */
  placeOrder(orderId: string): Promise<void> {
    return this.#tracer.startActiveSpan('checkout', async (span) => {
      try {
        await lastValueFrom(this.orders.emit(ORDERS_PATTERN, { orderId }), { defaultValue: undefined });
      } finally {
        span.end();
      }
    });
  }

  connect(): Promise<unknown> {
    return this.orders.connect();
  }
}
