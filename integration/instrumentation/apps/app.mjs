// The ESM application: the client libraries are `import`ed (named, default and namespace
// imports, as apps write them). Start: node --import ./telemetry.mjs app.mjs
import * as amqplib from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import nsqjs from 'nsqjs';
import { runScenario } from './scenario.cjs';

await runScenario({ kafkajs: { Kafka, logLevel }, amqplib, nsqjs });
