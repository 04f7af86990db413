import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { CheckoutService } from './checkout.service';
import { ordersTransport } from './transport';

export const ORDERS_CLIENT = 'ORDERS_CLIENT';

@Module({
  imports: [ClientsModule.register([{ name: ORDERS_CLIENT, ...ordersTransport() }])],
  providers: [CheckoutService],
})
export class CheckoutModule {}
