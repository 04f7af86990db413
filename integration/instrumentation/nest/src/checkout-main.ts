// The checkout service: a NestJS application that, once connected, places the order it is
// given (a line on stdin, standing for the request a real checkout serves), emits one
// `orders.created` event for it and exits.
import 'reflect-metadata';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { NestFactory } from '@nestjs/core';
import { CheckoutModule } from './checkout.module';
import { CheckoutService } from './checkout.service';

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(CheckoutModule, { logger: ['error'] });
  const checkout = app.get(CheckoutService);
  await checkout.connect();
  const requests = createInterface({ input: process.stdin });
  console.log(JSON.stringify({ ready: true }));
  const [orderId] = (await once(requests, 'line')) as [string];
  requests.close();
  await checkout.placeOrder(orderId);
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
