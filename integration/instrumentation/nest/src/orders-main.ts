// The orders service: a NestJS microservice that handles `orders.created` events.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { OrdersModule } from './orders.module';
import { ordersTransport } from './transport';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(OrdersModule, { ...ordersTransport(), logger: ['error'] });
  await app.listen();
  console.log(JSON.stringify({ ready: true }));
}

void bootstrap();
