import { TRACECONTEXT } from './support/formats.js';
import { defineKafkaSuite } from './support/kafka-suite.js';

defineKafkaSuite(TRACECONTEXT);
