// The CommonJS application. Start: node --require ./telemetry.cjs app.cjs
const amqplib = require('amqplib');
const kafkajs = require('kafkajs');
const nsqjs = require('nsqjs');
const { runScenario } = require('./scenario.cjs');

runScenario({ kafkajs, amqplib, nsqjs }).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
